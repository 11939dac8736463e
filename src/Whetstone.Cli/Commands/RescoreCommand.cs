using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Whetstone.Quality;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone trajectories rescore</c>: re-scores every stored run with the current quality policy
/// and recomputes the set-level rules (task clusters, near-duplicates, inefficient paths, answer consensus).
/// Human overrides are kept.</summary>
internal static class RescoreCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("rescore", "Re-score every stored run with the current quality policy (and the set-level rules)");
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var summary = await RunAsync(ctx, ct);
            if (ctx.Json)
            {
                ctx.WriteJson(summary, CliJsonContext.Output.RescoreSummary);
            }
            else
            {
                Print(ctx, summary);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static async Task<RescoreSummary> RunAsync(CliContext ctx, CancellationToken ct)
    {
        var services = ctx.Services;
        if (!ctx.ShowProgress)
        {
            return (await services.RefreshQualityAsync(null, ct, force: true))!;
        }

        return await ctx.Console.Progress().StartAsync(async progress =>
        {
            var read = progress.AddTask("score runs", maxValue: 1);
            ProgressTask? embed = null;
            var write = progress.AddTask("write verdicts", maxValue: 1);
            return (await services.RefreshQualityAsync(new Progress<RescoreProgress>(p =>
            {
                var task = p.Pass switch
                {
                    1 => read,
                    3 => embed ??= progress.AddTaskBefore("embed tasks (semantic clusters)", new ProgressTaskSettings { MaxValue = 1 }, write),
                    _ => write,
                };
                task.MaxValue = Math.Max(1, p.Total);
                task.Value = p.Done;
            }), ct, force: true))!;
        });
    }

    public static void Print(CliContext ctx, RescoreSummary s)
    {
        ctx.Out.WriteLine($"rescored {s.Total} runs with policy {s.PolicyVersion}: {s.Accepted} accepted, {s.Rejected} not accepted " +
            $"({s.Changed} changed); {s.Clusters} task clusters, {s.NearDuplicates} near-duplicates, {s.Overridden} human overrides");
        if (s.SemanticTasks is { } tasks)
        {
            ctx.Out.WriteLine($"semantic clustering: {tasks} distinct tasks embedded, {s.SemanticallyJoined} joined another task's cluster by meaning; " +
                $"largest group {s.LargestSemanticGroup} tasks");
            if (s.LargestSemanticGroup > Math.Max(10, tasks / 20))
            {
                ctx.Error.WriteLine($"warning: one group holds {s.LargestSemanticGroup} of {tasks} tasks; splits keep a cluster on one side, so raise " +
                    "Whetstone:Quality:SemanticClusterThreshold");
            }
        }

        if (s.ByReason.Count == 0)
        {
            return;
        }

        var table = new Table().AddColumns("reason", "runs");
        foreach (var (reason, count) in s.ByReason.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(reason), count.ToString(CultureInfo.InvariantCulture));
        }

        ctx.Console.Write(table);
    }
}
