using Whetstone.Quality;
using Whetstone.Quality.Rules;
using Whetstone.Trajectories;
using static Whetstone.Core.Tests.Quality.QualityTestData;

namespace Whetstone.Core.Tests.Quality;

public class FailedCallRuleTests
{
    [Fact]
    public void Evaluate_MedAgentBenchGetThatFailedThenWorked_RecoveredDetour()
    {
        var s = Assert.Single(Signals(new FailedCallRule(), MedAgentBench("mab-gpt-4o-mini-058")));

        Assert.Equal(QualityCodes.RecoveredFailure, s.Code);
        Assert.True(s.Detour);
        Assert.False(s.Rejects);
        Assert.Equal([0], s.Turns);
    }

    [Fact]
    public void Evaluate_MedAgentBenchFailedGetAndPostBreakingTheSchema_BothUnrecovered()
    {
        var signals = Signals(new FailedCallRule(), MedAgentBench("mab-llama-3.3-094"));

        var schema = Assert.Single(signals, s => s.Code == QualityCodes.ArgumentsSchemaViolation);
        Assert.True(schema.Rejects);
        Assert.Equal("post_servicerequest: $.note: expected object, found array", schema.Detail);
        var error = Assert.Single(signals, s => s.Code == QualityCodes.ToolErrorUnrecovered);
        Assert.Contains("get_observation", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_FireActCallOfAToolThatDoesNotExist_RecoveredByALaterSearch()
    {
        var t = FireAct("fireact-llama-2-7b-lora-1768");
        var reflect = new RunAnalysis(t).Calls.Single(c => c.Name == "reflect");

        var signals = Signals(new FailedCallRule(), t);

        Assert.True(reflect.UnknownTool);
        Assert.Contains(signals, s => s.Code == QualityCodes.RecoveredFailure && s.Turns!.Contains(reflect.Turn));
        Assert.DoesNotContain(signals, s => s.Code == QualityCodes.UnknownTool);
    }

    [Fact]
    public void Evaluate_OrcBotStyleRateLimitThenSuccess_FirstTurnIsDetour()
    {
        var t = Run("r", [
            Call("c1", "web_search", """{"query":"Oslo weather"}"""), Result("c1", "web_search", "rate limited", isError: true),
            Call("c2", "web_search", """{"query":"Oslo weather now"}"""), Result("c2", "web_search", "Oslo: 4C"),
            Answer("It is 4C in Oslo."),
        ], [Tool("web_search")]);

        var s = Assert.Single(Signals(new FailedCallRule(), t));

        Assert.Equal(QualityCodes.RecoveredFailure, s.Code);
        Assert.Equal([0], s.Turns);
    }

    [Fact]
    public void Evaluate_ErrorNeverFollowedByAWorkingCall_Unrecovered()
    {
        var t = Run("r", [
            Call("c1", "refund_order", """{"query":"O1"}"""), Result("c1", "refund_order", "Error: payment gateway unavailable"),
            Call("c2", "send_email", """{"query":"sorry"}"""), Result("c2", "send_email", "sent"),
            Answer("I could not refund the order."),
        ], [Tool("refund_order"), Tool("send_email")]);

        var s = Assert.Single(Signals(new FailedCallRule(), t));

        Assert.Equal(QualityCodes.ToolErrorUnrecovered, s.Code);
        Assert.Equal([0], s.Turns);
    }

    [Fact]
    public void Evaluate_CallOfAToolNotInTheList_UnknownTool()
    {
        var t = Run("r", [Call("c1", "delete_everything", """{"query":"x"}"""), Result("c1", "delete_everything", "done"), Answer("Done.")]);

        Assert.Equal(QualityCodes.UnknownTool, Assert.Single(Signals(new FailedCallRule(), t)).Code);
    }

    [Fact]
    public void Evaluate_ArgumentsThatAreNotJson_InvalidArgumentsJson()
    {
        var bad = new Message { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = "c1", Name = "search", RawArguments = "{query: 'x'" }] };
        var t = Run("r", [bad, Result("c1", "search", "Invalid arguments"), Answer("Sorry.")]);

        Assert.Equal(QualityCodes.InvalidArgumentsJson, Assert.Single(Signals(new FailedCallRule(), t)).Code);
    }

