using Whetstone.Quality;
using Whetstone.Quality.Rules;
using Whetstone.Tests;
using Whetstone.Trajectories;
using static Whetstone.Core.Tests.Quality.QualityTestData;

namespace Whetstone.Core.Tests.Quality;

public class ReportedOutcomeRuleTests
{
    [Fact]
    public void Evaluate_FireActRunWithRewardZero_LowReward()
    {
        var signals = Signals(new ReportedOutcomeRule(), FireAct("fireact-gpt-3.5-turbo-0613-ft-5388"));

        var s = Assert.Single(signals);
        Assert.Equal(QualityCodes.LowReward, s.Code);
        Assert.True(s.Rejects);
    }

    [Fact]
    public void Evaluate_FireActRunWithRewardOne_NoSignal()
    {
        Assert.Empty(Signals(new ReportedOutcomeRule(), FireAct("fireact-gpt-3.5-turbo-0613-ft-6238")));
    }

    [Fact]
    public void Evaluate_OrcBotFailedRun_SeedReasons()
    {
        var t = Run("orc-2", [Answer("Working on it")]) with
        {
            Outcome = new Outcome
            {
                Status = OutcomeStatus.Failed, GoalsMet = false, Delivered = false, UnresolvedFailures = 2, StatusOnly = true,
                Feedback = [new Feedback { Rating = "negative", Comment = "useless" }],
            },
        };

        var codes = Signals(new ReportedOutcomeRule(), t).Select(s => s.Code).ToList();

        Assert.Equal(
            [QualityCodes.NotCompleted, QualityCodes.GoalsNotMet, QualityCodes.UnresolvedFailures, QualityCodes.StatusOnlyDelivery,
             QualityCodes.NoSubstantiveDelivery, QualityCodes.NegativeFeedback],
            codes);
    }
}

public class DeliveryRuleTests
{
    [Fact]
    public void Evaluate_FireActRunEndingOnASearch_NoSubstantiveDelivery()
    {
        var s = Assert.Single(Signals(new DeliveryRule(), FireAct("fireact-gpt-3.5-turbo-0613-ft-407")));

        Assert.Equal(QualityCodes.NoSubstantiveDelivery, s.Code);
        Assert.Equal([3], s.Turns);
    }

