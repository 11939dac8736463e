using Whetstone.Quality;
using Whetstone.Trajectories;
using static Whetstone.Core.Tests.Quality.QualityTestData;

namespace Whetstone.Core.Tests.Quality;

public class QualityScorerTests
{
    [Fact]
    public void Score_FireActSuccessWithAnEmptySearchFirst_AcceptedWithThatTurnWeightedZero()
    {
        var t = FireAct("fireact-gpt-3.5-turbo-0613-ft-2401");

        var v = Scorer().Score(t);

        Assert.True(v.Accepted);
        Assert.Equal("reported", v.Basis);
        Assert.Equal([0, 0, 1, 1, 1], v.TurnWeights);
        Assert.Contains(v.Signals, s => s.Code == QualityCodes.DeadEnd && s.Detour);
        Assert.Equal(t.Messages.Count(m => m.Role == Role.Assistant), v.TurnWeights.Count);
    }

    [Fact]
    public void Score_AnyRun_ScoreIsTheSumOfContributions()
    {
        foreach (var id in new[] { "fireact-llama-2-13b-lora-3750", "fireact-gpt-3.5-turbo-0613-ft-7067", "fireact-gpt-3.5-turbo-0613-ft-6238" })
        {
            var v = Scorer().Score(FireActUnlabelled(id));

            Assert.Equal(Math.Round(Math.Clamp(v.Signals.Sum(s => s.Contribution), 0, 1), 3), v.Score, 3);
            Assert.Equal(v.Signals.Where(s => s.Rejects).Select(s => s.Code).Distinct(), v.Reasons);
            Assert.Equal(v.Reasons.Count == 0, v.Accepted);
        }
    }

    [Fact]
    public void Score_UnlabelledRunWithARedundantCall_ScoreBelowThresholdIsTheReason()
    {
        var t = Run("r", [
            Call("c1", "search", """{"query":"order 7"}"""), Result("c1", "search", "shipped on Monday"),
            Call("c2", "search", """{"query":"order 7"}"""), Result("c2", "search", "shipped on Monday"),
            Answer("Order 7 shipped on Monday."),
        ]);

        var v = Scorer().Score(t);

        Assert.False(v.Accepted);
        Assert.Equal([QualityCodes.ScoreBelowThreshold], v.Reasons);
        Assert.Equal("inferred", v.Basis);
        Assert.Equal(0.45, v.Score, 3);
        Assert.Equal([1, 0, 1], v.TurnWeights);
    }

    [Fact]
    public void Score_SameRunReportedSuccessful_AcceptedWithTheRepeatWeightedZero()
    {
        var t = Run("r", [
            Call("c1", "search", """{"query":"order 7"}"""), Result("c1", "search", "shipped on Monday"),
            Call("c2", "search", """{"query":"order 7"}"""), Result("c2", "search", "shipped on Monday"),
            Answer("Order 7 shipped on Monday."),
        ]) with { Outcome = new Outcome { Status = OutcomeStatus.Completed, GoalsMet = true } };

        var v = Scorer().Score(t);

        Assert.True(v.Accepted);
        Assert.Equal(0.65, v.Score, 3);
        Assert.Equal([1, 0, 1], v.TurnWeights);
    }

    [Fact]
    public void Score_RejectingRule_NoResidualThresholdReason()
    {
        var v = Scorer().Score(FireAct("fireact-gpt-3.5-turbo-0613-ft-5388"));

        Assert.Equal([QualityCodes.LowReward], v.Reasons);
        Assert.Equal(0, v.Score);
    }

    [Fact]
    public void Score_RuleTurnedOff_SignalGone()
    {
        var t = FireAct("fireact-gpt-3.5-turbo-0613-ft-5388");

        var v = Scorer(Policy(o => o.Rules["low_reward"] = "off")).Score(t);

        Assert.DoesNotContain(v.Signals, s => s.Code == QualityCodes.LowReward);
        Assert.Equal([QualityCodes.ScoreBelowThreshold], v.Reasons);
    }

