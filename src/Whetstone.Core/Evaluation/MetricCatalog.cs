namespace Whetstone.Evaluation;

public static class EvaluationModes
{
    public const string Replay = "replay";
    public const string Shadow = "shadow";
}

/// <summary>A metric's name (a report key), the mode it belongs to, its direction, and whether it has per-case
/// paired values (latency percentiles do not).</summary>
public sealed record MetricInfo(string Name, string Mode, bool HigherIsBetter, bool Paired, bool IsRate, string Description);

/// <summary>Every metric a report can hold.</summary>
public static class MetricCatalog
{
    // replay
    public const string ActionScore = "action_score";
    public const string ToolNameAccuracy = "tool_name_accuracy";
    public const string ArgumentMatch = "argument_match";
    public const string CallDecisionAccuracy = "call_decision_accuracy";
    public const string AnswerSimilarity = "answer_similarity";
    public const string AnswerExactMatch = "answer_exact_match";
    public const string InvalidCallRate = "invalid_call_rate";
    public const string ErrorRate = "error_rate";
    public const string LatencyP50Ms = "latency_p50_ms";
    public const string LatencyP95Ms = "latency_p95_ms";
    public const string MeanTokens = "mean_tokens";

    // shadow
    public const string SuccessRate = "success_rate";
    public const string AnswerAgreement = "answer_agreement";
    public const string MeanSteps = "mean_steps";
    public const string ToolErrorRate = "tool_error_rate";
    public const string AcceptedRate = "accepted_rate";
    public const string MeanRunTokens = "mean_run_tokens";

    public static IReadOnlyList<MetricInfo> All { get; } =
    [
        new(ActionScore, EvaluationModes.Replay, true, true, true, "per step: the full call matched (tool call steps) or the answer's similarity (answer steps)"),
        new(ToolNameAccuracy, EvaluationModes.Replay, true, true, true, "tool-call steps where the called tool names equal the reference's"),
        new(ArgumentMatch, EvaluationModes.Replay, true, true, true, "tool-call steps where calls and arguments match by AST rules"),
        new(CallDecisionAccuracy, EvaluationModes.Replay, true, true, true, "steps where calling a tool or not agrees with the reference"),
        new(AnswerSimilarity, EvaluationModes.Replay, true, true, true, "answer steps: similarity of the final answer to the reference"),
        new(AnswerExactMatch, EvaluationModes.Replay, true, true, true, "answer steps: normalised exact match"),
        new(InvalidCallRate, EvaluationModes.Replay, false, true, true, "answered steps with a call the agent could not execute"),
        new(ErrorRate, EvaluationModes.Replay, false, true, true, "steps that ended in an error (timeout, HTTP error, …)"),
        new(LatencyP50Ms, EvaluationModes.Replay, false, false, false, "median latency of answered steps"),
        new(LatencyP95Ms, EvaluationModes.Replay, false, false, false, "95th percentile latency of answered steps"),
        new(MeanTokens, EvaluationModes.Replay, false, true, false, "mean tokens per step (prompt + completion) when reported"),
        new(SuccessRate, EvaluationModes.Shadow, true, true, true, "runs that succeeded (outcome reward/status, else the quality verdict)"),
        new(AnswerAgreement, EvaluationModes.Shadow, true, true, true, "tasks where the two models' final answers agree (the same in both columns)"),
        new(MeanSteps, EvaluationModes.Shadow, false, true, false, "assistant turns per run"),
        new(ToolErrorRate, EvaluationModes.Shadow, false, true, true, "tool results that were errors"),
        new(AcceptedRate, EvaluationModes.Shadow, true, true, true, "runs the quality stage accepted"),
        new(MeanRunTokens, EvaluationModes.Shadow, false, true, false, "tokens per run when the runs report them"),
    ];

    private static readonly Dictionary<string, MetricInfo> ByName = All.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out MetricInfo info) => ByName.TryGetValue(name, out info!);

    public static MetricInfo Get(string name) => ByName[name];

    public static IEnumerable<MetricInfo> ForMode(string mode) => All.Where(m => m.Mode == mode);

    public static IEnumerable<string> PrimaryCandidates(string mode) =>
        ForMode(mode).Where(m => m.HigherIsBetter && m.Paired).Select(m => m.Name);

    public static IEnumerable<string> GuardableNames => All.Where(m => m.Paired).Select(m => m.Name);
}
