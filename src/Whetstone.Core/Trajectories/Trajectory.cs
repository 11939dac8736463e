using System.Text.Json;

namespace Whetstone.Trajectories;

/// <summary>
/// One completed run of an agent in Whetstone's canonical form. Every reader produces this shape; every later stage
/// (redaction, quality, datasets, evaluation) reads only this shape. Instances are immutable: a stage that changes a
/// run (the redactor) returns a new one.
/// </summary>
public sealed record Trajectory
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The id the agent gave, else <c>t-</c> + 24 hex digits of SHA-256 over the run as received.</summary>
    public required string Id { get; init; }

    public string? AgentId { get; init; }

    public string? SessionId { get; init; }

    /// <summary>Where the run came from: a channel (telegram, http, cli) or the importing format.</summary>
    public string? Source { get; init; }

    /// <summary>The user's request that started the run.</summary>
    public string? Task { get; init; }

    /// <summary>Optional key shared by runs of the same task (for example across models); quality clusters and
    /// shadow evaluation pair runs by it, falling back to a hash of the normalised task text.</summary>
    public string? TaskKey { get; init; }

    public ModelInfo? Model { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public IReadOnlyList<ToolSpec> Tools { get; init; } = [];

    public IReadOnlyList<Message> Messages { get; init; } = [];

    public Outcome Outcome { get; init; } = Outcome.Unknown;

    /// <summary>Free metadata (string keys, any JSON values) kept as received.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Metadata { get; init; }
}

public sealed record ModelInfo
{
    public string? Provider { get; init; }

    public string? Name { get; init; }
}

/// <summary>A tool the agent could call, with its JSON-schema parameters.</summary>
public sealed record ToolSpec
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public JsonElement? Parameters { get; init; }
}
