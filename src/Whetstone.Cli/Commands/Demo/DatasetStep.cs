using Whetstone.Datasets;
using Whetstone.Datasets.Export;
using Whetstone.Training;

namespace Whetstone.Cli.Commands.Demo;

/// <summary>Demo step: snapshot → exports in every format → a TRL job manifest → a dry-run launch.</summary>
internal static class DatasetStep
{
    public static readonly DemoStep Step = new("snapshot, export for every trainer, prepare and dry-run a TRL job", RunAsync);

    private static async Task<int> RunAsync(DemoContext demo, CancellationToken ct)
    {
        var services = demo.Cli.Services;
        // The demo holds out 30% of the task clusters (the default is 20%): only tasks with an accepted run enter a
        // snapshot, and the gate needs at least 50 paired tasks to decide.
        var result = await services.Snapshots.TakeAsync(new SnapshotRequest { Actor = "demo", EvalFraction = 0.3 }, ct);
        var s = result.Snapshot;
        demo.State["snapshot"] = s.Id;
        demo.Out.WriteLine($"snapshot {s.Id}");
        DatasetCommand.Describe(demo.Cli, s);
        var (examples, _) = await services.Artifacts.WriteSnapshotExamplesAsync(s.Id, demo.Cli.Options.Datasets.ArtifactMaxExamples, ct);
        demo.Out.WriteLine($"artifacts/{Artifacts.ArtifactWriter.TrajectoriesJsonl}: {examples} examples");

        foreach (var format in ExportFormats.All)
        {
            var folder = Path.Combine(demo.Cli.Home.Exports, s.Id, format);
            var export = await services.Exporter.ExportAsync(s.Id, folder, new ExportOptions { Format = format }, ct);
            demo.Out.WriteLine($"export {format,-9} train {export.Files["train"].Examples}, validation {export.Files["validation"].Examples}, " +
                $"eval {export.Files["eval"].Examples}" + (export.Skipped > 0 ? $" ({export.Skipped} skipped)" : "") + $" -> {folder}");
        }

        var job = await services.Jobs.PrepareAsync(new JobRequest
        {
            SnapshotId = s.Id, Trainer = "trl", BaseModel = "Qwen/Qwen3-0.6B", Method = "lora", Actor = "demo",
        }, ct);
        services.Artifacts.WriteJob(job.Manifest);
        demo.State["job"] = job.Manifest.Id;
        demo.Out.WriteLine($"job {job.Manifest.Id} (trl, Qwen/Qwen3-0.6B, lora)");
        JobCommand.ShowManifest(demo.Cli, job.Manifest);

        var launch = await services.Launcher.LaunchAsync(job.Manifest.Id, dryRun: true, "demo", ct);
        await services.Artifacts.WriteLaunchesAsync(ct);
        demo.Out.WriteLine($"launch --dry-run recorded as launch {launch.Sequence}: [" + string.Join(", ", launch.Argv.Select(a => "\"" + a + "\"")) + "]");
        return ExitCodes.Ok;
    }
}
