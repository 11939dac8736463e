using Microsoft.Extensions.Configuration;
using Whetstone.Configuration;
using Whetstone.Evaluation;

namespace Whetstone.Tests.Evaluation;

public sealed class GateTests
{
    private static Dictionary<string, MetricComparison> Replay(int n = 120, double low = 0.05, double high = 0.2, double errorRate = 0.0,
        double invalidCand = 0.01, double invalidBase = 0.01) => new()
    {
        [MetricCatalog.ActionScore] = new MetricComparison { Candidate = 0.8, Baseline = 0.68, Difference = 0.12, Ci95 = [low, high], PValue = 0.001, N = n, HigherIsBetter = true },
        [MetricCatalog.ErrorRate] = new MetricComparison { Candidate = errorRate, Baseline = 0, Difference = errorRate, Ci95 = [0, errorRate], N = n },
        [MetricCatalog.InvalidCallRate] = new MetricComparison { Candidate = invalidCand, Baseline = invalidBase, Difference = invalidCand - invalidBase, Ci95 = [0, 0], N = n },
    };

    private static GateReason Reason(GateDecision d, string code) => Assert.Single(d.Reasons, r => r.Code == code);

    [Fact]
    public void Decide_ConfidentWinWithEnoughCases_PassesAndListsEveryCheck()
    {
        var d = Gate.Decide(new EvaluationOptions(), EvaluationModes.Replay, Replay());

        Assert.True(d.Passed);
        Assert.Equal(["min_cases", "primary_ci_lower_bound", "candidate_error_rate", "guard_error_rate", "guard_invalid_call_rate"],
            d.Reasons.Select(r => r.Code));
        Assert.All(d.Reasons, r => Assert.True(r.Passed));
        Assert.Empty(d.Failed);
    }

    [Fact]
    public void Decide_TooFewCases_FailsMinCases()
    {
        var d = Gate.Decide(new EvaluationOptions(), EvaluationModes.Replay, Replay(n: 49));
        Assert.False(d.Passed);
        Assert.False(Reason(d, Gate.MinCases).Passed);
        Assert.Equal(["min_cases"], d.Failed);
    }

    [Fact]
    public void Decide_IntervalTouchingZero_FailsSuperiority_PassesWithNonInferiorityMargin()
    {
        var perMetric = Replay(low: -0.01);
        Assert.False(Reason(Gate.Decide(new EvaluationOptions(), EvaluationModes.Replay, perMetric), Gate.PrimaryCiLowerBound).Passed);
        Assert.False(Reason(Gate.Decide(new EvaluationOptions(), EvaluationModes.Replay, Replay(low: 0)), Gate.PrimaryCiLowerBound).Passed);

        var nonInferior = Gate.Decide(new EvaluationOptions { NonInferiorityMargin = 0.02 }, EvaluationModes.Replay, perMetric);
        Assert.True(nonInferior.Passed);
        Assert.Equal(-0.02, Reason(nonInferior, Gate.PrimaryCiLowerBound).Threshold);
    }

