using Whetstone.Quality;
using Whetstone.Storage;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Storage.Contracts;

/// <summary>The behaviour every <see cref="ITrajectoryStore"/> must have. Each store's test project derives from
/// this class and provides a fresh, empty store.</summary>
public abstract class TrajectoryStoreContract : IAsyncLifetime
{
    private IWhetstoneStore? _store;

    protected abstract Task<IWhetstoneStore> CreateStoreAsync();

    protected ITrajectoryStore Store => _store!.Trajectories;

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static async Task<List<StoredTrajectory>> All(ITrajectoryStore store, TrajectoryFilter? filter = null)
    {
        var list = new List<StoredTrajectory>();
        await foreach (var s in store.StreamAsync(filter))
        {
            list.Add(s);
        }

        return list;
    }

    [Fact]
    public async Task Insert_SameIdTwice_StoresOnceAndReportsDuplicate()
    {
        var first = await Store.InsertAsync([Some.Stored(Some.FullTrajectory("a")), Some.Stored(Some.FullTrajectory("b"))]);
        var second = await Store.InsertAsync([Some.Stored(Some.FullTrajectory("b") with { Task = "changed" }), Some.Stored(Some.FullTrajectory("c"))]);

        Assert.Equal([InsertResult.Inserted, InsertResult.Inserted], first);
        Assert.Equal([InsertResult.Duplicate, InsertResult.Inserted], second);
        var all = await All(Store);
        Assert.Equal(["a", "b", "c"], all.Select(s => s.Id));
        Assert.Equal("Where is my order 1234?", all[1].Trajectory.Task);
    }

    [Fact]
    public async Task Insert_DuplicateWithinOneBatch_KeepsFirst()
    {
        var results = await Store.InsertAsync([Some.Stored(Some.FullTrajectory("x")), Some.Stored(Some.FullTrajectory("x") with { Task = "second" })]);

        Assert.Equal([InsertResult.Inserted, InsertResult.Duplicate], results);
        Assert.Equal("Where is my order 1234?", (await Store.GetAsync("x"))!.Trajectory.Task);
    }

    [Fact]
    public async Task Get_StoredTrajectory_RoundTripsEveryField()
    {
        var stored = Some.Stored(Some.FullTrajectory("full"), accepted: false, "goals_not_met", "tool_error_unrecovered");
        await Store.InsertAsync([stored]);

        var back = await Store.GetAsync("full");

        Assert.NotNull(back);
        Assert.Equal(WhetstoneJson.Serialize(stored.Trajectory), WhetstoneJson.Serialize(back.Trajectory));
        Assert.False(back.IsAccepted);
        Assert.Equal(["goals_not_met", "tool_error_unrecovered"], back.Verdict.Reasons);
        Assert.Equal(stored.IngestedAt, back.IngestedAt);
        Assert.True(back.Sequence > 0);
        Assert.Null(await Store.GetAsync("missing"));
    }

    [Fact]
    public async Task Stream_Filters_SelectByVerdictModelTaskAndIds()
    {
        await Store.InsertAsync(
        [
            Some.Stored(Some.FullTrajectory("1") with { Model = new ModelInfo { Name = "m1" }, TaskKey = "k1" }),
            Some.Stored(Some.FullTrajectory("2") with { Model = new ModelInfo { Name = "m2" }, TaskKey = "k1" }, accepted: false),
            Some.Stored(Some.FullTrajectory("3") with { Model = new ModelInfo { Name = "m1" }, TaskKey = "k2" }),
        ]);

        Assert.Equal(["1", "3"], (await All(Store, new TrajectoryFilter { Accepted = true })).Select(s => s.Id));
        Assert.Equal(["2"], (await All(Store, new TrajectoryFilter { Accepted = false })).Select(s => s.Id));
        Assert.Equal(["1", "3"], (await All(Store, new TrajectoryFilter { ModelName = "m1" })).Select(s => s.Id));
        Assert.Equal(["1", "2"], (await All(Store, new TrajectoryFilter { TaskKey = "k1" })).Select(s => s.Id));
        Assert.Equal(["3", "1"], (await All(Store, new TrajectoryFilter { Ids = ["3", "1", "zz"], NewestFirst = true })).Select(s => s.Id));
        Assert.Equal(["3"], (await All(Store, new TrajectoryFilter { Limit = 1, NewestFirst = true })).Select(s => s.Id));
        var firstSeq = (await Store.GetAsync("1"))!.Sequence;
        Assert.Equal(["2", "3"], (await All(Store, new TrajectoryFilter { AfterSequence = firstSeq })).Select(s => s.Id));
    }

    [Fact]
    public async Task Update_ChangesOutcomeAndVerdictTogether()
    {
        await Store.InsertAsync([Some.Stored(Some.FullTrajectory("u"))]);

        var updated = await Store.UpdateAsync("u", s => s with
        {
            Trajectory = s.Trajectory with { Outcome = s.Trajectory.Outcome with { Reward = 0.1 } },
            Verdict = s.Verdict with { Accepted = false, Reasons = ["low_reward"] },
        });

        var back = (await Store.GetAsync("u"))!;
        Assert.Equal(0.1, back.Trajectory.Outcome.Reward);
        Assert.False(back.IsAccepted);
        Assert.Equal(updated.Sequence, back.Sequence);
        Assert.Equal(["u"], (await All(Store, new TrajectoryFilter { Accepted = false })).Select(s => s.Id));
    }

