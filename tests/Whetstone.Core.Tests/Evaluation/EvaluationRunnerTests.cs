using System.Text.Json;
using Whetstone.Configuration;
using Whetstone.Evaluation;
using Whetstone.Trajectories;

namespace Whetstone.Tests.Evaluation;

public sealed class EvaluationRunnerTests
{
    private static readonly ReplayRunOptions Run = new()
    {
        Candidate = new ModelRef { Id = "cand-1", Model = "ft-v2", Client = "openai:http://127.0.0.1:9/v1" },
        Baseline = new ModelRef { Id = "live-1", Model = "base", Client = "replay:base.jsonl" },
        Snapshot = "snap-1",
        ReportId = "ev-test",
    };

    private static (IReadOnlyList<EvalCase> Cases, ScriptedClient Oracle) OracleSetup(int runs)
    {
        var cases = EvalCases.FromTrajectories(EvalData.Runs(runs));
        var refs = EvalData.References(cases);
        return (cases, new ScriptedClient(r => ModelResult.Ok(refs[r.CaseId], new TokenUsage(20, 4))));
    }

    /// <summary>Wrong argument on every third tool step; a different answer on every other answer step.</summary>
    private static ScriptedClient Weak(IReadOnlyList<EvalCase> cases)
    {
        var refs = EvalData.References(cases);
        return new ScriptedClient(r =>
        {
            var i = int.Parse(r.CaseId[4..7], System.Globalization.CultureInfo.InvariantCulture);
            var reference = refs[r.CaseId];
            if (reference.HasToolCalls)
            {
                return i % 3 == 0 ? EvalData.Call("lookup_order", """{"order_id":"999"}""") : ModelResult.Ok(reference);
            }

            return i % 2 == 0 ? EvalData.Text("No idea, sorry.") : ModelResult.Ok(reference);
        });
    }

    [Fact]
    public async Task RunAsync_OracleCandidateVsWeakerBaseline_ScoresAndPassesGate()
    {
        var (cases, oracle) = OracleSetup(60);
        var runner = new EvaluationRunner(new EvaluationOptions(), TimeProvider.System, new LetterEmbedder());

        var report = await runner.RunAsync(cases, oracle, Weak(cases), Run, TestContext.Current.CancellationToken);

        Assert.Equal("ev-test", report.Id);
        Assert.Equal("replay", report.Mode);
        Assert.Equal(120, report.Counts.Cases);
        Assert.Equal(1.0, report.Metrics.Candidate[MetricCatalog.ToolNameAccuracy]);
        Assert.Equal(1.0, report.Metrics.Candidate[MetricCatalog.ArgumentMatch]);
        Assert.Equal(1.0, report.Metrics.Candidate[MetricCatalog.AnswerSimilarity]);
        Assert.Equal(1.0, report.Metrics.Baseline[MetricCatalog.ToolNameAccuracy]);
        Assert.Equal(40.0 / 60, report.Metrics.Baseline[MetricCatalog.ArgumentMatch]!.Value, 5);
        Assert.Equal(0.0, report.Metrics.Candidate[MetricCatalog.ErrorRate]);
        Assert.Equal(24, report.Metrics.Candidate[MetricCatalog.MeanTokens]);
        Assert.NotNull(report.Metrics.Candidate[MetricCatalog.LatencyP95Ms]);
        Assert.Equal(MetricCatalog.ActionScore, report.Comparison.PrimaryMetric);
        Assert.True(report.Comparison.Difference > 0);
        Assert.True(report.Comparison.Ci95![0] > 0);
        Assert.True(report.Comparison.PValue < 0.001);
        Assert.Equal(0, report.Comparison.Losses);
        Assert.True(report.Decision.Passed, string.Join("; ", report.Decision.Reasons.Select(r => r.Detail)));
        Assert.Equal(AnswerSimilarity.EmbeddingCosine, report.SimilarityMethod);
        Assert.Contains(report.Breakdown!, b => b.Tool == "lookup_order" && b.Cases == 60);
    }

