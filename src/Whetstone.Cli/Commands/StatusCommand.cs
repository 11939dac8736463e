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
            ctx.Out.WriteLine($"live:   {(report.Live.Candidate is null ? "(none recorded: whetstone live init)" : $"{report.Live.Candidate} ({report.Live.Model}, {report.Live.Client})")}" +
                (report.Previous is null ? "" : $", previous {report.Previous}"));
            ctx.Out.WriteLine($"data:   {report.Snapshots} snapshots (evaluation snapshot {report.EvalSnapshot ?? "none"}), {report.Jobs} jobs, {report.Candidates} candidates");
            Print(ctx, "reason", report.Trajectories.ByReason);
            Print(ctx, "model", report.Trajectories.ByModel);
            Print(ctx, "redacted kind", report.Trajectories.RedactedByKind);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static async Task<StatusReport> BuildAsync(CliContext ctx, CancellationToken ct)
    {
        var store = ctx.Services.Store;
        var counts = await store.Trajectories.CountAsync(ct);
        var aliases = await store.Registry.GetAliasesAsync(ct);
        var live = aliases.Live is null ? null : await store.Registry.GetCandidateAsync(aliases.Live, ct);
        return new StatusReport
        {
            Home = ctx.Home.Root,
            Store = store.Description,
            Trajectories = counts,
            Live = new LiveStatus(aliases.Live, live?.Model, live?.Client),
            Previous = aliases.Previous,
            EvalSnapshot = (await store.Snapshots.GetEvalPointerAsync(ct))?.SnapshotId,
            Snapshots = (await store.Snapshots.ListAsync(ct)).Count,
            Jobs = (await store.Jobs.ListJobsAsync(ct)).Count,
            Candidates = (await store.Registry.ListCandidatesAsync(ct)).Count,
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

    public required LiveStatus Live { get; init; }

    public string? Previous { get; init; }

    public string? EvalSnapshot { get; init; }

    public int Snapshots { get; init; }

    public int Jobs { get; init; }

    public int Candidates { get; init; }
}

/// <summary>What runs the agent now (<c>status --json</c> → <c>live.candidate</c>).</summary>
internal sealed record LiveStatus(string? Candidate, string? Model, string? Client);