    [Fact]
    public async Task Update_ThatThrows_LeavesStoredRunUnchanged()
    {
        await Store.InsertAsync([Some.Stored(Some.FullTrajectory("t"))]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpdateAsync("t", _ => throw new InvalidOperationException("boom")));

        Assert.True((await Store.GetAsync("t"))!.IsAccepted);
    }

    [Fact]
    public async Task Update_UnknownId_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<WhetstoneException>(() => Store.UpdateAsync("nope", s => s));

        Assert.Equal(ErrorCode.NotFound, e.Code);
    }

    [Fact]
    public async Task UpdateVerdicts_OverrideWins_AndCountsFollow()
    {
        await Store.InsertAsync([Some.Stored(Some.FullTrajectory("v1")), Some.Stored(Some.FullTrajectory("v2"))]);
        var rejected = new QualityVerdict { Accepted = false, Score = 0.1, Reasons = ["loop"], PolicyVersion = "p2" };
        var overridden = rejected with
        {
            Override = new HumanOverride { Accepted = true, Reason = "fine", Actor = "ana", At = DateTimeOffset.UnixEpoch },
        };

        await Store.UpdateVerdictsAsync([new("v1", rejected), new("v2", overridden)]);

        Assert.False((await Store.GetAsync("v1"))!.IsAccepted);
        Assert.True((await Store.GetAsync("v2"))!.IsAccepted);
        var counts = await Store.CountAsync();
        Assert.Equal(2, counts.Total);
        Assert.Equal(1, counts.Accepted);
        Assert.Equal(1, counts.Rejected);
        Assert.Equal(2, counts.ByReason["loop"]);
    }

    [Fact]
    public async Task UpdateVerdicts_WithoutOverride_KeepsTheStoredOverride()
    {
        await Store.InsertAsync([Some.Stored(Some.FullTrajectory("o1"))]);
        var reviewer = new HumanOverride { Accepted = true, Reason = "checked by hand", Actor = "ana", At = DateTimeOffset.UnixEpoch };
        await Store.UpdateAsync("o1", s => s with { Verdict = s.Verdict with { Override = reviewer } });

        await Store.UpdateVerdictsAsync([new("o1", new QualityVerdict { Accepted = false, Score = 0.1, Reasons = ["loop"], PolicyVersion = "p3" })]);

        var back = (await Store.GetAsync("o1"))!;
        Assert.True(back.IsAccepted);
        Assert.Equal("checked by hand", back.Verdict.Override!.Reason);
        Assert.Equal("p3", back.Verdict.PolicyVersion);
        Assert.Equal(["o1"], (await All(Store, new TrajectoryFilter { Accepted = true })).Select(s => s.Id));
    }

    [Fact]
    public async Task Count_EmptyStore_IsZero()
    {
        var counts = await Store.CountAsync();

        Assert.Equal(0, counts.Total);
        Assert.Empty(counts.ByReason);
        Assert.Equal(new StoreTotals(0, 0, 0), await Store.TotalsAsync());
    }

    [Fact]
    public async Task Totals_MatchTheDetailedCounts()
    {
        await Store.InsertAsync([Some.Stored(Some.FullTrajectory("t1")), Some.Stored(Some.FullTrajectory("t2"), accepted: false)]);

        var totals = await Store.TotalsAsync();
        var counts = await Store.CountAsync();

        Assert.Equal(new StoreTotals(counts.Total, counts.Accepted, counts.LastSequence), totals);
        Assert.Equal(2, totals.Total);
        Assert.Equal(1, totals.Accepted);
    }

    [Fact]
    public async Task Count_GroupsByModelAndRedactedKind()
    {
        var withModel = Some.Stored(Some.FullTrajectory("c1")) with
        {
            Redaction = new Redaction.RedactionReport { Counts = new Dictionary<string, int> { ["email"] = 2 }, Total = 2 },
        };
        await Store.InsertAsync([withModel, Some.Stored(Some.FullTrajectory("c2") with { Model = null })]);

        var counts = await Store.CountAsync();

        Assert.Equal(1, counts.ByModel["gpt-4o-mini"]);
        Assert.Equal(1, counts.ByModel["(none)"]);
        Assert.Equal(2, counts.RedactedByKind["email"]);
    }

    [Fact]
    public async Task Stream_ManyRows_YieldsAllInInsertionOrder()
    {
        var batch = Enumerable.Range(0, 2500).Select(i => Some.Stored(Some.FullTrajectory($"n{i:D5}"))).ToList();
        await Store.InsertAsync(batch);

        var seen = 0;
        string? previous = null;
        await foreach (var s in Store.StreamAsync())
        {
            Assert.True(previous is null || string.CompareOrdinal(previous, s.Id) < 0);
            previous = s.Id;
            seen++;
        }

        Assert.Equal(2500, seen);
    }
}
