using System.CommandLine;
using Spectre.Console;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone status</c>: what the home holds.</summary>
internal static class StatusCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("status", "Show what the home holds: runs, verdicts by reason, redactions");
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var report = await BuildAsync(ctx, ct);
            if (ctx.Json)
            {
                ctx.WriteJson(report, CliJsonContext.Output.StatusReport);
                return ExitCodes.Ok;
            }

            ctx.Out.WriteLine($"home:   {report.Home}");
            ctx.Out.WriteLine($"store:  {report.Store}");
            ctx.Out.WriteLine($"runs:   {report.Trajectories.Total} ({report.Trajectories.Accepted} accepted, {report.Trajectories.Rejected} not accepted)");
            Print(ctx, "reason", report.Trajectories.ByReason);
            Print(ctx, "model", report.Trajectories.ByModel);
            Print(ctx, "redacted kind", report.Trajectories.RedactedByKind);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static async Task<StatusReport> BuildAsync(CliContext ctx, CancellationToken ct)
    {
        var counts = await ctx.Services.Store.Trajectories.CountAsync(ct);
        return new StatusReport
        {
            Home = ctx.Home.Root,
            Store = ctx.Services.Store.Description,
            Trajectories = counts,
        };
    }

    private static void Print(CliContext ctx, string what, IReadOnlyDictionary<string, long> counts)
    {
        if (counts.Count == 0)
        {
            return;
        }

        var table = new Table().AddColumns(what, "runs");
        foreach (var (k, v) in counts.OrderByDescending(kv => kv.Value))
        {
            table.AddRow(Markup.Escape(k), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        ctx.Console.Write(table);
    }
}

/// <summary><c>status --json</c>.</summary>
internal sealed record StatusReport
{
    public required string Home { get; init; }

    public required string Store { get; init; }

    public required Storage.StoreCounts Trajectories { get; init; }
}
