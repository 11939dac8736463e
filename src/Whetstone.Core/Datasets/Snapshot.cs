using System.Text.Json.Serialization;

namespace Whetstone.Datasets;

public enum Split
{
    [JsonStringEnumMemberName("train")] Train,
    [JsonStringEnumMemberName("validation")] Validation,
    [JsonStringEnumMemberName("eval")] Eval,
}

/// <summary>The names splits go by in files, stores and JSON (<c>train</c>, <c>validation</c>, <c>eval</c>).</summary>
public static class SplitNames
{
    public static string Name(Split split) => split switch
    {
        Split.Train => "train",
        Split.Validation => "validation",
        _ => "eval",
    };

    public static Split Parse(string name) => name switch
    {
        "train" => Split.Train,
        "validation" => Split.Validation,
        "eval" => Split.Eval,
        _ => throw new WhetstoneException(ErrorCode.StoreFailure, $"unknown split '{name}'"),
    };
}

/// <summary>How a snapshot splits its runs. Part of the snapshot's content hash.</summary>
public sealed record SplitParameters
{
    public double EvalFraction { get; init; } = 0.2;

    public double ValidationFraction { get; init; } = 0.1;

    public int Seed { get; init; } = 42;
}

/// <summary>An immutable, content-addressed set of accepted trajectories with a train / validation / eval split by
/// task cluster. The id is derived from a SHA-256 over every included run's redacted content and verdict, the
/// policy versions and the split parameters: the same accepted set gives the same id.</summary>
public sealed record Snapshot
{
    public required string Id { get; init; }

    /// <summary>Full hex SHA-256 the id is taken from.</summary>
    public required string Hash { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    public required SplitParameters Parameters { get; init; }

    /// <summary>Quality policy versions of the included verdicts.</summary>
    public IReadOnlyList<string> PolicyVersions { get; init; } = [];

    public required SnapshotCounts Counts { get; init; }

    /// <summary>Tool names used or offered in the included runs.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Redactions in the included runs, by kind (counts only).</summary>
    public IReadOnlyDictionary<string, long> Redactions { get; init; } = new Dictionary<string, long>();

    /// <summary>Runs per model name in the snapshot.</summary>
    public IReadOnlyDictionary<string, long> Models { get; init; } = new Dictionary<string, long>();
}

public sealed record SnapshotCounts
{
    public long Train { get; init; }

    public long Validation { get; init; }

    public long Eval { get; init; }

    public long Total => Train + Validation + Eval;

    /// <summary>Distinct task clusters per split.</summary>
    public long TrainClusters { get; init; }

    public long ValidationClusters { get; init; }

    public long EvalClusters { get; init; }

    public long Of(Split split) => split switch
    {
        Split.Train => Train,
        Split.Validation => Validation,
        _ => Eval,
    };
}

/// <summary>One run in a snapshot: which split, by which cluster key, the SHA-256 of its stored redacted content
/// and its learned turns (the verdict's turn weights, frozen: one character per assistant turn, '1' or '0').</summary>
public sealed record SnapshotItem(long Ordinal, string TrajectoryId, Split Split, string SplitKey, string DocSha256, string Weights)
{
    public IReadOnlyList<int> TurnWeights => Weights.Select(c => c == '1' ? 1 : 0).ToArray();
}
