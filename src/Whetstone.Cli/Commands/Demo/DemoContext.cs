namespace Whetstone.Cli.Commands.Demo;

/// <summary>What the demo's steps share.</summary>
internal sealed class DemoContext(CliContext cli, DemoSamples samples)
{
    public CliContext Cli { get; } = cli;

    public DemoSamples Samples { get; } = samples;

    public TextWriter Out => Cli.Out;

    /// <summary>Values a step leaves for later steps (ids of snapshots, candidates, …).</summary>
    public Dictionary<string, string> State { get; } = new(StringComparer.Ordinal);
}

/// <summary>One step of the demo.</summary>
internal sealed record DemoStep(string Title, Func<DemoContext, CancellationToken, Task<int>> Run);

/// <summary>The bundled sample files.</summary>
internal sealed record DemoSamples(string Root)
{
    public string FireAct => Path.Combine(Root, "fireact", "fireact-react.jsonl");

    public string ToolTalk => Path.Combine(Root, "tooltalk", "tooltalk-openai.jsonl");

    /// <summary>The folder given, else the samples copied beside the executable, else <c>samples/</c> in the
    /// current folder or one above it.</summary>
    public static DemoSamples Locate(string? given)
    {
        var candidates = new List<string>();
        if (given is not null)
        {
            candidates.Add(given);
        }
        else
        {
            candidates.Add(Path.Combine(AppContext.BaseDirectory, "samples"));
            var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
            for (var i = 0; i < 4 && dir is not null; i++, dir = dir.Parent)
            {
                candidates.Add(Path.Combine(dir.FullName, "samples"));
            }
        }

        foreach (var c in candidates)
        {
            var s = new DemoSamples(Path.GetFullPath(c));
            if (File.Exists(s.FireAct) && File.Exists(s.ToolTalk))
            {
                return s;
            }
        }

        throw new WhetstoneException(ErrorCode.BadInput,
            $"sample data not found (looked in {string.Join(", ", candidates)}); pass --samples DIR");
    }
}