    [Fact]
    public async Task RunAsync_SameInputs_SameStatistics()
    {
        var (cases, oracle) = OracleSetup(30);
        var runner = new EvaluationRunner(new EvaluationOptions());
        var a = await runner.RunAsync(cases, oracle, Weak(cases), Run, TestContext.Current.CancellationToken);
        var b = await runner.RunAsync(cases, oracle, Weak(cases), Run, TestContext.Current.CancellationToken);
        Assert.Equal(a.Comparison.Ci95, b.Comparison.Ci95);
        Assert.Equal(a.Comparison.PValue, b.Comparison.PValue);
        Assert.Equal(AnswerSimilarity.TokenF1, a.SimilarityMethod);
    }

    [Fact]
    public async Task RunAsync_ErrorsAndThrowingClient_AreThatItemsErrors_NeverAnsweredByAnotherModel()
    {
        var (cases, oracle) = OracleSetup(10);
        var refs = EvalData.References(cases);
        var flaky = new ScriptedClient(r => r.CaseId switch
        {
            "run-000#0" => ModelResult.Failed("http_503", "HTTP 503 after 4 attempts", 4),
            "run-001#0" => throw new InvalidOperationException("bug in a client"),
            _ => ModelResult.Ok(refs[r.CaseId]),
        });
        var report = await new EvaluationRunner(new EvaluationOptions()).RunAsync(cases, flaky, oracle, Run, TestContext.Current.CancellationToken);

        var failed = report.Cases.Single(c => c.CaseId == "run-000#0");
        Assert.Equal("http_503", failed.Candidate.ErrorCode);
        Assert.Equal(4, failed.Candidate.Attempts);
        Assert.False(failed.Scores.NameMatch);
        Assert.Equal(0, failed.Scores.ActionScore);
        Assert.Null(failed.Candidate.Name);
        Assert.Equal("client_exception", report.Cases.Single(c => c.CaseId == "run-001#0").Candidate.ErrorCode);
        Assert.Equal(0.1, report.Metrics.Candidate[MetricCatalog.ErrorRate]);
        Assert.Equal(2, report.Counts.CandidateErrors);
        Assert.False(report.Decision.Reasons.Single(r => r.Code == Gate.CandidateErrorRate).Passed);
        Assert.False(report.Decision.Passed);
    }

    [Fact]
    public async Task RunAsync_InvalidCallsAndCallDecisions_AreScored()
    {
        var (cases, oracle) = OracleSetup(4);
        var sloppy = new ScriptedClient(r => r.CaseId.EndsWith("#0", StringComparison.Ordinal)
            ? EvalData.Call("delete_everything", "{}")
            : EvalData.Call("lookup_order", """{"order_id":"1"}"""));
        var report = await new EvaluationRunner(new EvaluationOptions()).RunAsync(cases, sloppy, oracle, Run, TestContext.Current.CancellationToken);

        var toolStep = report.Cases.First(c => c.CaseId == "run-000#0");
        Assert.Equal("unknown_tool", toolStep.Scores.InvalidCall);
        Assert.False(toolStep.Scores.NameMatch);
        Assert.True(toolStep.Scores.CallMatch);
        var answerStep = report.Cases.First(c => c.CaseId == "run-000#1");
        Assert.False(answerStep.Scores.CallMatch);
        Assert.Equal(0, answerStep.Scores.Similarity);
        Assert.Equal(0.5, report.Metrics.Candidate[MetricCatalog.InvalidCallRate]);
        Assert.Equal(0.5, report.Metrics.Candidate[MetricCatalog.CallDecisionAccuracy]);
        Assert.Equal(1.0, report.Metrics.Baseline[MetricCatalog.CallDecisionAccuracy]);
    }

    [Fact]
    public async Task RunAsync_Concurrency_IsBounded()
    {
        var (cases, oracle) = OracleSetup(50);
        var other = new ScriptedClient(r => ModelResult.Ok(EvalData.References(cases)[r.CaseId]));
        await new EvaluationRunner(new EvaluationOptions()).RunAsync(cases, oracle, other, Run with { Concurrency = 3 }, TestContext.Current.CancellationToken);
        Assert.Equal(100, oracle.Calls);
        Assert.InRange(oracle.MaxInFlight + other.MaxInFlight, 2, 6);
        Assert.InRange(oracle.MaxInFlight, 1, 3);
    }

