using System.Security.Cryptography;
using System.Text;
using Whetstone.Datasets;
using Whetstone.Storage;
using Whetstone.Tests;
using Whetstone.Training;

namespace Whetstone.Storage.Contracts;

/// <summary>The behaviour every <see cref="ISnapshotStore"/> and <see cref="IJobStore"/> must have.</summary>
public abstract class SnapshotStoreContract : IAsyncLifetime
{
    private IWhetstoneStore? _store;

    protected abstract Task<IWhetstoneStore> CreateStoreAsync();

    protected IWhetstoneStore Store => _store!;

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static Snapshot SnapshotRecord(string id) => new()
    {
        Id = id,
        Hash = new string('a', 64),
        CreatedAt = new DateTimeOffset(2026, 11, 3, 0, 0, 0, TimeSpan.Zero),
        Parameters = new SplitParameters(),
        Counts = new SnapshotCounts { Train = 2, Eval = 1 },
        PolicyVersions = ["p1"],
    };

    /// <summary>Stores three runs and a snapshot of them pinning their current content.</summary>
    private async Task<string> TakeAsync(string id = "snap-1")
    {
        await Store.Trajectories.InsertAsync([Some.Stored(Some.FullTrajectory("a")), Some.Stored(Some.FullTrajectory("b")), Some.Stored(Some.FullTrajectory("c"))]);
        await using var writer = await Store.Snapshots.BeginAsync();
        long ordinal = 0;
        await foreach (var raw in Store.Trajectories.StreamRawAsync())
        {
            var split = raw.Id == "b" ? Split.Eval : Split.Train;
            await writer.AddAsync(new SnapshotItem(ordinal++, raw.Id, split, "key-" + raw.Id, Sha(raw.Doc), "10"));
        }

        Assert.True(await writer.CommitAsync(SnapshotRecord(id)));
        return id;
    }

    private static string Sha(byte[] doc) => Convert.ToHexStringLower(SHA256.HashData(doc));

    [Fact]
    public async Task Commit_ThenRead_ReturnsRecordItemsAndEntries()
    {
        var id = await TakeAsync();

        var snapshot = await Store.Snapshots.GetAsync(id);
        var items = new List<SnapshotItem>();
        await foreach (var i in Store.Snapshots.StreamItemsAsync(id))
        {
            items.Add(i);
        }

        var eval = new List<SnapshotEntry>();
        await foreach (var e in PinnedEntries.StreamAsync(Store.Snapshots, id, Split.Eval))
        {
            eval.Add(e);
        }

        Assert.NotNull(snapshot);
        Assert.Equal(["p1"], snapshot.PolicyVersions);
        Assert.Equal(["a", "b", "c"], items.Select(i => i.TrajectoryId));
        Assert.Equal([1, 0], items[0].TurnWeights);
        Assert.Equal("b", Assert.Single(eval).Trajectory.Id);
        Assert.Equal(id, Assert.Single(await Store.Snapshots.ListAsync()).Id);
    }

    [Fact]
    public async Task Dispose_WithoutCommit_StoresNothing()
    {
        await Store.Trajectories.InsertAsync([Some.Stored(Some.FullTrajectory("a"))]);
        await using (var writer = await Store.Snapshots.BeginAsync())
        {
            await writer.AddAsync(new SnapshotItem(0, "a", Split.Train, "k", "sha", "1"));
        }

        Assert.Empty(await Store.Snapshots.ListAsync());
    }

    [Fact]
    public async Task Commit_ExistingId_ReturnsFalseAndKeepsTheFirst()
    {
        var id = await TakeAsync();
        await using var writer = await Store.Snapshots.BeginAsync();
        await writer.AddAsync(new SnapshotItem(0, "a", Split.Train, "k", "sha", "1"));

        var created = await writer.CommitAsync(SnapshotRecord(id));

        Assert.False(created);
        var count = 0;
        await foreach (var _ in Store.Snapshots.StreamItemsAsync(id))
        {
            count++;
        }

        Assert.Equal(3, count);
    }

    [Fact]
    public async Task StreamEntries_RunChangedAfterSnapshot_ReturnsFrozenContent()
    {
        var id = await TakeAsync();

        await Store.Trajectories.UpdateAsync("a", s => s with { Trajectory = s.Trajectory with { Task = "changed later" } });

        var entries = new List<SnapshotEntry>();
        await foreach (var e in Store.Snapshots.StreamEntriesAsync(id))
        {
            Assert.Equal(e.Item.TrajectoryId != "a", e.MatchesPin());
        }

        await foreach (var e in PinnedEntries.StreamAsync(Store.Snapshots, id))
        {
            entries.Add(e);
        }

        Assert.Equal("Where is my order 1234?", entries[0].Trajectory.Task);
        Assert.All(entries, e => Assert.True(e.MatchesPin()));
        Assert.Equal("changed later", (await Store.Trajectories.GetAsync("a"))!.Trajectory.Task);
    }

