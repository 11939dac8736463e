using Whetstone.Configuration;
using Whetstone.Evaluation;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Tests.Evaluation;

public sealed class ShadowComparerTests
{
    private static readonly ShadowRunOptions Run = new()
    {
        Candidate = new ModelRef { Id = "cand", Model = "gpt-3.5-turbo-0613-ft", Client = "none" },
        Baseline = new ModelRef { Id = "live", Model = "llama-2-7b-lora", Client = "none" },
        Snapshot = "snap-1",
    };

    private static StoredTrajectory RunOf(string id, string task, Outcome outcome, bool accepted = true, string answer = "42", bool toolError = false) =>
        Some.Stored(new Trajectory
        {
            Id = id,
            TaskKey = task,
            Outcome = outcome,
            Messages =
            [
                new Message { Role = Role.User, Content = "q" },
                new Message { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = "c", Name = "search", Arguments = Some.Json("""{"q":"x"}""") }] },
                new Message { Role = Role.Tool, ToolCallId = "c", Content = toolError ? "Error: timeout" : "ok" },
                new Message { Role = Role.Assistant, Content = answer },
            ],
        }, accepted);

    [Fact]
    public void OutcomeOf_UsesRewardThenGoalsThenStatusThenVerdict()
    {
        Assert.Equal(("reward", true), Pick(RunOf("a", "t", new Outcome { Reward = 0.7, GoalsMet = false })));
        Assert.Equal(("reward", false), Pick(RunOf("a", "t", new Outcome { Reward = 0.2, GoalsMet = true })));
        Assert.Equal(("goals_met", false), Pick(RunOf("a", "t", new Outcome { GoalsMet = false, Status = OutcomeStatus.Completed })));
        Assert.Equal(("status", true), Pick(RunOf("a", "t", new Outcome { Status = OutcomeStatus.Completed })));
        Assert.Equal(("status", false), Pick(RunOf("a", "t", new Outcome { Status = OutcomeStatus.Failed }, accepted: true)));
        Assert.Equal(("verdict", false), Pick(RunOf("a", "t", Outcome.Unknown, accepted: false)));
        Assert.Equal(("verdict", true), Pick(RunOf("a", "t", Outcome.Unknown, accepted: true)));

        static (string, bool) Pick(StoredTrajectory s)
        {
            var o = ShadowComparer.OutcomeOf(s);
            return (o.SuccessSource, o.Success);
        }
    }

    [Fact]
    public void Compare_PairsByTaskKey_CountsUnpaired_AndScoresPerTask()
    {
        var candidate = new[]
        {
            RunOf("c1", "t1", new Outcome { Reward = 1 }, answer: "Paris"),
            RunOf("c2", "t2", new Outcome { Reward = 1 }, accepted: false, answer: "Rome", toolError: true),
            RunOf("c3", "t3", new Outcome { Reward = 1 }),
        };
        var baseline = new[]
        {
            RunOf("b1", "t1", new Outcome { Reward = 0 }, answer: "paris"),
            RunOf("b2a", "t2", new Outcome { Reward = 1 }, answer: "Oslo"),
            RunOf("b2b", "t2", new Outcome { Reward = 0 }, answer: "Oslo"),
            RunOf("b4", "t4", new Outcome { Reward = 1 }),
        };
        var report = new ShadowComparer(new EvaluationOptions()).Compare(candidate, baseline, Run);

        Assert.Equal("shadow", report.Mode);
        Assert.Equal(["t1", "t2"], report.Cases.Select(c => c.TaskKey));
        Assert.Equal(1, report.Counts.CandidateOnlyTasks);
        Assert.Equal(1, report.Counts.BaselineOnlyTasks);
        Assert.Equal(3, report.Counts.BaselineRuns);
        var t2 = report.Cases[1];
        Assert.Equal(["b2a", "b2b"], t2.Baseline.RunIds);
        Assert.Equal(0.5, t2.BaselineScores.Success);
        Assert.Equal(1.0, t2.Scores.ToolErrorRate);
        Assert.Equal(0.0, t2.Scores.AnswerAgreement);
        Assert.Equal(1.0, report.Cases[0].Scores.AnswerAgreement);
        Assert.Equal(1.0, report.Metrics.Candidate[MetricCatalog.SuccessRate]);
        Assert.Equal(0.25, report.Metrics.Baseline[MetricCatalog.SuccessRate]);
        Assert.Equal(0.5, report.Metrics.Candidate[MetricCatalog.AnswerAgreement]);
        Assert.Equal(2.0, report.Metrics.Candidate[MetricCatalog.MeanSteps]);
        Assert.Equal(0.5, report.Metrics.Candidate[MetricCatalog.AcceptedRate]);
        Assert.False(report.Decision.Passed); // 2 tasks < 50
        Assert.False(report.Decision.Reasons.Single(r => r.Code == Gate.MinCases).Passed);
    }

    [Fact]
    public void Compare_TaskKeyFilter_KeepsOnlyThoseTasks()
    {
        var candidate = new[] { RunOf("c1", "t1", Outcome.Unknown), RunOf("c2", "t2", Outcome.Unknown) };
        var baseline = new[] { RunOf("b1", "t1", Outcome.Unknown), RunOf("b2", "t2", Outcome.Unknown) };
        var report = new ShadowComparer(new EvaluationOptions()).Compare(candidate, baseline, Run with { TaskKeys = new HashSet<string> { "t2" } });
        Assert.Equal(["t2"], report.Cases.Select(c => c.CaseId));
    }

    [Fact]
    public void TaskKeyOf_WithoutKey_HashesNormalisedTask()
    {
        var a = new Trajectory { Id = "a", Task = "Where is  my ORDER?" };
        var b = new Trajectory { Id = "b", Messages = [new Message { Role = Role.User, Content = "where is my order?" }] };
        Assert.StartsWith("task-", ShadowComparer.TaskKeyOf(a), StringComparison.Ordinal);
        Assert.Equal(ShadowComparer.TaskKeyOf(a), ShadowComparer.TaskKeyOf(b));
        Assert.Equal("k", ShadowComparer.TaskKeyOf(a with { TaskKey = "k" }));
    }

    [Fact]
    public void Compare_FireActStrongestVsWeakest_CandidateWinsWithConfidence()
    {
        var runs = TrajectoryFileReader.Read(File.OpenRead(TestPaths.FireAct), "fireact.jsonl").Select(i => Some.Stored(i.Trajectory!)).ToList();
        var candidate = runs.Where(r => r.Trajectory.Model?.Name == "gpt-3.5-turbo-0613-ft");
        var baseline = runs.Where(r => r.Trajectory.Model?.Name == "llama-2-7b-lora");
        var report = new ShadowComparer(new EvaluationOptions(), TimeProvider.System, new LetterEmbedder()).Compare(candidate, baseline, Run);

        Assert.Equal(464, report.Counts.Cases);
        Assert.Equal(200.0 / 464, report.Metrics.Candidate[MetricCatalog.SuccessRate]!.Value, 5);
        Assert.Equal(128.0 / 464, report.Metrics.Baseline[MetricCatalog.SuccessRate]!.Value, 5);
        Assert.Equal("mcnemar_exact", report.Comparison.Test);
        Assert.True(report.Comparison.Ci95![0] > 0, $"CI {report.Comparison.Ci95[0]}..{report.Comparison.Ci95[1]}");
        Assert.True(report.Comparison.PValue < 0.001);
        Assert.True(report.Decision.Passed, string.Join("; ", report.Decision.Reasons.Select(r => r.Detail)));
        Assert.NotNull(report.Metrics.Candidate[MetricCatalog.AnswerAgreement]);

        var summary = report.SummaryLines();
        Assert.Contains("gpt-3.5-turbo-0613-ft vs llama-2-7b-lora on snapshot snap-1, 464 tasks", summary[0], StringComparison.Ordinal);
        Assert.StartsWith("success_rate: candidate 0.431 vs baseline 0.2759, difference +0.1552, 95% CI [+0.1", summary[1], StringComparison.Ordinal);
        Assert.Equal("gate: PASSED", summary[2]);
        Assert.Contains(summary, l => l.StartsWith("  ok   min_cases: 464 paired tasks", StringComparison.Ordinal));
    }
}

