using System.Text.Json;
using System.Text.Json.Serialization;

namespace Whetstone.Training;

/// <summary>Everything a training job used, pinned: the snapshot and its hash, the exported files with their
/// SHA-256, token statistics, tools, redaction summary, policy versions, trainer, base model, method,
/// hyperparameters and the exact command line (or API request) the trainer needs.</summary>
public sealed record JobManifest
{
    public const int CurrentVersion = 1;

    public int ManifestVersion { get; init; } = CurrentVersion;

    public required string Id { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    public required string SnapshotId { get; init; }

    public required string SnapshotHash { get; init; }

    /// <summary><c>trl</c>, <c>axolotl</c>, <c>llamafactory</c>, <c>openai</c> or <c>custom</c>.</summary>
    public required string Trainer { get; init; }

    public required string BaseModel { get; init; }

    /// <summary><c>lora</c> or <c>full</c>.</summary>
    public required string Method { get; init; }

    /// <summary>Export format of the data files (<c>hf</c>, <c>openai</c>, <c>sharegpt</c>, …).</summary>
    public required string Format { get; init; }

    public IReadOnlyDictionary<string, JsonElement> Hyperparameters { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Job folder (<c>&lt;home&gt;/jobs/&lt;id&gt;</c>).</summary>
    public required string Folder { get; init; }

    /// <summary>Where the trainer should write its model (<c>&lt;home&gt;/jobs/&lt;id&gt;/out</c>).</summary>
    public required string OutputDir { get; init; }

    /// <summary>Data files by split (<c>train</c>, <c>validation</c>, <c>eval</c>).</summary>
    public IReadOnlyDictionary<string, JobFile> Files { get; init; } = new Dictionary<string, JobFile>();

    /// <summary>Other files the trainer reads (dataset_info.json, YAML configs).</summary>
    public IReadOnlyList<JobFile> ConfigFiles { get; init; } = [];

    public IReadOnlyDictionary<string, TokenStats> Tokens { get; init; } = new Dictionary<string, TokenStats>();

    public IReadOnlyList<string> Tools { get; init; } = [];

    public IReadOnlyDictionary<string, long> Redactions { get; init; } = new Dictionary<string, long>();

    public IReadOnlyList<string> PolicyVersions { get; init; } = [];

    /// <summary>The trainer's command line, each element one argument (never a shell string).</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>For API trainers (OpenAI fine-tuning): the request body to send after uploading the files.</summary>
    public JsonElement? ApiRequest { get; init; }

    /// <summary>Human notes on how to run the job (upload steps, environment).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>A file of a job with its checksum.</summary>
public sealed record JobFile
{
    public required string Path { get; init; }

    public required string Sha256 { get; init; }

    public long Bytes { get; init; }

    /// <summary>Examples (lines or rows) for data files.</summary>
    public long? Examples { get; init; }
}

/// <summary>Token counts (o200k) per example of one split.</summary>
public sealed record TokenStats
{
    public long Examples { get; init; }

    public long Total { get; init; }

    public long Min { get; init; }

    public long Median { get; init; }

    public long P95 { get; init; }

    public long Max { get; init; }
}

public enum LaunchStatus
{
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("dry_run")] DryRun,
    [JsonStringEnumMemberName("error")] Error,
}

/// <summary>One launch of a job's trainer (or a dry run of it), as appended to the launch history.</summary>
public sealed record LaunchRecord
{
    public long Sequence { get; init; }

    public required string JobId { get; init; }

    public required LaunchStatus Status { get; init; }

    public required IReadOnlyList<string> Argv { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public long DurationMs { get; init; }

    public int? ExitCode { get; init; }

    public string? LogPath { get; init; }

    public string? Actor { get; init; }

    /// <summary>Why the process could not be started (status <c>error</c>).</summary>
    public string? Error { get; init; }
}
