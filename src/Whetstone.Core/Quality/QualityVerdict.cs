namespace Whetstone.Quality;

/// <summary>The quality stage's judgement of one trajectory: whether it is training material, why, and which
/// assistant turns should be learned (weight 1) or kept as context only (weight 0).</summary>
public sealed record QualityVerdict
{
    public const string NoPolicyReason = "no_policy";

    public required bool Accepted { get; init; }

    /// <summary>0..1.</summary>
    public required double Score { get; init; }

    /// <summary>Stable snake_case reason codes of the signals that rejected the run (empty when accepted); a rejected
    /// verdict has at least one.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    public IReadOnlyList<QualitySignal> Signals { get; init; } = [];

    public required string PolicyVersion { get; init; }

    /// <summary><c>reported</c> when the score starts from the outcome the agent reported, <c>inferred</c> when it
    /// was inferred from the run itself (label-free); null for verdicts made without a policy.</summary>
    public string? Basis { get; init; }

    /// <summary>One weight (0 or 1) per assistant message, in message order.</summary>
    public IReadOnlyList<int> TurnWeights { get; init; } = [];

    /// <summary>Task cluster id used by dataset splits: runs with the same task key or normalised task text, or
    /// near-duplicates of each other (across models), share it. Set by the set-level rescoring
    /// (<see cref="QualityService.RescoreAsync"/>); null until then.</summary>
    public string? ClusterId { get; init; }

    /// <summary>Set when this run is a near-duplicate of a better run of the same model.</summary>
    public string? NearDuplicateOf { get; init; }

    /// <summary>A human decision that wins over the rules; survives re-scoring.</summary>
    public HumanOverride? Override { get; init; }

    public DateTimeOffset? ScoredAt { get; init; }

    /// <summary>The verdict used before a quality policy exists: everything accepted, every turn learned.</summary>
    public static QualityVerdict NoPolicy(int assistantTurns) => new()
    {
        Accepted = true,
        Score = 1.0,
        Reasons = [NoPolicyReason],
        PolicyVersion = "none",
        TurnWeights = Enumerable.Repeat(1, assistantTurns).ToArray(),
    };
}

/// <summary>One piece of evidence behind a verdict.</summary>
public sealed record QualitySignal
{
    /// <summary>Stable snake_case code (also the reason code when the signal rejects).</summary>
    public required string Code { get; init; }

    /// <summary><c>run</c> for per-run rules applied at ingest, <c>set</c> for rules that depend on other runs
    /// (near-duplicates, inefficient paths), recomputed on rescore and snapshot.</summary>
    public string Scope { get; init; } = "run";

    /// <summary>Signed contribution to the score.</summary>
    public double Contribution { get; init; }

    /// <summary>Whether this signal alone rejects the run under the policy.</summary>
    public bool Rejects { get; init; }

    /// <summary>Human-readable explanation (never trajectory text beyond short tool names).</summary>
    public string? Detail { get; init; }

    /// <summary>Assistant turn indexes (0-based among assistant messages) the signal concerns.</summary>
    public IReadOnlyList<int>? Turns { get; init; }

    /// <summary>The signal marks its <see cref="Turns"/> as a detour: kept as context, weight 0.</summary>
    public bool Detour { get; init; }
}

/// <summary>A reviewer's decision on a run.</summary>
public sealed record HumanOverride
{
    public required bool Accepted { get; init; }

    public required string Reason { get; init; }

    public required string Actor { get; init; }

    public required DateTimeOffset At { get; init; }
}
