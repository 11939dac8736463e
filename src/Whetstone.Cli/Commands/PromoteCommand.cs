using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Whetstone.Registry;
using Whetstone.Registry.LiveConfig;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone promote request|approve|history</c> and <c>whetstone rollback</c>.</summary>
internal static class PromoteCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("promote", "Promote a candidate: a request backed by a passing evaluation, then an admin's approval");
        command.Subcommands.Add(Request(env));
        command.Subcommands.Add(Approve(env));
        command.Subcommands.Add(History(env));
        return command;
    }

    private static Command Request(CliEnvironment env)
    {
        var candidate = new Argument<string>("candidate") { Description = "Candidate id" };
        var actor = CommonOptions.As(required: true);
        var command = new Command("request", "Ask to make a candidate live (needs its passing evaluation against the current live model)") { candidate, actor };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var request = await ctx.Services.Promotion.RequestAsync(parse.GetValue(candidate)!, parse.GetValue(actor)!.Trim(), ct);
            await ctx.Services.Artifacts.WritePromotionAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(request, CliJsonContext.Output.PromotionRequest);
            }
            else
            {
                ctx.Out.WriteLine($"request {request.Id}: promote {request.CandidateId} over {request.BaselineId} (evaluation {request.EvaluationId} on {request.SnapshotId})");
                ctx.Out.WriteLine($"approve with: whetstone promote approve {request.Id} --as ADMIN");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Approve(CliEnvironment env)
    {
        var request = new Argument<string>("request") { Description = "Request id (req-N)" };
        var actor = CommonOptions.As(required: true);
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would change in the live config without changing anything" };
        var command = new Command("approve", "Approve a promotion request (admin only): writes the live config and moves live/previous") { request, actor, dryRun };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var result = await ctx.Services.Promotion.ApproveAsync(parse.GetValue(request)!, parse.GetValue(actor)!.Trim(), parse.GetValue(dryRun), ct);
            return await ReportAsync(ctx, result, ct);
        });
        return command;
    }

    public static Command Rollback(CliEnvironment env)
    {
        var to = new Option<string?>("--to") { Description = "Return to the state right after this earlier promotion (prom-N)" };
        var actor = CommonOptions.As(required: true);
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would change without changing anything" };
        var command = new Command("rollback", "Undo the latest promotion or rollback, or return to an earlier promotion (admin only)") { to, actor, dryRun };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var result = await ctx.Services.Promotion.RollbackAsync(parse.GetValue(actor)!.Trim(), parse.GetValue(to), parse.GetValue(dryRun), ct);
            return await ReportAsync(ctx, result, ct);
        });
        return command;
    }

    private static async Task<int> ReportAsync(CliContext ctx, LiveChangeResult result, CancellationToken ct)
    {
        if (!result.DryRun)
        {
            await ctx.Services.Artifacts.WritePromotionAsync(ct);
            await ctx.Services.Artifacts.WriteCandidatesAsync(ct);
        }

        if (ctx.Json)
        {
            ctx.WriteJson(new ChangeReport(result.Change, result.Candidate, result.DryRun), CliJsonContext.Output.ChangeReport);
            return ExitCodes.Ok;
        }

        var c = result.Change;
        var verb = c.Kind == ChangeKind.Promotion ? "promotion" : "rollback";
        ctx.Out.WriteLine(result.DryRun
            ? $"dry run: the {verb} would make {c.CandidateAfter} ({result.Candidate.Model}) live, replacing {c.CandidateBefore}"
            : $"{c.Id}: {c.CandidateAfter} ({result.Candidate.Model}) is live; previous is {c.PreviousAfter}");
        if (c.ConfigPath is null)
        {
            ctx.Out.WriteLine("no live config file is configured (Whetstone:LiveConfig:Path): only the aliases move");
        }
        else if (result.Edits.Count == 0)
        {
            ctx.Out.WriteLine($"{c.ConfigPath}: already as it should be");
        }
        else
        {
            ctx.Out.WriteLine($"{c.ConfigPath}:");
            foreach (var line in LiveConfigFile.Diff(result.Edits))
            {
                ctx.Out.WriteLine("  " + line);
            }
        }

        return ExitCodes.Ok;
    }

    private static Command History(CliEnvironment env)
    {
        var command = new Command("history", "Promotions and rollbacks, oldest first");
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var history = await ctx.Services.Store.Registry.ListChangesAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(history.ToList(), CliJsonContext.Output.ListLiveChange);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("id", "kind", "state", "from", "to", "by", "at", "keys changed");
            foreach (var c in history)
            {
                table.AddRow(c.Id, c.Kind.ToString().ToLowerInvariant(), c.State.ToString().ToLowerInvariant(), c.CandidateBefore ?? "", c.CandidateAfter,
                    Markup.Escape(c.Actor), c.At.ToString("u", CultureInfo.InvariantCulture),
                    string.Join(", ", c.Changes.Where(x => x.Before != x.After).Select(x => x.Key)));
            }

            ctx.Console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}

internal sealed record ChangeReport(LiveChange Change, Candidate Candidate, bool DryRun)
{
    public string Id => Change.Id;

    public IReadOnlyList<ConfigChange> Edits => Change.Changes.Where(c => c.Before != c.After).ToList();
}
