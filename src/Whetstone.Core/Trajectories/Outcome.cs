using System.Text.Json.Serialization;

namespace Whetstone.Trajectories;

public enum OutcomeStatus
{
    [JsonStringEnumMemberName("unknown")] Unknown,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("abandoned")] Abandoned,
}

/// <summary>What the agent (or its user) reported about how the run ended. Every field is optional: many agents
/// report nothing, and the quality stage then infers from the run itself.</summary>
public sealed record Outcome
{
    public static readonly Outcome Unknown = new();

    public OutcomeStatus Status { get; init; } = OutcomeStatus.Unknown;

    public bool? GoalsMet { get; init; }

    /// <summary>A substantive answer reached the user.</summary>
    public bool? Delivered { get; init; }

    /// <summary>Number of tool failures the agent left unresolved.</summary>
    public int? UnresolvedFailures { get; init; }

    /// <summary>The agent only sent status/acknowledgement messages.</summary>
    public bool? StatusOnly { get; init; }

    /// <summary>A reward in 0..1 when the agent or an evaluator reports one.</summary>
    public double? Reward { get; init; }

    public string? Notes { get; init; }

    public IReadOnlyList<Feedback> Feedback { get; init; } = [];

    [JsonIgnore]
    public bool IsReported =>
        Status != OutcomeStatus.Unknown || GoalsMet is not null || Delivered is not null ||
        UnresolvedFailures is not null || StatusOnly is not null || Reward is not null || Feedback.Count > 0;
}

/// <summary>One piece of user or reviewer feedback on a run.</summary>
public sealed record Feedback
{
    /// <summary><c>positive</c>, <c>negative</c> or <c>neutral</c>.</summary>
    public string? Rating { get; init; }

    /// <summary>An optional numeric score in 0..1.</summary>
    public double? Score { get; init; }

    public string? Comment { get; init; }

    /// <summary>Who gave it (user, reviewer, a system).</summary>
    public string? From { get; init; }

    public DateTimeOffset? At { get; init; }
}
