using System.Runtime.CompilerServices;
using Whetstone.Datasets;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Core.Tests.Datasets;

/// <summary>An in-memory snapshot store holding one snapshot's entries.</summary>
internal sealed class FakeSnapshotStore : ISnapshotStore
{
    private readonly Snapshot _snapshot;
    private readonly List<SnapshotEntry> _entries;

    public FakeSnapshotStore(IEnumerable<(Trajectory Trajectory, Split Split, string Weights)> runs)
    {
        _entries = runs.Select((r, i) => Pinned(i, r.Trajectory, r.Split, r.Weights)).ToList();
        _snapshot = new Snapshot
        {
            Id = "snap-test",
            Hash = new string('0', 64),
            CreatedAt = DateTimeOffset.UnixEpoch,
            Parameters = new SplitParameters(),
            Counts = new SnapshotCounts
            {
                Train = _entries.Count(e => e.Item.Split == Split.Train),
                Validation = _entries.Count(e => e.Item.Split == Split.Validation),
                Eval = _entries.Count(e => e.Item.Split == Split.Eval),
            },
        };
    }

    private static SnapshotEntry Pinned(int i, Trajectory t, Split split, string weights)
    {
        var doc = System.Text.Encoding.UTF8.GetBytes(WhetstoneJson.Serialize(t));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(doc));
        return new SnapshotEntry(new SnapshotItem(i, t.Id, split, "k" + i, sha, weights), doc);
    }

    public Task<byte[]> ReadPinnedAsync(SnapshotItem item, CancellationToken cancellationToken = default) =>
        Task.FromResult(_entries.Single(e => e.Item.Ordinal == item.Ordinal).Doc);

    public Task<Snapshot?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(id == _snapshot.Id ? _snapshot : null);

    public async IAsyncEnumerable<SnapshotEntry> StreamEntriesAsync(string id, Split? split = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var e in _entries.Where(e => split is null || e.Item.Split == split))
        {
            await Task.Yield();
            yield return e;
        }
    }

    public async IAsyncEnumerable<SnapshotItem> StreamItemsAsync(string id, Split? split = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in StreamEntriesAsync(id, split, cancellationToken))
        {
            yield return e.Item;
        }
    }

    public Task<ISnapshotWriter> BeginAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException("read-only fake");

    public Task<IReadOnlyList<Snapshot>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Snapshot>>([_snapshot]);

    public Task<EvalPointer?> GetEvalPointerAsync(CancellationToken cancellationToken = default) => Task.FromResult<EvalPointer?>(null);

    public Task SetEvalPointerAsync(EvalPointer pointer, CancellationToken cancellationToken = default) => throw new NotSupportedException("read-only fake");
}