    [Fact]
    public void Evaluate_FireActRunFinishingWithAPlan_StatusOnlyDelivery()
    {
        var t = FireAct("fireact-llama-2-13b-lora-6709");

        var s = Assert.Single(Signals(new DeliveryRule(), t));

        Assert.Equal(QualityCodes.StatusOnlyDelivery, s.Code);
        Assert.StartsWith("I need to", t.Messages[^1].Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_AcknowledgementThenAnswer_NoSignal()
    {
        var t = Run("r", [Call("c1", "search", """{"query":"order 7"}"""), Result("c1", "search", "shipped"), Answer("On it!"), Answer("Your order 7 has shipped.")]);

        Assert.Empty(Signals(new DeliveryRule(), t));
    }

    [Fact]
    public void Evaluate_ToolTalkConversation_NoSignal()
    {
        Assert.Empty(Signals(new DeliveryRule(), ToolTalk("tooltalk-golden_conversation_2")));
    }
}

public class FinalAnswerRuleTests
{
    [Fact]
    public void Evaluate_FireActEmptyFinish_EmptyFinalAnswer()
    {
        var s = Assert.Single(Signals(new FinalAnswerRule(), FireAct("fireact-gpt-3.5-turbo-0613-ft-6952")));

        Assert.Equal(QualityCodes.EmptyFinalAnswer, s.Code);
    }

    [Fact]
    public void Evaluate_MedAgentBenchAnswerThatIsNotJson_Truncated()
    {
        var s = Assert.Single(Signals(new FinalAnswerRule(), MedAgentBench("mab-gpt-4o-mini-049")));

        Assert.Equal(QualityCodes.TruncatedFinalAnswer, s.Code);
        Assert.Contains("does not parse", s.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MedAgentBenchFinishWrittenInProse_MalformedAction()
    {
        var s = Assert.Single(Signals(new FinalAnswerRule(), MedAgentBench("mab-llama-3.3-098")));

        Assert.Equal(QualityCodes.MalformedAction, s.Code);
        Assert.Contains("FINISH", s.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MedAgentBenchJsonAnswer_NoSignal()
    {
        Assert.Empty(Signals(new FinalAnswerRule(), MedAgentBench("mab-gpt-4o-mini-099")));
    }

    [Theory]
    [InlineData("I'm sorry, but I can't help with that request.", QualityCodes.RefusalFinalAnswer)]
    [InlineData("As an AI, I cannot browse the web.", QualityCodes.RefusalFinalAnswer)]
    [InlineData("Here is the list: [\"a\", \"b\"", QualityCodes.TruncatedFinalAnswer)]
    [InlineData("The refund was issued and the customer will receive the money within five business days because the", QualityCodes.TruncatedFinalAnswer)]
    [InlineData("   ", QualityCodes.EmptyFinalAnswer)]
    public void Evaluate_BadFinalAnswer_Flagged(string answer, string code)
    {
        var signals = Signals(new FinalAnswerRule(), Run("r", [Answer(answer)]));

        Assert.Contains(signals, s => s.Code == code && s.Rejects);
    }

    [Fact]
    public void Evaluate_LengthStopReason_Truncated()
    {
        var t = Run("r", [Answer("The answer is 42.")]) with
        {
            Metadata = new Dictionary<string, System.Text.Json.JsonElement> { ["finish_reason"] = Some.Json("\"length\"") },
        };

        Assert.Contains(Signals(new FinalAnswerRule(), t), s => s.Code == QualityCodes.TruncatedFinalAnswer);
    }

    [Fact]
    public void Evaluate_SorryThenSubstantiveAnswer_NotRefusal()
    {
        var long_ = "Sorry for the wait. " + string.Join(' ', Enumerable.Repeat("Your order shipped on Monday and arrives Friday.", 8));

        Assert.DoesNotContain(Signals(new FinalAnswerRule(), Run("r", [Answer(long_)])), s => s.Code == QualityCodes.RefusalFinalAnswer);
    }
}

public class UncertainAnswerRuleTests
{
    [Fact]
    public void Evaluate_UnlabelledFireActRunThatCouldNotFind_Uncertain()
    {
        var t = QualityTestData.AllFireAct.Values.First(r =>
            r.Messages[^1].Content?.StartsWith("I couldn't find", StringComparison.Ordinal) == true) with { Outcome = Outcome.Unknown };

        var s = Assert.Single(Signals(new UncertainAnswerRule(), t));

        Assert.Equal(QualityCodes.UncertainFinalAnswer, s.Code);
    }

    [Fact]
    public void Evaluate_SameRunWithReportedReward_NotApplied()
    {
        var t = QualityTestData.AllFireAct.Values.First(r => r.Messages[^1].Content?.StartsWith("I couldn't find", StringComparison.Ordinal) == true);

        Assert.Empty(Signals(new UncertainAnswerRule(), t));
    }

    [Fact]
    public void Evaluate_PlainAnswer_NoSignal()
    {
        Assert.Empty(Signals(new UncertainAnswerRule(), FireActUnlabelled("fireact-gpt-3.5-turbo-0613-ft-6238")));
    }
}

public class LimitRuleTests
{
    [Fact]
    public void Evaluate_IterationLimitMessage_StepLimit()
    {
        var t = Run("r", [Call("c1", "search", """{"query":"a"}"""), Result("c1", "search", "x"), Answer("Agent stopped due to iteration limit or time limit.")]);

        Assert.Contains(Signals(new LimitRule(), t), s => s.Code == QualityCodes.StepLimitReached && s.Rejects);
    }

    [Fact]
    public void Evaluate_ContextLengthStopReason_ContextLimit()
    {
        var t = Run("r", [Answer("partial")]) with
        {
            Metadata = new Dictionary<string, System.Text.Json.JsonElement> { ["stop_reason"] = Some.Json("\"context_length_exceeded\"") },
        };

        Assert.Contains(Signals(new LimitRule(), t), s => s.Code == QualityCodes.ContextLimitReached);
    }

    [Fact]
    public void Evaluate_FireActRunWhoseThoughtSaysItRanOutOfSteps_StepLimit()
    {
        var t = FireAct("fireact-llama-2-7b-lora-1768");

        var s = Assert.Single(Signals(new LimitRule(), t));

        Assert.Equal(QualityCodes.StepLimitReached, s.Code);
        Assert.Contains("within 9 steps", t.Messages.Last(m => m.Role == Role.Assistant).Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_FireActRunFinishingInTwoSteps_NoSignal()
    {
        Assert.Empty(Signals(new LimitRule(), FireAct("fireact-llama-2-7b-lora-6238")));
    }
}

public class HandoffRuleTests
{
    [Fact]
    public void Evaluate_TransferTool_Handoff()
    {
        var t = Run("r", [Call("c1", "transfer_to_human_agents", "{}"), Result("c1", "transfer_to_human_agents", "ok"), Answer("Done.")],
            [Tool("transfer_to_human_agents", """{"type":"object"}""")]);

        var s = Assert.Single(Signals(new HandoffRule(), t));

        Assert.Equal(QualityCodes.HandoffToHuman, s.Code);
        Assert.Equal([0], s.Turns);
    }

    [Fact]
    public void Evaluate_AnswerConnectsToARepresentative_Handoff()
    {
        var t = Run("r", [Answer("I'm transferring you to a human representative who can help with the refund.")]);

        Assert.Single(Signals(new HandoffRule(), t));
    }

    [Fact]
    public void Evaluate_ToolTalkConversation_NoSignal()
    {
        Assert.Empty(Signals(new HandoffRule(), ToolTalk("tooltalk-golden_conversation_4")));
    }
}
