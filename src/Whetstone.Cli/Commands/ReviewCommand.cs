using System.CommandLine;
using Whetstone.Quality;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone review accept|reject ID --reason TEXT --as NAME</c>: a reviewer's decision on one run.
/// It wins over the rules, survives rescoring and is listed by <c>trajectories list</c> (<c>override</c>).</summary>
internal static class ReviewCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("review", "Record a reviewer's decision on a run (wins over the quality rules)");
        command.Subcommands.Add(Decision(env, accept: true));
        command.Subcommands.Add(Decision(env, accept: false));
        return command;
    }

    private static Command Decision(CliEnvironment env, bool accept)
    {
        var id = new Argument<string>("id") { Description = "Trajectory id" };
        var reason = new Option<string>("--reason") { Description = "Why (kept with the decision)", Required = true };
        var actor = new Option<string>("--as") { Description = "Who decides", Required = true };
        var command = new Command(accept ? "accept" : "reject",
            accept ? "Accept a run for training whatever the rules say" : "Reject a run whatever the rules say") { id, reason, actor };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var stored = await ctx.Services.ReviewAsync(parse.GetValue(id)!, accept,
                parse.GetValue(reason)!, parse.GetValue(actor)!, ct);
            if (ctx.Json)
            {
                ctx.WriteJson(TrajectoryListItem.From(stored), CliJsonContext.Output.TrajectoryListItem);
            }
            else
            {
                var o = stored.Verdict.Override!;
                ctx.Out.WriteLine($"{stored.Id}: {(o.Accepted ? "accepted" : "rejected")} by {o.Actor} ({o.Reason}); " +
                    $"the rules said {(stored.Verdict.Accepted ? "accept" : "reject: " + string.Join(", ", stored.Verdict.Reasons))}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