    [Fact]
    public void Decide_CandidateErrorRateAboveTwoPercent_Fails()
    {
        var d = Gate.Decide(new EvaluationOptions(), EvaluationModes.Replay, Replay(errorRate: 0.03));
        Assert.False(Reason(d, Gate.CandidateErrorRate).Passed);
        Assert.False(Reason(d, "guard_error_rate").Passed);
        Assert.Contains("3%", Reason(d, Gate.CandidateErrorRate).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_GuardRegressionBeyondMargin_Fails_WithinMargin_Passes()
    {
        Assert.False(Reason(Gate.Decide(new EvaluationOptions(), EvaluationModes.Replay, Replay(invalidCand: 0.10, invalidBase: 0.05)), "guard_invalid_call_rate").Passed);
        Assert.True(Reason(Gate.Decide(new EvaluationOptions(), EvaluationModes.Replay, Replay(invalidCand: 0.06, invalidBase: 0.05)), "guard_invalid_call_rate").Passed);
        var loose = new EvaluationOptions();
        loose.Guards[MetricCatalog.InvalidCallRate] = 0.1;
        Assert.True(Reason(Gate.Decide(loose, EvaluationModes.Replay, Replay(invalidCand: 0.10, invalidBase: 0.05)), "guard_invalid_call_rate").Passed);
    }

    [Fact]
    public void Decide_MaxPValueConfigured_AddsPValueCheck()
    {
        var d = Gate.Decide(new EvaluationOptions { MaxPValue = 0.0001 }, EvaluationModes.Replay, Replay());
        Assert.False(Reason(d, Gate.PrimaryPValue).Passed);
        Assert.True(Reason(Gate.Decide(new EvaluationOptions { MaxPValue = 0.05 }, EvaluationModes.Replay, Replay()), Gate.PrimaryPValue).Passed);
    }

    [Fact]
    public void Decide_ShadowMode_UsesSuccessRateAndShadowGuardsOnly()
    {
        var perMetric = new Dictionary<string, MetricComparison>
        {
            [MetricCatalog.SuccessRate] = new() { Candidate = 0.43, Baseline = 0.27, Difference = 0.16, Ci95 = [0.08, 0.24], N = 93, HigherIsBetter = true },
            [MetricCatalog.ToolErrorRate] = new() { Candidate = 0, Baseline = 0, Difference = 0, Ci95 = [0, 0], N = 93 },
        };
        var d = Gate.Decide(new EvaluationOptions(), EvaluationModes.Shadow, perMetric);
        Assert.True(d.Passed);
        Assert.Equal(["min_cases", "primary_ci_lower_bound", "guard_tool_error_rate"], d.Reasons.Select(r => r.Code));
        Assert.Contains("93 paired tasks", d.Reasons[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NoPairedCases_FailsWithoutInterval()
    {
        var d = Gate.Decide(new EvaluationOptions(), EvaluationModes.Replay, new Dictionary<string, MetricComparison>());
        Assert.False(d.Passed);
        Assert.Contains("no interval", Reason(d, Gate.PrimaryCiLowerBound).Detail, StringComparison.Ordinal);
        Assert.False(Reason(d, Gate.CandidateErrorRate).Passed);
    }

    [Fact]
    public void Validate_BadPolicy_NamesEveryKey()
    {
        var o = new EvaluationOptions
        {
            MinCases = 0,
            ReplayPrimaryMetric = "latency_p50_ms",
            ShadowPrimaryMetric = "argument_match",
            NonInferiorityMargin = -0.1,
            MaxErrorRate = 2,
            BootstrapResamples = 500,
            Concurrency = 0,
            TimeoutSeconds = 0,
        };
        o.Guards["bogus_metric"] = 0.1;
        var problems = o.Validate();

        foreach (var key in new[] { "MinCases", "ReplayPrimaryMetric", "ShadowPrimaryMetric", "NonInferiorityMargin", "MaxErrorRate", "BootstrapResamples", "Concurrency", "TimeoutSeconds", "Guards:bogus_metric" })
        {
            Assert.Contains(problems, p => p.StartsWith("Whetstone:Evaluation:" + key, StringComparison.Ordinal));
        }

        var e = Assert.Throws<WhetstoneException>(o.ThrowIfInvalid);
        Assert.Equal(ErrorCode.InvalidConfiguration, e.Code);
    }

    [Fact]
    public void Validate_Defaults_AreValid_AndBoundFromConfiguration()
    {
        Assert.Empty(new EvaluationOptions().Validate());
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Whetstone:Evaluation:MinCases"] = "80",
            ["Whetstone:Evaluation:NonInferiorityMargin"] = "0.01",
            ["Whetstone:Evaluation:Guards:invalid_call_rate"] = "0.05",
        }).Build();
        var options = ConfigurationLoader.Bind(config);
        Assert.Equal(80, options.Evaluation.MinCases);
        Assert.Equal(0.01, options.Evaluation.NonInferiorityMargin);
        Assert.Equal(0.05, options.Evaluation.Guards[MetricCatalog.InvalidCallRate]);
        Assert.Equal(0.02, options.Evaluation.Guards[MetricCatalog.ErrorRate]);
    }
}
