using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone trajectories list|show|rescore</c>.</summary>
internal static class TrajectoriesCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("trajectories", "List, inspect and re-score stored runs");
        command.Subcommands.Add(List(env));
        command.Subcommands.Add(Show(env));
        command.Subcommands.Add(RescoreCommand.Create(env));
        return command;
    }

    private static Command List(CliEnvironment env)
    {
        var accepted = new Option<bool>("--accepted") { Description = "Only accepted runs" };
        var rejected = new Option<bool>("--rejected") { Description = "Only runs not accepted" };
        var model = new Option<string?>("--model") { Description = "Only runs of this model" };
        var limit = new Option<int?>("--limit") { Description = "At most N runs (newest first)" };
        var command = new Command("list", "List stored runs with their verdicts") { accepted, rejected, model, limit };
        command.Validators.Add(r =>
        {
            if (r.GetValue(accepted) && r.GetValue(rejected))
            {
                r.AddError("--accepted and --rejected exclude each other");
            }

            if (r.GetValue(limit) is < 1)
            {
                r.AddError("--limit must be at least 1");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var filter = new TrajectoryFilter
            {
                Accepted = parse.GetValue(accepted) ? true : parse.GetValue(rejected) ? false : null,
                ModelName = parse.GetValue(model),
                Limit = parse.GetValue(limit),
                NewestFirst = parse.GetValue(limit) is not null,
            };
            var rows = ctx.Services.Store.Trajectories.StreamAsync(filter, ct);
            if (ctx.Json)
            {
                await WriteJsonArrayAsync(ctx, rows, ct);
            }
            else
            {
                await WriteTableAsync(ctx, rows, ct);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Streams a JSON array (one object per run) without holding the list in memory.</summary>
    private static async Task WriteJsonArrayAsync(CliContext ctx, IAsyncEnumerable<StoredTrajectory> rows, CancellationToken ct)
    {
        await ctx.Out.WriteLineAsync("[");
        var first = true;
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (!first)
            {
                await ctx.Out.WriteLineAsync(",");
            }

            first = false;
            var json = JsonSerializer.Serialize(TrajectoryListItem.From(row), CliJsonContext.Output.TrajectoryListItem);
            await ctx.Out.WriteAsync(Indent(json));
        }

        await ctx.Out.WriteLineAsync(first ? "]" : "\n]");
    }

    private static string Indent(string json) => "  " + json.Replace("\n", "\n  ", StringComparison.Ordinal);

    private static async Task WriteTableAsync(CliContext ctx, IAsyncEnumerable<StoredTrajectory> rows, CancellationToken ct)
    {
        var table = new Table().AddColumns("id", "model", "accepted", "score", "reasons", "turns", "task");
        var count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            var item = TrajectoryListItem.From(row);
            table.AddRow(
                Markup.Escape(item.Id),
                Markup.Escape(item.Model ?? ""),
                (item.Accepted ? "yes" : "no") + (item.Override is null ? "" : " (review)"),
                item.Score.ToString("0.00", CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", item.Reasons)),
                item.Messages.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Shorten(item.Task, 60)));
            count++;
        }

        ctx.Console.Write(table);
        ctx.Out.WriteLine($"{count} trajectories");
    }

    private static Command Show(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Trajectory id" };
        var command = new Command("show", "Show one run, its redaction report and its verdict signal by signal") { id };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var key = parse.GetValue(id)!;
            var row = await ctx.Services.Store.Trajectories.GetAsync(key, ct)
                ?? throw new WhetstoneException(ErrorCode.NotFound, $"no trajectory with id '{key}'");
            if (ctx.Json)
            {
                ctx.WriteJson(row, CliJsonContext.Output.StoredTrajectory);
            }
            else
            {
                Explain(ctx, row);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Explain(CliContext ctx, StoredTrajectory row)
    {
        var t = row.Trajectory;
        var v = row.Verdict;
        var o = ctx.Out;
        o.WriteLine($"id:        {t.Id}");
        o.WriteLine($"model:     {t.Model?.Provider}{(t.Model?.Provider is null ? "" : "/")}{t.Model?.Name}");
        o.WriteLine($"source:    {t.Source}   agent: {t.AgentId}   session: {t.SessionId}   task key: {t.TaskKey}");
        o.WriteLine($"task:      {Shorten(t.Task, 200)}");
        o.WriteLine($"outcome:   status {t.Outcome.Status.ToString().ToLowerInvariant()}" +
            (t.Outcome.Reward is { } r ? $", reward {r.ToString("0.##", CultureInfo.InvariantCulture)}" : "") +
            (t.Outcome.GoalsMet is { } g ? $", goals met {g}" : "") +
            (t.Outcome.Feedback.Count > 0 ? $", {t.Outcome.Feedback.Count} feedback" : ""));
        o.WriteLine($"verdict:   {(row.IsAccepted ? "accepted" : "not accepted")}, score {v.Score.ToString("0.00", CultureInfo.InvariantCulture)}, policy {v.PolicyVersion}" +
            (v.Reasons.Count > 0 ? $", reasons: {string.Join(", ", v.Reasons)}" : ""));
        if (v.Basis is not null || v.ClusterId is not null)
        {
            o.WriteLine($"judged:    {(v.Basis == "inferred" ? "from the run itself (no outcome reported)" : v.Basis == "reported" ? "from the reported outcome" : v.Basis)}" +
                (v.ClusterId is null ? "" : $"; task cluster {v.ClusterId}") +
                (v.NearDuplicateOf is null ? "" : $"; near-duplicate of {v.NearDuplicateOf}"));
        }

        if (v.Override is { } ov)
        {
            o.WriteLine($"override:  {(ov.Accepted ? "accept" : "reject")} by {ov.Actor} at {ov.At:u}: {ov.Reason}");
        }

        if (v.Signals.Count > 0)
        {
            var table = new Table().AddColumns("signal", "scope", "contribution", "rejects", "turns", "detail");
            foreach (var s in v.Signals)
            {
                table.AddRow(Markup.Escape(s.Code), s.Scope, s.Contribution.ToString("+0.00;-0.00;0", CultureInfo.InvariantCulture),
                    s.Rejects ? "yes" : "", s.Turns is null ? "" : string.Join(",", s.Turns), Markup.Escape(s.Detail ?? ""));
            }

            ctx.Console.Write(table);
        }

        if (row.Redaction.Total > 0)
        {
            o.WriteLine("redacted:  " + string.Join(", ", row.Redaction.Counts.Select(kv => $"{kv.Key} {kv.Value}")));
        }

        o.WriteLine();
        var turn = 0;
        foreach (var m in t.Messages)
        {
            var weight = "";
            if (m.Role == Role.Assistant)
            {
                weight = turn < v.TurnWeights.Count ? $" [turn {turn}, weight {v.TurnWeights[turn]}]" : $" [turn {turn}]";
                turn++;
            }

            o.WriteLine($"--- {m.Role.ToString().ToLowerInvariant()}{(m.Name is null ? "" : " " + m.Name)}{weight}");
            if (m.Reasoning is not null)
            {
                o.WriteLine("(reasoning) " + m.Reasoning);
            }

            if (!string.IsNullOrEmpty(m.Content))
            {
                o.WriteLine(m.Content);
            }

            foreach (var c in m.ToolCalls ?? [])
            {
                o.WriteLine($"-> call {c.Name}({c.ArgumentsText()}) id={c.Id}");
            }
        }
    }

    internal static string Shorten(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= max ? flat : flat[..(max - 1)] + "…";
    }
}

/// <summary>One row of <c>trajectories list --json</c>.</summary>
internal sealed record TrajectoryListItem
{
    public required string Id { get; init; }

    public required bool Accepted { get; init; }

    public required double Score { get; init; }

    public required IReadOnlyList<string> Reasons { get; init; }

    public string? Model { get; init; }

    public string? TaskKey { get; init; }

    public string? Task { get; init; }

    public int Messages { get; init; }

    public int ToolCalls { get; init; }

    public string? NearDuplicateOf { get; init; }

    public string? ClusterId { get; init; }

    public Quality.HumanOverride? Override { get; init; }

    public DateTimeOffset IngestedAt { get; init; }

    public static TrajectoryListItem From(StoredTrajectory s) => new()
    {
        Id = s.Id,
        Accepted = s.IsAccepted,
        Score = s.Verdict.Score,
        Reasons = s.Verdict.Reasons,
        Model = s.Trajectory.Model?.Name,
        TaskKey = s.Trajectory.TaskKey,
        Task = TrajectoriesCommand.Shorten(s.Trajectory.Task, 120),
        Messages = s.Trajectory.Messages.Count,
        ToolCalls = s.Trajectory.Messages.Sum(m => m.ToolCalls?.Count ?? 0),
        NearDuplicateOf = s.Verdict.NearDuplicateOf,
        ClusterId = s.Verdict.ClusterId,
        Override = s.Verdict.Override,
        IngestedAt = s.IngestedAt,
    };
}
