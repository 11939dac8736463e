using System.CommandLine;
using Spectre.Console;
using Whetstone.Artifacts;
using Whetstone.Evaluation;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone eval CANDIDATE …</c> and <c>whetstone eval cases</c>.</summary>
internal static class EvalCommand
{
    public static Command Create(CliEnvironment env)
    {
        var candidate = new Argument<string>("candidate") { Description = "Candidate id" };
        var snapshot = new Option<string?>("--snapshot") { Description = "Snapshot whose eval split is used (default: the evaluation snapshot)" };
        var baseline = new Option<string>("--baseline") { Description = "live (default) or a candidate id", DefaultValueFactory = _ => "live" };
        var limit = new Option<int?>("--limit") { Description = "At most N cases (replay) or tasks (shadow)" };
        var concurrency = new Option<int?>("--concurrency") { Description = "Model requests in flight (default Whetstone:Evaluation:Concurrency)" };
        var mode = new Option<string?>("--mode") { Description = "replay or shadow (default: replay when both models have a client, else shadow)" };
        mode.AcceptOnlyFromAmong("replay", "shadow");
        var actor = CommonOptions.As();
        var command = new Command("eval", "Evaluate a candidate against the live model on held-out runs; exit 0 if the gate passes, 1 if not")
        {
            candidate, snapshot, baseline, limit, concurrency, mode, actor,
        };
        command.Subcommands.Add(Cases(env));
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var request = new EvaluationRequest
            {
                CandidateId = parse.GetValue(candidate)!,
                SnapshotId = parse.GetValue(snapshot),
                Baseline = parse.GetValue(baseline)!,
                Limit = parse.GetValue(limit),
                Concurrency = parse.GetValue(concurrency),
                Mode = parse.GetValue(mode),
                Actor = parse.GetValue(actor),
            };
            var (report, _) = await RunAsync(ctx, request, ct);
            if (ctx.Json)
            {
                await ctx.Out.WriteLineAsync(report.ToJson());
            }
            else
            {
                foreach (var line in report.SummaryLines())
                {
                    ctx.Out.WriteLine(line);
                }

                ctx.Out.WriteLine($"report: {ctx.Services.Artifacts.PathOf(ArtifactWriter.EvalReport)} and {Path.ChangeExtension(ctx.Services.Artifacts.PathOf(ArtifactWriter.EvalReport), ".html")}");
            }

            return report.Decision.Passed ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>Runs, stores and writes the report (JSON + HTML, in <c>&lt;home&gt;/evals/</c> and as the artifact).</summary>
    public static async Task<(EvaluationReport Report, string HtmlPath)> RunAsync(CliContext ctx, EvaluationRequest request, CancellationToken ct)
    {
        EvaluationReport report;
        if (ctx.ShowProgress)
        {
            report = await ctx.Console.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask("evaluating", maxValue: 100);
                var counter = new Progress<int>(n => task.Increment(0.01 * n));
                return (await ctx.Services.Evaluation.RunAsync(request with { Progress = counter }, ct)).Report;
            });
        }
        else
        {
            report = (await ctx.Services.Evaluation.RunAsync(request, ct)).Report;
        }

        var htmlPath = ctx.Services.Artifacts.WriteEvalReport(report);
        await ctx.Services.Artifacts.WriteCandidatesAsync(ct);
        return (report, htmlPath);
    }

    private static Command Cases(CliEnvironment env)
    {
        var snapshot = new Option<string?>("--snapshot") { Description = "Snapshot (default: the evaluation snapshot)" };
        var limit = new Option<int?>("--limit") { Description = "At most N cases" };
        var reference = new Option<bool>("--with-reference") { Description = "Include each case's reference answer" };
        var command = new Command("cases", "List the step-replay cases (prefix messages and tools) of the eval split, for batch jobs that answer them in a replay: file")
        {
            snapshot, limit, reference,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var cases = await ctx.Services.Evaluation.CasesAsync(parse.GetValue(snapshot), parse.GetValue(limit), ct);
            if (ctx.Json)
            {
                await ctx.Out.WriteLineAsync(EvalCases.ToJson(cases, parse.GetValue(reference)));
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("case_id", "trajectory", "turn", "reference");
            foreach (var c in cases)
            {
                table.AddRow(Markup.Escape(c.CaseId), Markup.Escape(c.TrajectoryId), c.TurnIndex.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    c.ReferenceIsToolCall ? "tool call " + Markup.Escape(c.Reference.ToolCalls![0].Name) : "answer");
            }

            ctx.Console.Write(table);
            ctx.Out.WriteLine($"{cases.Count} cases");
            return ExitCodes.Ok;
        });
        return command;
    }
}
