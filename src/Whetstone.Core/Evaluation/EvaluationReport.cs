using System.Text.Json;
using System.Text.Json.Serialization;

namespace Whetstone.Evaluation;

/// <summary>The result of evaluating a candidate against a baseline: what was compared, per-model metrics, the
/// paired comparison with its interval and p-value, the gate's decision with every reason, and every case.
/// Serialised with snake_case keys (see <see cref="ToJson"/>).</summary>
public sealed record EvaluationReport
{
    public required string Id { get; init; }

    /// <summary><c>replay</c> or <c>shadow</c>.</summary>
    public required string Mode { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required ModelRef Candidate { get; init; }

    public required ModelRef Baseline { get; init; }

    /// <summary>The snapshot whose eval split was used (when the host says).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Snapshot { get; init; }

    public required ReportMetrics Metrics { get; init; }

    public required Comparison Comparison { get; init; }

    public required GateDecision Decision { get; init; }

    /// <summary>How answer similarity was measured: <c>embedding_cosine</c> or <c>token_f1</c>.</summary>
    public string? SimilarityMethod { get; init; }

    public required ReportCounts Counts { get; init; }

    /// <summary>Replay: per reference tool (and <c>(answer)</c>), the main metrics of both models.</summary>
    public IReadOnlyList<ToolBreakdown>? Breakdown { get; init; }

    public required IReadOnlyList<EvaluationCase> Cases { get; init; }

    /// <summary>A few plain-text lines a host prints: what was compared, the primary metric with its interval and
    /// p-value, and the gate's decision with every reason.</summary>
    public IReadOnlyList<string> SummaryLines() => EvaluationSummaryText.Lines(this);

    public string ToJson(bool indented = true) =>
        JsonSerializer.Serialize(this, (indented ? EvaluationJson.Indented : EvaluationJson.Compact).EvaluationReport);

    public static EvaluationReport FromJson(string json) =>
        JsonSerializer.Deserialize(json, EvaluationJson.Compact.EvaluationReport)
        ?? throw new WhetstoneException(ErrorCode.BadInput, "evaluation report JSON is null");
}

/// <summary>Which model was evaluated: the candidate id, model name and client spec (never a key).</summary>
public sealed record ModelRef
{
    public string? Id { get; init; }

    public string? Model { get; init; }

    public string? Client { get; init; }
}

/// <summary><c>{"candidate": {...}, "baseline": {...}}</c>: metric name → value (null when it does not apply).</summary>
public sealed record ReportMetrics
{
    public required IReadOnlyDictionary<string, double?> Candidate { get; init; }

    public required IReadOnlyDictionary<string, double?> Baseline { get; init; }
}

/// <summary>The paired comparison on the primary metric (flat), and on every paired metric (<see cref="PerMetric"/>).</summary>
public sealed record Comparison
{
    public required string PrimaryMetric { get; init; }

    public double? Candidate { get; init; }

    public double? Baseline { get; init; }

    /// <summary>Mean of (candidate − baseline) over the paired cases.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? Difference { get; init; }

    /// <summary>95% percentile-bootstrap interval of <see cref="Difference"/> as <c>[low, high]</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<double>? Ci95 { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? PValue { get; init; }

    /// <summary><c>mcnemar_exact</c> for 0/1 values, else <c>sign</c>.</summary>
    public string? Test { get; init; }

    public int N { get; init; }

    public int Wins { get; init; }

    public int Losses { get; init; }

    public int Ties { get; init; }

    public int Resamples { get; init; }

    public int Seed { get; init; }

    public IReadOnlyDictionary<string, MetricComparison> PerMetric { get; init; } = new Dictionary<string, MetricComparison>();
}

public sealed record MetricComparison
{
    public double? Candidate { get; init; }

    public double? Baseline { get; init; }

    public double? Difference { get; init; }

    public IReadOnlyList<double>? Ci95 { get; init; }

    /// <summary>Bootstrap interval of the candidate's own mean (for whiskers).</summary>
    public IReadOnlyList<double>? CandidateCi95 { get; init; }

    public IReadOnlyList<double>? BaselineCi95 { get; init; }

    public double? PValue { get; init; }

    public string? Test { get; init; }

    public int N { get; init; }

    public int Wins { get; init; }

    public int Losses { get; init; }

    public int Ties { get; init; }

    public bool HigherIsBetter { get; init; }
}

/// <summary>The gate's verdict: passed only when every reason passed.</summary>
public sealed record GateDecision
{
    public required bool Passed { get; init; }

    public required IReadOnlyList<GateReason> Reasons { get; init; }

    /// <summary>Codes of the reasons that failed.</summary>
    public IReadOnlyList<string> Failed => Reasons.Where(r => !r.Passed).Select(r => r.Code).ToArray();
}

/// <summary>One check of the gate. Codes are stable: <c>min_cases</c>, <c>primary_ci_lower_bound</c>,
/// <c>primary_p_value</c>, <c>candidate_error_rate</c>, <c>guard_&lt;metric&gt;</c>.</summary>
public sealed record GateReason
{
    public required string Code { get; init; }