public sealed class EvaluationHtmlTests
{
    [Fact]
    public async Task Render_EscapesEveryText_AndIsSelfContained()
    {
        var cases = EvalCases.FromTrajectories(EvalData.Runs(6));
        var evil = new ScriptedClient(_ => EvalData.Text("<script>alert('x')</script> & \"quotes\""));
        var good = new ScriptedClient(r => ModelResult.Ok(cases.Single(c => c.CaseId == r.CaseId).Reference));
        var report = await new EvaluationRunner(new EvaluationOptions()).RunAsync(cases, evil, good, new ReplayRunOptions
        {
            Candidate = new ModelRef { Model = "<img src=x onerror=alert(1)>", Client = "none" },
            Baseline = new ModelRef { Model = "live" },
        }, TestContext.Current.CancellationToken);

        var html = EvaluationHtml.Render(report);

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("class=\"whisker\"", html, StringComparison.Ordinal);
        Assert.Contains("Per tool", html, StringComparison.Ordinal);
        Assert.Contains("NOT PASSED", html, StringComparison.Ordinal);
        Assert.Contains("Worst cases", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ShadowReport_ShowsRunsSideBySide()
    {
        var runs = TrajectoryFileReader.Read(File.OpenRead(TestPaths.FireAct), "fireact.jsonl").Select(i => Some.Stored(i.Trajectory!)).ToList();
        var report = new ShadowComparer(new EvaluationOptions()).Compare(
            runs.Where(r => r.Trajectory.Model?.Name == "gpt-3.5-turbo-0613-ft"),
            runs.Where(r => r.Trajectory.Model?.Name == "llama-2-7b-lora"),
            new ShadowRunOptions { Candidate = new ModelRef { Model = "gpt" }, Baseline = new ModelRef { Model = "llama" } });

        var html = EvaluationHtml.Render(report);

        Assert.Contains("PASSED", html, StringComparison.Ordinal);
        Assert.Contains("success_rate", html, StringComparison.Ordinal);
        Assert.Contains("runs: fireact-", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Per tool", html, StringComparison.Ordinal);
    }
}