    [Fact]
    public void Score_LoopSetToDownweight_NoLongerRejectsAReportedSuccess()
    {
        var t = FireAct("fireact-llama-2-13b-lora-3750") with { Outcome = new Outcome { Reward = 1 } };

        var strict = Scorer().Score(t);
        var lenient = Scorer(Policy(o => o.Rules["loop"] = "downweight")).Score(t);

        Assert.Contains(QualityCodes.Loop, strict.Reasons);
        Assert.DoesNotContain(QualityCodes.Loop, lenient.Reasons);
        Assert.Contains(lenient.Signals, s => s is { Code: QualityCodes.Loop, Rejects: false });
        Assert.NotEqual(strict.PolicyVersion, lenient.PolicyVersion);
    }

    [Fact]
    public void Score_SameInput_SameVerdict()
    {
        var t = MedAgentBench("mab-llama-3.3-094");

        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(Scorer().Score(t), WhetstoneJson.Compact.QualityVerdict),
            System.Text.Json.JsonSerializer.Serialize(Scorer().Score(t), WhetstoneJson.Compact.QualityVerdict));
    }

    [Fact]
    public void Score_EverySampleRun_OneWeightPerAssistantTurnAndFinalAnswerLearned()
    {
        var scorer = Scorer();
        foreach (var t in AllFireAct.Values.Concat(AllMedAgentBench.Values))
        {
            var v = scorer.Score(t);
            var run = new RunAnalysis(t);

            Assert.Equal(run.TurnCount, v.TurnWeights.Count);
            if (run.FinalAnswerTurn >= 0)
            {
                Assert.Equal(1, v.TurnWeights[run.FinalAnswerTurn]);
            }
        }
    }

    [Fact]
    public void Score_SampleWithReward_AcceptsExactlyTheCleanSuccesses()
    {
        var scorer = Scorer();
        var verdicts = AllFireAct.Values.Select(t => (t, v: scorer.Score(t))).ToList();

        Assert.All(verdicts.Where(x => x.v.Accepted), x => Assert.True(x.t.Outcome.Reward >= 0.5));
        Assert.All(verdicts.Where(x => x.t.Outcome.Reward < 0.5), x => Assert.Contains(QualityCodes.LowReward, x.v.Reasons));
        Assert.True(verdicts.Count(x => x.v.Accepted) >= 0.97 * verdicts.Count(x => x.t.Outcome.Reward >= 0.5));
    }
}

public class QualityVerdictJsonTests
{
    [Fact]
    public void Serialize_ScoredVerdict_SnakeCaseAndRoundTrips()
    {
        var v = Scorer().Score(FireAct("fireact-gpt-3.5-turbo-0613-ft-2401")) with
        {
            ClusterId = "c-1",
            Override = new HumanOverride { Accepted = false, Reason = "r", Actor = "a", At = FixedTime.Now },
        };

        var json = System.Text.Json.JsonSerializer.Serialize(v, WhetstoneJson.Compact.QualityVerdict);
        var back = System.Text.Json.JsonSerializer.Deserialize(json, WhetstoneJson.Compact.QualityVerdict)!;

        Assert.Contains("\"turn_weights\":[0,0,1,1,1]", json, StringComparison.Ordinal);
        Assert.Contains("\"policy_version\":\"q1-", json, StringComparison.Ordinal);
        Assert.Contains("\"basis\":\"reported\"", json, StringComparison.Ordinal);
        Assert.Contains("\"detour\":true", json, StringComparison.Ordinal);
        Assert.Equal(v.Signals, back.Signals, (a, b) => a.Code == b.Code && a.Contribution == b.Contribution && a.Detour == b.Detour && a.Scope == b.Scope);
        Assert.Equal(v.TurnWeights, back.TurnWeights);
        Assert.Equal(v.Override, back.Override);
        Assert.Equal("c-1", back.ClusterId);
    }
}