    public required bool Passed { get; init; }

    public required string Detail { get; init; }

    public double? Value { get; init; }

    public double? Threshold { get; init; }
}

public sealed record ReportCounts
{
    public int Cases { get; init; }

    public int ToolCallCases { get; init; }

    public int AnswerCases { get; init; }

    public int CandidateErrors { get; init; }

    public int BaselineErrors { get; init; }

    /// <summary>Shadow: runs compared per side.</summary>
    public int? CandidateRuns { get; init; }

    public int? BaselineRuns { get; init; }

    /// <summary>Shadow: tasks only one side ran (not compared).</summary>
    public int? CandidateOnlyTasks { get; init; }

    public int? BaselineOnlyTasks { get; init; }
}

public sealed record ToolBreakdown
{
    public required string Tool { get; init; }

    public required int Cases { get; init; }

    public required IReadOnlyDictionary<string, double?> Candidate { get; init; }

    public required IReadOnlyDictionary<string, double?> Baseline { get; init; }
}

/// <summary>One case. Replay: a step of a run (<see cref="TrajectoryId"/>, <see cref="TurnIndex"/>, the
/// <see cref="Reference"/> and each model's output). Shadow: a task (<see cref="TaskKey"/>, each model's runs).</summary>
public sealed record EvaluationCase
{
    public required string CaseId { get; init; }

    public string? TrajectoryId { get; init; }

    public string? TaskKey { get; init; }

    public int? TurnIndex { get; init; }

    public CaseReference? Reference { get; init; }

    public required CaseOutput Candidate { get; init; }

    public required CaseOutput Baseline { get; init; }

    /// <summary>The candidate's scores on this case.</summary>
    public required CaseScores Scores { get; init; }

    /// <summary>The baseline's scores on this case.</summary>
    public required CaseScores BaselineScores { get; init; }
}

public sealed record CaseReference
{
    /// <summary><c>tool_call</c> or <c>answer</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Name of the first call.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Name { get; init; }

    /// <summary>Arguments of the first call.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonElement? Arguments { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<CallView>? Calls { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Text { get; init; }
}

public sealed record CallView
{
    public required string Name { get; init; }

    public JsonElement? Arguments { get; init; }

    /// <summary>Arguments as produced when they were not valid JSON.</summary>
    public string? RawArguments { get; init; }
}

/// <summary>What one model did on a case. Replay fields: name/arguments of its first call, all calls, text, error,
/// latency, tokens. Shadow fields: its runs of the task.</summary>
public sealed record CaseOutput
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonElement? Arguments { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<CallView>? Calls { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Error { get; init; }

    public string? ErrorCode { get; init; }

    public double? LatencyMs { get; init; }

    public int? PromptTokens { get; init; }

    public int? CompletionTokens { get; init; }

    public int? Attempts { get; init; }

    public IReadOnlyList<string>? RunIds { get; init; }

    public IReadOnlyList<RunOutcome>? Outcomes { get; init; }
}

/// <summary>Shadow: one run of a task.</summary>
public sealed record RunOutcome
{
    public required string RunId { get; init; }

    public required bool Success { get; init; }

    /// <summary>Where success came from: <c>reward</c>, <c>goals_met</c>, <c>status</c> or <c>verdict</c>.</summary>
    public required string SuccessSource { get; init; }

    public double? Reward { get; init; }

    public string? Status { get; init; }

    public bool Accepted { get; init; }

    public int Steps { get; init; }

    public int ToolResults { get; init; }

    public int ToolErrors { get; init; }

    public int? Tokens { get; init; }

    public string? Answer { get; init; }
}

/// <summary>Scores of one model on one case; only the fields of the mode are set.</summary>
public sealed record CaseScores
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool? NameMatch { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool? ArgsMatch { get; init; }

    /// <summary>Why the arguments did not match (a <see cref="MatchResult"/> code).</summary>
    public string? ArgsError { get; init; }

    public bool? CallMatch { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? Similarity { get; init; }

    public bool? ExactMatch { get; init; }

    /// <summary>Set when the output held a call the agent could not execute (a <see cref="ToolCallValidator"/> code).</summary>
    public string? InvalidCall { get; init; }

    public double? ActionScore { get; init; }

    public double? Success { get; init; }

    public double? Steps { get; init; }

    public double? ToolErrorRate { get; init; }

    public double? AnswerAgreement { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EvaluationReport))]
[JsonSerializable(typeof(Dictionary<string, JsonElement[]>))]
[JsonSerializable(typeof(JsonElement[]))]
internal sealed partial class EvaluationJsonContext : JsonSerializerContext;

internal static class EvaluationJson
{
    public static EvaluationJsonContext Compact { get; } = new(WhetstoneJson.CreateOptions(indented: false));

    public static EvaluationJsonContext Indented { get; } = new(WhetstoneJson.CreateOptions(indented: true));
}