    [Fact]
    public void Evaluate_GeneratedStyleCleanRun_NoSignal()
    {
        Assert.Empty(Signals(new FailedCallRule(), ToolTalk("tooltalk-golden_conversation_2")));
    }
}

public class RepetitionRuleTests
{
    [Fact]
    public void Evaluate_FireActSearchRepeatedFourTimes_LoopAndRedundantRepeats()
    {
        var signals = Signals(new RepetitionRule(), FireAct("fireact-llama-2-13b-lora-3750"));

        var loop = Assert.Single(signals, s => s.Code == QualityCodes.Loop);
        Assert.True(loop.Rejects);
        Assert.Contains("4 times", loop.Detail, StringComparison.Ordinal);
        var redundant = Assert.Single(signals, s => s.Code == QualityCodes.RedundantCall);
        Assert.True(redundant.Detour);
    }

    [Fact]
    public void Evaluate_FireActNearIdenticalSearches_ExcessiveRetries()
    {
        var signals = Signals(new RepetitionRule(), FireAct("fireact-llama-2-13b-lora-3265"));

        Assert.Contains(signals, s => s.Code == QualityCodes.ExcessiveRetries && s.Rejects);
        Assert.Contains(signals, s => s.Code == QualityCodes.RetriedCall && s.Detour);
    }

    [Fact]
    public void Evaluate_ToolTalkSeriesOfEventsOnDifferentDates_NotRetries()
    {
        var signals = Signals(new RepetitionRule(), ToolTalk("tooltalk-golden_conversation_4"));

        Assert.DoesNotContain(signals, s => s.Code is QualityCodes.ExcessiveRetries or QualityCodes.RetriedCall or QualityCodes.Loop);
    }

    [Fact]
    public void Evaluate_SameCallTwiceAfterItWorked_RedundantSecondTurn()
    {
        var t = Run("r", [
            Call("c1", "search", """{"query":"order 7"}"""), Result("c1", "search", "shipped"),
            Call("c2", "search", """{ "query": "order 7" }"""), Result("c2", "search", "shipped"),
            Answer("Shipped."),
        ]);

        var s = Assert.Single(Signals(new RepetitionRule(), t), x => x.Code == QualityCodes.RedundantCall);

        Assert.Equal([1], s.Turns);
    }

    [Fact]
    public void Evaluate_RetryAfterAnError_NotRedundant()
    {
        var t = Run("r", [
            Call("c1", "search", """{"query":"order 7"}"""), Result("c1", "search", "Error: timeout"),
            Call("c2", "search", """{"query":"order 7"}"""), Result("c2", "search", "shipped"),
            Answer("Shipped."),
        ]);

        Assert.DoesNotContain(Signals(new RepetitionRule(), t), s => s.Code == QualityCodes.RedundantCall);
    }

    [Fact]
    public void Evaluate_LoopRepeatsFromPolicy_Respected()
    {
        var t = FireAct("fireact-llama-2-13b-lora-3750");

        var signals = Signals(new RepetitionRule(), t, Policy(o => o.LoopRepeats = 5));

        Assert.DoesNotContain(signals, s => s.Code == QualityCodes.Loop);
    }
}

public class DeadEndRuleTests
{
    [Fact]
    public void Evaluate_FireActSearchThatFoundNothingThenAnotherSearch_DeadEnd()
    {
        var s = Assert.Single(Signals(new DeadEndRule(), FireAct("fireact-gpt-3.5-turbo-0613-ft-4025")));

        Assert.Equal(QualityCodes.DeadEnd, s.Code);
        Assert.True(s.Detour);
        Assert.Equal([0], s.Turns);
    }

    [Fact]
    public void Evaluate_MedAgentBenchEmptyResultTheAnswerReliesOn_NotADeadEnd()
    {
        Assert.Empty(Signals(new DeadEndRule(), MedAgentBench("mab-deepseekv3-099")));
    }
}