    [Fact]
    public async Task RunAsync_DuplicateCaseIds_AreBadInput()
    {
        var (cases, oracle) = OracleSetup(1);
        var e = await Assert.ThrowsAsync<WhetstoneException>(() =>
            new EvaluationRunner(new EvaluationOptions()).RunAsync([cases[0], cases[0]], oracle, oracle, Run, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.BadInput, e.Code);
    }

    [Fact]
    public async Task ToJson_HasTheDocumentedKeys_AndRoundTrips()
    {
        var (cases, oracle) = OracleSetup(3);
        var report = await new EvaluationRunner(new EvaluationOptions()).RunAsync(cases, oracle, Weak(cases), Run, TestContext.Current.CancellationToken);
        var json = report.ToJson();
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;

        foreach (var key in new[] { "id", "mode", "candidate", "baseline", "snapshot", "metrics", "comparison", "decision", "cases" })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }

        foreach (var side in new[] { "candidate", "baseline" })
        {
            var m = root.GetProperty("metrics").GetProperty(side);
            foreach (var key in new[] { "tool_name_accuracy", "argument_match", "call_decision_accuracy", "answer_similarity", "invalid_call_rate", "error_rate", "latency_p50_ms", "latency_p95_ms" })
            {
                Assert.True(m.TryGetProperty(key, out _), $"{side}.{key}");
            }
        }

        var comparison = root.GetProperty("comparison");
        Assert.Equal("action_score", comparison.GetProperty("primary_metric").GetString());
        Assert.Equal(JsonValueKind.Number, comparison.GetProperty("difference").ValueKind);
        Assert.Equal(2, comparison.GetProperty("ci95").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, comparison.GetProperty("p_value").ValueKind);
        Assert.True(root.GetProperty("decision").TryGetProperty("passed", out _));
        Assert.NotEmpty(root.GetProperty("decision").GetProperty("reasons").EnumerateArray());

        var c = root.GetProperty("cases")[0];
        foreach (var key in new[] { "case_id", "trajectory_id", "turn_index", "reference", "candidate", "baseline", "scores" })
        {
            Assert.True(c.TryGetProperty(key, out _), key);
        }

        var reference = c.GetProperty("reference");
        Assert.Equal("tool_call", reference.GetProperty("kind").GetString());
        Assert.Equal("lookup_order", reference.GetProperty("name").GetString());
        Assert.Equal("0", reference.GetProperty("arguments").GetProperty("order_id").GetString());
        Assert.Equal(1, reference.GetProperty("calls").GetArrayLength());
        Assert.True(reference.TryGetProperty("text", out _));
        foreach (var key in new[] { "name", "arguments", "calls", "text", "error" })
        {
            Assert.True(c.GetProperty("candidate").TryGetProperty(key, out _), "candidate." + key);
            Assert.True(c.GetProperty("baseline").TryGetProperty(key, out _), "baseline." + key);
        }

        foreach (var key in new[] { "name_match", "args_match", "similarity" })
        {
            Assert.True(c.GetProperty("scores").TryGetProperty(key, out _), "scores." + key);
        }

        Assert.DoesNotContain("api_key", json, StringComparison.OrdinalIgnoreCase);
        var back = EvaluationReport.FromJson(json);
        Assert.Equal(report.Id, back.Id);
        Assert.Equal(report.Comparison.Ci95, back.Comparison.Ci95);
        Assert.Equal(report.Cases.Count, back.Cases.Count);
        Assert.Equal(report.Decision.Passed, back.Decision.Passed);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws() =>
        Assert.Equal(ErrorCode.InvalidConfiguration,
            Assert.Throws<WhetstoneException>(() => new EvaluationRunner(new EvaluationOptions { BootstrapResamples = 100 })).Code);

    [Fact]
    public void AnswerSimilarity_ExactAfterNormalisation_IsOne_OtherwiseCosineOrF1()
    {
        Assert.Equal("seth macfarlane", AnswerSimilarity.Normalize("  The Seth MacFarlane! "));
        var withEmbedder = new AnswerSimilarity(new LetterEmbedder());
        var scores = withEmbedder.Score([("Seth MacFarlane", "seth macfarlane."), ("Paris", "Prague"), ("Paris", "Rome"), ("x", null)]);
        Assert.Equal(1, scores[0]);
        Assert.Equal(1, scores[1], 6); // same first letter → same vector
        Assert.InRange(scores[2], 0, 0.99);
        Assert.Equal(0, scores[3]);
        var f1 = new AnswerSimilarity(null).Score([("the red car", "a red bike")]);
        Assert.Equal(0.5, f1[0], 6);
    }
}
