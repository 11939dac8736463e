using Whetstone.Datasets;

namespace Whetstone.Storage;

/// <summary>Dataset snapshots and the evaluation-snapshot pointer.</summary>
public interface ISnapshotStore
{
    /// <summary>Starts writing a new snapshot. Items are added in order; <see cref="ISnapshotWriter.CommitAsync"/>
    /// stores them with the snapshot record in one transaction. Disposing without commit stores nothing.</summary>
    Task<ISnapshotWriter> BeginAsync(CancellationToken cancellationToken = default);

    Task<Snapshot?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Snapshots, newest first.</summary>
    Task<IReadOnlyList<Snapshot>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Streams the snapshot's runs in order, each with its content as it was frozen, verified against the
    /// pinned SHA-256 (a run changed since is read from its archived version). Throws
    /// <see cref="ErrorCode.StoreFailure"/> when frozen content is missing.</summary>
    IAsyncEnumerable<SnapshotEntry> StreamEntriesAsync(string id, Split? split = null, CancellationToken cancellationToken = default);

    /// <summary>The items only (no content), for planning and listing.</summary>
    IAsyncEnumerable<SnapshotItem> StreamItemsAsync(string id, Split? split = null, CancellationToken cancellationToken = default);

    /// <summary>The snapshot whose eval split candidates are measured on (null before the first snapshot).</summary>
    Task<EvalPointer?> GetEvalPointerAsync(CancellationToken cancellationToken = default);

    Task SetEvalPointerAsync(EvalPointer pointer, CancellationToken cancellationToken = default);
}

/// <summary>Which snapshot is the evaluation snapshot, since when and set by whom.</summary>
public sealed record EvalPointer(string SnapshotId, DateTimeOffset SetAt, string SetBy);

/// <summary>A snapshot being written.</summary>
public interface ISnapshotWriter : IAsyncDisposable
{
    Task AddAsync(SnapshotItem item, CancellationToken cancellationToken = default);

    /// <summary>Distinct split keys (task clusters) per split among the items added so far.</summary>
    Task<IReadOnlyDictionary<Split, long>> CountClustersAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores the snapshot. Returns false (and stores nothing) when a snapshot with this id exists.</summary>
    Task<bool> CommitAsync(Snapshot snapshot, CancellationToken cancellationToken = default);
}
