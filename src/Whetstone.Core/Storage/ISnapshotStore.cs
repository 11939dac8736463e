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

    /// <summary>Streams the snapshot's runs in order, each with the run's <em>current</em> stored content. A run whose
    /// content changed after the snapshot no longer matches its pin (<see cref="SnapshotEntry.MatchesPin"/>): read its
    /// frozen content with <see cref="ReadPinnedAsync"/>, or use <see cref="PinnedEntries.StreamAsync"/>, which does both.
    /// Hashing is left to the caller so it can run on every core.</summary>
    IAsyncEnumerable<SnapshotEntry> StreamEntriesAsync(string id, Split? split = null, CancellationToken cancellationToken = default);

    /// <summary>The content of a run exactly as the snapshot pinned it (its archived version). Throws
    /// <see cref="ErrorCode.StoreFailure"/> when it is missing.</summary>
    Task<byte[]> ReadPinnedAsync(SnapshotItem item, CancellationToken cancellationToken = default);

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

/// <summary>A snapshot's runs exactly as frozen: each entry checked against its pin, a changed run replaced by its
/// archived content.</summary>
public static class PinnedEntries
{
    public static async IAsyncEnumerable<SnapshotEntry> StreamAsync(ISnapshotStore store, string id, Split? split = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await foreach (var entry in store.StreamEntriesAsync(id, split, cancellationToken))
        {
            yield return entry.MatchesPin() ? entry : new SnapshotEntry(entry.Item, await store.ReadPinnedAsync(entry.Item, cancellationToken));
        }
    }
}
