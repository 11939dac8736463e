namespace Whetstone.Tests;

/// <summary>Paths of the repository's sample data and a scratch folder per test.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> RepoRoot = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Whetstone.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root (Whetstone.slnx) not found");
    });

    public static string Root => RepoRoot.Value;

    public static string Samples => Path.Combine(Root, "samples");

    public static string FireAct => Path.Combine(Samples, "fireact", "fireact-react.jsonl");

    public static string ToolTalk => Path.Combine(Samples, "tooltalk", "tooltalk-openai.jsonl");

    /// <summary>The first <paramref name="count"/> lines of a sample file.</summary>
    public static IReadOnlyList<string> Lines(string file, int count = int.MaxValue) =>
        File.ReadLines(file).Where(l => l.Length > 0).Take(count).ToList();
}

/// <summary>A temporary folder removed when disposed.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "whetstone-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string content)
    {
        var p = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        System.IO.File.WriteAllText(p, content);
        return p;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
