using System.Collections;

namespace Whetstone.Cli.Tests;

/// <summary>Runs the CLI in-process with captured output and a controlled environment.</summary>
public static class CliRunner
{
    public sealed record Result(int Code, string Out, string Error);

    public static async Task<Result> RunAsync(params string[] args) => await RunWithEnvAsync(new Hashtable(), args);

    public static async Task<Result> RunWithEnvAsync(IDictionary env, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, new CliEnvironment(stdout, stderr, env));
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}
