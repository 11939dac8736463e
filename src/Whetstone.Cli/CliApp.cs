using System.CommandLine;
using Whetstone.Cli.Commands;

namespace Whetstone.Cli;

/// <summary>Builds the <c>whetstone</c> command tree and runs one invocation. Errors are mapped to exit codes
/// here and nowhere else.</summary>
public static class CliApp
{
    public static readonly Option<string?> HomeOption = new("--home")
    {
        Description = "Whetstone home folder (default ./.whetstone, env WHETSTONE_HOME)",
        Recursive = true,
    };

    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Machine-readable JSON output",
        Recursive = true,
    };

    public static RootCommand BuildRoot(CliEnvironment env)
    {
        var root = new RootCommand("Whetstone: turns an agent's good work into training data, evaluates candidates "
            + "against the live model, and promotes them only through a gate and an admin's approval.");
        root.Options.Add(HomeOption);
        root.Options.Add(JsonOption);
        root.Subcommands.Add(IngestCommand.Create(env));
        root.Subcommands.Add(TrajectoriesCommand.Create(env));
        root.Subcommands.Add(DatasetCommand.Create(env));
        root.Subcommands.Add(JobCommand.Create(env));
        root.Subcommands.Add(EvalCommand.Create(env));
        root.Subcommands.Add(CandidatesCommand.Create(env));
        root.Subcommands.Add(CandidatesCommand.Live(env));
        root.Subcommands.Add(PromoteCommand.Create(env));
        root.Subcommands.Add(PromoteCommand.Rollback(env));
        root.Subcommands.Add(AuditCommand.Create(env));
        root.Subcommands.Add(RedactCommand.Create(env));
        root.Subcommands.Add(ReviewCommand.Create(env));
        root.Subcommands.Add(StatusCommand.Create(env));
        root.Subcommands.Add(DemoCommand.Create(env));
        root.Subcommands.Add(ServeCommand.Create(env));
        return root;
    }

    /// <summary>snake_case name of an error code for <c>--json</c> error output.</summary>
    private static string ErrorName(ErrorCode code) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(code.ToString());

    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(env);
        var root = BuildRoot(env);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await env.Error.WriteLineAsync("error: " + error.Message);
            }

            await env.Error.WriteLineAsync("run 'whetstone --help' for usage");
            return ExitCodes.BadInput;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = env.Out,
                Error = env.Error,
                EnableDefaultExceptionHandler = false,
                // `serve` is a host: it handles SIGINT/SIGTERM itself and drains in-flight requests, which can take
                // longer than the 2 s after which System.CommandLine would end the process.
                ProcessTerminationTimeout = parse.CommandResult.Command.Name == ServeCommand.Name ? null : TimeSpan.FromSeconds(2),
            }, cancellationToken);
        }
        catch (WhetstoneException e)
        {
            var label = e.Code == ErrorCode.Refused ? "refused" : "error";
            await env.Error.WriteLineAsync(e.Reason is null ? $"{label}: {e.Message}" : $"{label} ({e.Reason}): {e.Message}");
            if (parse.GetValue(JsonOption))
            {
                await env.Out.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(
                    new CliError(ErrorName(e.Code), e.Reason, e.Message), CliJsonContext.Output.CliError));
            }

            return ExitCodes.For(e.Code);
        }
        catch (OperationCanceledException)
        {
            await env.Error.WriteLineAsync("cancelled");
            return ExitCodes.Failed;
        }
    }
}

/// <summary>What a failed command prints on stdout with <c>--json</c>.</summary>
internal sealed record CliError(string Error, string? Reason, string Message);
