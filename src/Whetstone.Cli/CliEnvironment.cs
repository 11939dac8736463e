using System.Collections;

namespace Whetstone.Cli;

/// <summary>What the process gives the CLI: output streams, environment variables and whether a person is
/// watching (progress bars only then). Tests pass their own.</summary>
public sealed record CliEnvironment(TextWriter Out, TextWriter Error, IDictionary Variables, bool Interactive = false)
{
    public string? Variable(string name) => Variables[name] as string;
}
