using System.Globalization;
using Whetstone.Trajectories;

namespace Whetstone.Quality.Rules;

/// <summary>The seed's outcome rules on what the agent reported: not completed, goals not met, unresolved
/// failures, status-only delivery, not delivered; plus a low reward and explicit negative feedback.</summary>
internal sealed class ReportedOutcomeRule : IQualityRule
{
    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        var o = run.Trajectory.Outcome;
        if (o.Reward is { } reward && reward < signals.Policy.Options.MinReward)
        {
            signals.Add(QualityCodes.LowReward, $"reward {F(reward)} is under {F(signals.Policy.Options.MinReward)}");
        }

        if (o.Status is OutcomeStatus.Failed or OutcomeStatus.Abandoned)
        {
            signals.Add(QualityCodes.NotCompleted, "status " + o.Status.ToString().ToLowerInvariant());
        }

        if (o.GoalsMet == false)
        {
            signals.Add(QualityCodes.GoalsNotMet, "the agent reported goals_met false");
        }

        if (o.UnresolvedFailures is > 0 and var failures)
        {
            signals.Add(QualityCodes.UnresolvedFailures, $"{failures} unresolved tool failure(s) reported");
        }

        if (o.StatusOnly == true)
        {
            signals.Add(QualityCodes.StatusOnlyDelivery, "the agent reported that only status messages were sent");
        }

        if (o.Delivered == false && run.IsUserFacing)
        {
            signals.Add(QualityCodes.NoSubstantiveDelivery, "the agent reported that no answer was delivered");
        }

        var negative = 0;
        foreach (var f in o.Feedback)
        {
            if (string.Equals(f.Rating, "negative", StringComparison.OrdinalIgnoreCase) ||
                (f.Score is { } s && s < signals.Policy.Options.MinReward))
            {
                negative++;
            }
        }

        if (negative > 0)
        {
            signals.Add(QualityCodes.NegativeFeedback, $"{negative} negative feedback entr{(negative == 1 ? "y" : "ies")}");
        }
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>The seed's delivery rules inferred from the messages: a user-facing run that ends on a tool call or
/// result without an answer, or whose closing messages are only acknowledgements.</summary>
internal sealed class DeliveryRule : IQualityRule
{
    private const int MaxAcknowledgementWords = 30;

    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        if (!run.IsUserFacing || run.TurnCount == 0)
        {
            return;
        }

        if (!run.EndsWithAnswer)
        {
            var lastTurn = run.TurnCount - 1;
            signals.Add(QualityCodes.NoSubstantiveDelivery,
                run.AssistantMessage(lastTurn).HasToolCalls ? "the run ended on a tool call without an answer" : "the run ended without an answer after the last tool result",
                [lastTurn]);
            return;
        }

        var acknowledgements = 0;
        foreach (var turn in run.DeliveryTurns)
        {
            var text = run.AssistantMessage(turn).Content;
            if (!string.IsNullOrWhiteSpace(text) && TextCues.Words(text, MaxAcknowledgementWords) <= MaxAcknowledgementWords &&
                TextCues.Acknowledgement().IsMatch(text))
            {
                acknowledgements++;
            }
        }

        if (run.DeliveryTurns.Count > 0 && acknowledgements == run.DeliveryTurns.Count)
        {
            signals.Add(QualityCodes.StatusOnlyDelivery, "the closing message(s) only acknowledge or announce work", run.DeliveryTurns);
        }
    }
}
