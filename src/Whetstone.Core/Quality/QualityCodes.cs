namespace Whetstone.Quality;

/// <summary>What a signal does under the policy.</summary>
public enum RuleAction
{
    /// <summary>The signal rejects the run (its code becomes a reason).</summary>
    Reject,

    /// <summary>Only the signal's score contribution counts (a low enough score still rejects, as
    /// <c>score_below_threshold</c>).</summary>
    DownWeight,

    /// <summary>The signal is not emitted.</summary>
    Off,
}

public static class RuleActions
{
    public static bool TryParse(string? text, out RuleAction action)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "reject":
                action = RuleAction.Reject;
                return true;
            case "downweight" or "down-weight" or "down_weight":
                action = RuleAction.DownWeight;
                return true;
            case "off":
                action = RuleAction.Off;
                return true;
            default:
                action = default;
                return false;
        }
    }

    public static string Name(RuleAction action) => action switch
    {
        RuleAction.Reject => "reject",
        RuleAction.DownWeight => "downweight",
        _ => "off",
    };
}

/// <summary>One signal code: its default action and score contribution and what it means.</summary>
public sealed record QualityCode(string Code, string Scope, RuleAction DefaultAction, double Contribution, string Meaning)
{
    /// <summary>Signals that only count when the run reports no outcome (label-free inference).</summary>
    public bool InferredOnly { get; init; }
}

/// <summary>The catalogue of stable signal and reason codes. Contributions are added to the base score
/// (<c>reported_outcome</c> or <c>inferred_outcome</c>); a code's action can be changed in
/// <c>Whetstone:Quality:Rules</c>.</summary>
public static class QualityCodes
{
    public const string Run = "run";
    public const string Set = "set";

    // Base of the score.
    public const string ReportedOutcome = "reported_outcome";
    public const string InferredOutcome = "inferred_outcome";

    // The seed system's rules, generalised.
    public const string NotCompleted = "not_completed";
    public const string GoalsNotMet = "goals_not_met";
    public const string UnresolvedFailures = "unresolved_failures";
    public const string StatusOnlyDelivery = "status_only_delivery";
    public const string NoSubstantiveDelivery = "no_substantive_delivery";
    public const string ScoreBelowThreshold = "score_below_threshold";

    // Reported outcome.
    public const string LowReward = "low_reward";
    public const string NegativeFeedback = "negative_feedback";

    // Tool use.
    public const string ToolErrorUnrecovered = "tool_error_unrecovered";
    public const string InvalidArgumentsJson = "invalid_arguments_json";
    public const string ArgumentsSchemaViolation = "arguments_schema_violation";
    public const string UnknownTool = "unknown_tool";
    public const string Loop = "loop";
    public const string ExcessiveRetries = "excessive_retries";

    // Detours (kept as context with weight 0).
    public const string RecoveredFailure = "recovered_failure";
    public const string RedundantCall = "redundant_call";
    public const string RetriedCall = "retried_call";
    public const string DeadEnd = "dead_end";

    // How the run ended.
    public const string EmptyFinalAnswer = "empty_final_answer";
    public const string TruncatedFinalAnswer = "truncated_final_answer";
    public const string RefusalFinalAnswer = "refusal_final_answer";
    public const string MalformedAction = "malformed_action";
    public const string StepLimitReached = "step_limit_reached";
    public const string ContextLimitReached = "context_limit_reached";
    public const string HandoffToHuman = "handoff_to_human";
    public const string TooLongForTraining = "too_long_for_training";

    // Label-free inference (only when no outcome is reported).
    public const string UncertainFinalAnswer = "uncertain_final_answer";
    public const string HedgingReasoning = "hedging_reasoning";
    public const string UserComplaint = "user_complaint";
    public const string UserRepeatedRequest = "user_repeated_request";
    public const string UserThanks = "user_thanks";

    // Set-level (depend on other runs; recomputed on rescore and snapshot).
    public const string NearDuplicate = "near_duplicate";
    public const string InefficientPath = "inefficient_path";
    public const string AnswerDisagreesWithPeers = "answer_disagrees_with_peers";
    public const string AnswerAgreesWithPeers = "answer_agrees_with_peers";

