using Whetstone.Quality;
using Whetstone.Quality.Rules;
using Whetstone.Trajectories;
using static Whetstone.Core.Tests.Quality.QualityTestData;

namespace Whetstone.Core.Tests.Quality;

public class HedgingReasoningRuleTests
{
    [Fact]
    public void Evaluate_UnlabelledFireActRunWhoseLastThoughtCouldNotFind_Hedging()
    {
        var t = AllFireAct.Values.First(r => r.Messages.LastOrDefault(m => m.Role == Role.Assistant)?.Reasoning?.Contains("couldn't find", StringComparison.Ordinal) == true)
            with { Outcome = Outcome.Unknown };

        var s = Assert.Single(Signals(new HedgingReasoningRule(), t));

        Assert.Equal(QualityCodes.HedgingReasoning, s.Code);
        Assert.False(s.Rejects);
        Assert.True(s.Contribution < 0);
    }

    [Fact]
    public void Evaluate_ConfidentThought_NoSignal()
    {
        Assert.Empty(Signals(new HedgingReasoningRule(), FireActUnlabelled("fireact-gpt-3.5-turbo-0613-ft-6238")));
    }
}

public class UserReactionRuleTests
{
    [Fact]
    public void Evaluate_ToolTalkUserSaysThanks_PositiveSignal()
    {
        var s = Assert.Single(Signals(new UserReactionRule(), ToolTalk("tooltalk-AddAlarm-easy")));

        Assert.Equal(QualityCodes.UserThanks, s.Code);
        Assert.True(s.Contribution > 0);
    }

    [Fact]
    public void Evaluate_UserComplains_Complaint()
    {
        var t = Run("r", [Answer("Your order ships Monday."), User("No, that's wrong, I asked about the refund.")]);

        var s = Assert.Single(Signals(new UserReactionRule(), t));

        Assert.Equal(QualityCodes.UserComplaint, s.Code);
        Assert.True(s.Rejects);
    }

    [Fact]
    public void Evaluate_UserRepeatsTheRequest_Repeated()
    {
        var t = Run("r", [Answer("Here is our refund policy."), User("Find the order status please")], task: "Find the order status");

        Assert.Equal(QualityCodes.UserRepeatedRequest, Assert.Single(Signals(new UserReactionRule(), t)).Code);
    }

    [Fact]
    public void Evaluate_OutcomeReported_NotApplied()
    {
        var t = Run("r", [Answer("Your order ships Monday."), User("That's wrong.")]) with { Outcome = new Outcome { Reward = 1 } };

        Assert.Empty(Signals(new UserReactionRule(), t));
    }
}

public class TrainingLengthRuleTests
{
    [Fact]
    public void Evaluate_FireActRunOverASmallLimit_TooLong()
    {
        var t = FireAct("fireact-llama-2-7b-lora-1768");

        var s = Assert.Single(Signals(new TrainingLengthRule(), t, Policy(o => o.MaxTrainingTokens = 256)));

        Assert.Equal(QualityCodes.TooLongForTraining, s.Code);
        Assert.True(s.Rejects);
    }

    [Fact]
    public void Evaluate_FireActRunUnderTheDefaultLimit_NoSignal()
    {
        Assert.Empty(Signals(new TrainingLengthRule(), FireAct("fireact-llama-2-7b-lora-1768")));
    }

    [Fact]
    public void Evaluate_LimitJustAboveTheRunsTokenCount_NoSignal()
    {
        var rule = new TrainingLengthRule();
        var t = MedAgentBench("mab-deepseekv3-099");
        var tokens = rule.Count(t);

        Assert.InRange(tokens, 2_000, 20_000);
        Assert.Empty(Signals(rule, t, Policy(o => o.MaxTrainingTokens = tokens)));
        Assert.Single(Signals(rule, t, Policy(o => o.MaxTrainingTokens = tokens - 1)));
    }
}
