using System.Text.Json.Serialization;

namespace Whetstone.Registry;

/// <summary>A model that could run the agent. Immutable once registered: promotion and rollback move aliases,
/// never edit candidates.</summary>
public sealed record Candidate
{
    /// <summary><c>cand-</c> + 12 hex digits of SHA-256 over model, client spec and source job: registering the
    /// same model, client and job again gives the same id.</summary>
    public required string Id { get; init; }

    public required string Model { get; init; }

    /// <summary>How to call it: <c>openai:URL</c>, <c>gguf:PATH</c>, <c>replay:FILE</c> or <c>none</c>. Never holds a
    /// credential (API keys come from configuration).</summary>
    public required string Client { get; init; }

    /// <summary>The provider written to the live config: the client spec's kind (<c>openai</c>, <c>gguf</c>, …).</summary>
    public required string Provider { get; init; }

    /// <summary>The endpoint written to the live config: the URL or path of the client spec (null for <c>none</c>).</summary>
    public string? Endpoint { get; init; }

    /// <summary>The training job that produced it, with that job's snapshot.</summary>
    public string? Job { get; init; }

    public string? SnapshotId { get; init; }

    public string? SnapshotHash { get; init; }

    public string? Artifact { get; init; }

    public string? ArtifactSha256 { get; init; }

    /// <summary>Free notes, redacted before they are stored.</summary>
    public string? Notes { get; init; }

    public required string RegisteredBy { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>One evaluation of a candidate against a baseline on a snapshot's eval split, as stored. The full
/// report is kept as JSON; the columns the promotion gate checks are fields.</summary>
public sealed record EvaluationRecord
{
    public required string Id { get; init; }

    public required string CandidateId { get; init; }

    public required string BaselineId { get; init; }

    public required string SnapshotId { get; init; }

    /// <summary><c>replay</c> or <c>shadow</c>.</summary>
    public required string Mode { get; init; }

    public required bool Passed { get; init; }

    public IReadOnlyList<string> Reasons { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; init; }

    public string? Actor { get; init; }

    /// <summary>The whole report as JSON text.</summary>
    public required string ReportJson { get; init; }
}

/// <summary>The movable names: <c>live</c> is the truth of what the agent runs; <c>previous</c> is what ran before.</summary>
public sealed record Aliases(string? Live, string? Previous);

public enum RequestStatus
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("approved")] Approved,
    [JsonStringEnumMemberName("superseded")] Superseded,
}

/// <summary>A request to make a candidate live, accepted because it had a passing, current evaluation.</summary>
public sealed record PromotionRequest
{
    public required string Id { get; init; }

    public required string CandidateId { get; init; }

    public required string EvaluationId { get; init; }

    /// <summary>The live candidate and evaluation snapshot the evaluation was measured against.</summary>
    public required string BaselineId { get; init; }

    public required string SnapshotId { get; init; }

    public required string RequestedBy { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    public RequestStatus Status { get; init; } = RequestStatus.Pending;

    public string? ApprovedBy { get; init; }

    public DateTimeOffset? ApprovedAt { get; init; }
}

public enum ChangeKind
{
    [JsonStringEnumMemberName("promotion")] Promotion,
    [JsonStringEnumMemberName("rollback")] Rollback,
}

public enum ChangeState
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("done")] Done,
}

/// <summary>One change of what is live: a promotion or a rollback. Recorded as pending before the live config is
/// written and as done after, so a crash in between is completed by the next command.</summary>
public sealed record LiveChange
{
    /// <summary><c>prom-N</c> for promotions, <c>rb-N</c> for rollbacks (N is the history sequence).</summary>
    public required string Id { get; init; }

    public long Sequence { get; init; }

    public required ChangeKind Kind { get; init; }

    public required ChangeState State { get; init; }

    public string? CandidateBefore { get; init; }

    public required string CandidateAfter { get; init; }

    /// <summary>The alias <c>previous</c> after this change.</summary>
    public string? PreviousAfter { get; init; }

    public string? RequestId { get; init; }

    /// <summary>For rollbacks: the change undone (<c>rollback</c>) or the promotion returned to (<c>--to</c>).</summary>
    public string? Target { get; init; }

    public required string Actor { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The live config file written (null when none is configured).</summary>
    public string? ConfigPath { get; init; }

    public IReadOnlyList<ConfigChange> Changes { get; init; } = [];
}

/// <summary>One key of the live config: its raw text before and after (null: the key was absent).</summary>
public sealed record ConfigChange(string Key, string? Before, string? After);
