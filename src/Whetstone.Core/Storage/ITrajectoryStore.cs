using Whetstone.Quality;

namespace Whetstone.Storage;

/// <summary>Where accepted and rejected runs are kept. Implementations: SQLite (default) and PostgreSQL; both
/// pass the same contract suite. Every method is safe to call from several threads.</summary>
public interface ITrajectoryStore
{
    /// <summary>Inserts a batch in one transaction. Idempotent by id: a trajectory whose id is already stored is
    /// left as it is and reported as a duplicate. Returns one result per input, in input order.</summary>
    Task<IReadOnlyList<InsertResult>> InsertAsync(IReadOnlyList<StoredTrajectory> batch, CancellationToken cancellationToken = default);

    Task<StoredTrajectory?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Streams matching trajectories in insertion order without holding them all in memory.</summary>
    IAsyncEnumerable<StoredTrajectory> StreamAsync(TrajectoryFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>Streams runs as stored — canonical JSON as UTF-8 bytes plus the verdict and redaction JSON — without
    /// deserialising them (snapshots hash the stored bytes).</summary>
    IAsyncEnumerable<RawTrajectory> StreamRawAsync(TrajectoryFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>Reads, changes and writes one trajectory in a single transaction (outcome and feedback arriving
    /// later, a human override). When the run's content changes, the previous content is kept as an archived
    /// version so snapshots that include it stay reproducible. Throws <see cref="WhetstoneException"/> with <see cref="ErrorCode.NotFound"/>
    /// when the id is unknown.</summary>
    Task<StoredTrajectory> UpdateAsync(string id, Func<StoredTrajectory, StoredTrajectory> change, CancellationToken cancellationToken = default);

    /// <summary>Replaces verdicts (re-scoring) in one transaction per call. A verdict without a human override keeps
    /// the override stored at the time of the write (overrides change through <see cref="UpdateAsync"/>), so a
    /// review recorded during a rescore survives it.</summary>
    Task UpdateVerdictsAsync(IReadOnlyList<KeyValuePair<string, QualityVerdict>> verdicts, CancellationToken cancellationToken = default);

    Task<StoreCounts> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Only the totals (cheap on a large store): runs, accepted runs, the last sequence number.</summary>
    Task<StoreTotals> TotalsAsync(CancellationToken cancellationToken = default);
}

public sealed record StoreTotals(long Total, long Accepted, long LastSequence);

/// <summary>A stored run as bytes: <see cref="Doc"/> is the canonical trajectory JSON exactly as stored.</summary>
public sealed record RawTrajectory(long Sequence, string Id, string? ModelName, string? TaskKey, bool Accepted,
    byte[] Doc, string VerdictJson, string RedactionJson);

public enum InsertResult
{
    Inserted,
    Duplicate,
}

/// <summary>Which trajectories to stream. Null members do not filter.</summary>
public sealed record TrajectoryFilter
{
    public bool? Accepted { get; init; }

    public string? ModelName { get; init; }

    public string? TaskKey { get; init; }

    public IReadOnlyCollection<string>? Ids { get; init; }

    /// <summary>Only trajectories inserted after this sequence number.</summary>
    public long AfterSequence { get; init; }

    public int? Limit { get; init; }

    /// <summary>Newest first instead of insertion order.</summary>
    public bool NewestFirst { get; init; }
}

/// <summary>Totals of the store.</summary>
public sealed record StoreCounts
{
    public long Total { get; init; }

    public long Accepted { get; init; }

    public long Rejected { get; init; }

    /// <summary>Number of trajectories carrying each reason code.</summary>
    public IReadOnlyDictionary<string, long> ByReason { get; init; } = new Dictionary<string, long>();

    /// <summary>Number of trajectories per model name (runs without a model under <c>(none)</c>).</summary>
    public IReadOnlyDictionary<string, long> ByModel { get; init; } = new Dictionary<string, long>();

    /// <summary>Sum of redaction counts by kind over all trajectories.</summary>
    public IReadOnlyDictionary<string, long> RedactedByKind { get; init; } = new Dictionary<string, long>();

    public long LastSequence { get; init; }
}