    [Fact]
    public async Task StreamEntries_PinnedContentMissing_IsStoreFailure()
    {
        await Store.Trajectories.InsertAsync([Some.Stored(Some.FullTrajectory("a"))]);
        await using (var writer = await Store.Snapshots.BeginAsync())
        {
            await writer.AddAsync(new SnapshotItem(0, "a", Split.Train, "k", new string('f', 64), "1"));
            await writer.CommitAsync(SnapshotRecord("snap-bad"));
        }

        var e = await Assert.ThrowsAsync<WhetstoneException>(async () =>
        {
            await foreach (var _ in PinnedEntries.StreamAsync(Store.Snapshots, "snap-bad"))
            {
            }
        });

        Assert.Equal(ErrorCode.StoreFailure, e.Code);
        Assert.Contains("'a'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CountClusters_CountsDistinctKeysPerSplit()
    {
        await using var writer = await Store.Snapshots.BeginAsync();
        await writer.AddAsync(new SnapshotItem(0, "a", Split.Train, "k1", "s", "1"));
        await writer.AddAsync(new SnapshotItem(1, "b", Split.Train, "k1", "s", "1"));
        await writer.AddAsync(new SnapshotItem(2, "c", Split.Train, "k2", "s", "1"));
        await writer.AddAsync(new SnapshotItem(3, "d", Split.Eval, "k3", "s", "1"));

        var clusters = await writer.CountClustersAsync();

        Assert.Equal(2, clusters[Split.Train]);
        Assert.Equal(1, clusters[Split.Eval]);
        Assert.False(clusters.ContainsKey(Split.Validation));
    }

    [Fact]
    public async Task EvalPointer_SetThenGet_RoundTrips()
    {
        Assert.Null(await Store.Snapshots.GetEvalPointerAsync());
        var at = new DateTimeOffset(2026, 11, 4, 5, 6, 7, TimeSpan.Zero);

        await Store.Snapshots.SetEvalPointerAsync(new EvalPointer("snap-1", at, "ana"));
        await Store.Snapshots.SetEvalPointerAsync(new EvalPointer("snap-2", at, "bo"));

        Assert.Equal(new EvalPointer("snap-2", at, "bo"), await Store.Snapshots.GetEvalPointerAsync());
    }

    private static JobManifest Job(string id, string snapshot = "snap-1") => new()
    {
        Id = id,
        CreatedAt = new DateTimeOffset(2026, 11, 5, 0, 0, 0, TimeSpan.Zero),
        SnapshotId = snapshot,
        SnapshotHash = new string('a', 64),
        Trainer = "trl",
        BaseModel = "m",
        Method = "lora",
        Format = "hf",
        Folder = "/tmp/j",
        OutputDir = "/tmp/j/out",
        Command = ["trl", "sft"],
    };

    [Fact]
    public async Task SaveJob_Twice_KeepsTheFirst()
    {
        Assert.True(await Store.Jobs.SaveJobAsync(Job("job-1")));
        Assert.False(await Store.Jobs.SaveJobAsync(Job("job-1") with { BaseModel = "other" }));

        Assert.Equal("m", (await Store.Jobs.GetJobAsync("job-1"))!.BaseModel);
        Assert.Null(await Store.Jobs.GetJobAsync("job-x"));
        Assert.Single(await Store.Jobs.ListJobsAsync());
    }

    [Fact]
    public async Task AppendLaunch_NumbersInOrder_AndListsPerJob()
    {
        var at = DateTimeOffset.UnixEpoch;
        var l1 = await Store.Jobs.AppendLaunchAsync(new LaunchRecord { JobId = "job-1", Status = LaunchStatus.DryRun, Argv = ["x"], StartedAt = at });
        var l2 = await Store.Jobs.AppendLaunchAsync(new LaunchRecord { JobId = "job-2", Status = LaunchStatus.Failed, Argv = ["y", "a b"], StartedAt = at, ExitCode = 3 });

        Assert.True(l2.Sequence > l1.Sequence);
        Assert.Equal(2, (await Store.Jobs.ListLaunchesAsync()).Count);
        var only = Assert.Single(await Store.Jobs.ListLaunchesAsync("job-2"));
        Assert.Equal(["y", "a b"], only.Argv);
        Assert.Equal(3, only.ExitCode);
    }
}