    public static IReadOnlyList<QualityCode> All { get; } =
    [
        new(ReportedOutcome, Run, RuleAction.DownWeight, 0, "base score from the outcome the agent reported (reward, or status/goals)"),
        new(InferredOutcome, Run, RuleAction.DownWeight, 0, "base score when no outcome is reported: the rules infer from the run itself"),
        new(NotCompleted, Run, RuleAction.Reject, -0.5, "the run was reported failed or abandoned"),
        new(GoalsNotMet, Run, RuleAction.Reject, -0.5, "the agent reported that the goals were not met"),
        new(UnresolvedFailures, Run, RuleAction.Reject, -0.4, "the agent reported tool failures it did not resolve"),
        new(StatusOnlyDelivery, Run, RuleAction.Reject, -0.4, "only acknowledgements or progress notes reached the user"),
        new(NoSubstantiveDelivery, Run, RuleAction.Reject, -0.4, "a user-facing run ended without a substantive answer"),
        new(ScoreBelowThreshold, Run, RuleAction.Reject, 0, "the score is under Whetstone:Quality:MinScore"),
        new(LowReward, Run, RuleAction.Reject, 0, "the reported reward is under Whetstone:Quality:MinReward"),
        new(NegativeFeedback, Run, RuleAction.Reject, -0.5, "explicit negative feedback on the run"),
        new(ToolErrorUnrecovered, Run, RuleAction.Reject, -0.4, "a tool call failed and no later call of that tool succeeded"),
        new(InvalidArgumentsJson, Run, RuleAction.Reject, -0.4, "tool-call arguments that are not valid JSON, never corrected"),
        new(ArgumentsSchemaViolation, Run, RuleAction.Reject, -0.3, "tool-call arguments that break the tool's JSON schema, never corrected"),
        new(UnknownTool, Run, RuleAction.Reject, -0.3, "a call of a tool not in the run's tool list (or that its result says does not exist), never followed by a working call"),
        new(Loop, Run, RuleAction.Reject, -0.4, "the same call (tool and arguments) made Whetstone:Quality:LoopRepeats times or more"),
        new(ExcessiveRetries, Run, RuleAction.Reject, -0.3, "more consecutive retries of one tool than Whetstone:Quality:MaxRetries"),
        new(RecoveredFailure, Run, RuleAction.DownWeight, -0.05, "a failed call later corrected (its turn is kept as context, weight 0)"),
        new(RedundantCall, Run, RuleAction.DownWeight, -0.25, "a call repeated with identical arguments (the repeat has weight 0)"),
        new(RetriedCall, Run, RuleAction.DownWeight, -0.1, "a call retried with near-identical arguments (earlier attempts have weight 0)"),
        new(DeadEnd, Run, RuleAction.DownWeight, 0, "a call that found nothing, after which the agent went another way (weight 0)"),
        new(EmptyFinalAnswer, Run, RuleAction.Reject, -0.4, "the final answer is empty"),
        new(TruncatedFinalAnswer, Run, RuleAction.Reject, -0.3, "the final answer is cut off (unbalanced brackets, unparseable JSON, length stop)"),
        new(RefusalFinalAnswer, Run, RuleAction.Reject, -0.4, "the final answer only refuses or apologises"),
        new(MalformedAction, Run, RuleAction.Reject, -0.3, "the final answer holds an action the agent wrote as text instead of calling it"),
        new(StepLimitReached, Run, RuleAction.Reject, -0.4, "the run stopped at a step or iteration limit"),
        new(ContextLimitReached, Run, RuleAction.Reject, -0.4, "the run stopped at the context or output token limit"),
        new(HandoffToHuman, Run, RuleAction.Reject, -0.3, "the agent handed the task over to a human"),
        new(TooLongForTraining, Run, RuleAction.Reject, 0, "more o200k tokens than Whetstone:Quality:MaxTrainingTokens"),
        new(UncertainFinalAnswer, Run, RuleAction.Reject, -0.4, "the final answer says the agent does not know or could not find it") { InferredOnly = true },
        new(HedgingReasoning, Run, RuleAction.DownWeight, -0.15, "the agent's last reasoning hedges (not sure, could not find, no information)") { InferredOnly = true },
        new(UserComplaint, Run, RuleAction.Reject, -0.5, "the user's last turn complains (wrong, not what I asked, still broken)") { InferredOnly = true },
        new(UserRepeatedRequest, Run, RuleAction.DownWeight, -0.3, "the user had to repeat the request") { InferredOnly = true },
        new(UserThanks, Run, RuleAction.DownWeight, 0.1, "the user's last turn thanks the agent") { InferredOnly = true },
        new(NearDuplicate, Set, RuleAction.Reject, 0, "a near-duplicate of a better-scored run of the same model (near_duplicate_of)"),
        new(InefficientPath, Set, RuleAction.DownWeight, -0.15, "more than Whetstone:Quality:InefficientPathFactor times the steps of the shortest accepted run of the task cluster"),
        new(AnswerDisagreesWithPeers, Set, RuleAction.Reject, -0.4, "the short final answer is not shared by a majority of the other runs of the same task") { InferredOnly = true },
        new(AnswerAgreesWithPeers, Set, RuleAction.DownWeight, 0.1, "the short final answer is shared by a majority of the other runs of the same task") { InferredOnly = true },
    ];

    private static readonly Dictionary<string, QualityCode> ByCode = All.ToDictionary(c => c.Code, StringComparer.OrdinalIgnoreCase);

    /// <summary>Codes whose action can be configured (all but the base score and the threshold itself).</summary>
    public static IReadOnlyList<string> Configurable { get; } = All
        .Select(c => c.Code)
        .Where(c => c is not (ReportedOutcome or InferredOutcome or ScoreBelowThreshold))
        .ToArray();

    public static QualityCode? Find(string code) =>
        ByCode.TryGetValue(code, out var c) && Configurable.Contains(c.Code, StringComparer.Ordinal) ? c : null;

    internal static QualityCode Get(string code) => ByCode[code];
}
