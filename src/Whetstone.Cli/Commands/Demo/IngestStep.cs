namespace Whetstone.Cli.Commands.Demo;

/// <summary>Demo step 1: ingest the bundled FireAct ReAct runs and ToolTalk conversations.</summary>
internal static class IngestStep
{
    public static readonly DemoStep Step = new("ingest the bundled runs (redact, score, store)", RunAsync);

    private static async Task<int> RunAsync(DemoContext demo, CancellationToken ct)
    {
        foreach (var (file, format) in new[] { (demo.Samples.FireAct, "react"), (demo.Samples.ToolTalk, "openai") })
        {
            demo.Out.WriteLine($"ingest {Path.GetFileName(file)} (--format {format})");
            var code = await IngestCommand.RunAsync(demo.Cli, [file], format, ct);
            if (code != ExitCodes.Ok)
            {
                return code;
            }
        }

        await demo.Cli.Services.Artifacts.WriteTrajectoriesAsync(ct);
        var counts = await demo.Cli.Services.Store.Trajectories.CountAsync(ct);
        demo.Out.WriteLine($"stored {counts.Total} runs: " + string.Join(", ", counts.ByModel.Select(kv => $"{kv.Key} {kv.Value}")));
        return ExitCodes.Ok;
    }
}
