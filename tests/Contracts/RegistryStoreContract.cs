using Whetstone.Registry;
using Whetstone.Storage;

namespace Whetstone.Storage.Contracts;

/// <summary>The behaviour every <see cref="IRegistryStore"/> and <see cref="IAuditStore"/> must have.</summary>
public abstract class RegistryStoreContract : IAsyncLifetime
{
    private IWhetstoneStore? _store;

    protected abstract Task<IWhetstoneStore> CreateStoreAsync();

    /// <summary>A second, independent connection to the same store (another process, another machine).</summary>
    protected abstract Task<IWhetstoneStore> OpenAgainAsync();

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

    private static readonly DateTimeOffset T0 = new(2026, 11, 6, 0, 0, 0, TimeSpan.Zero);

    private static Candidate Cand(string id, string model = "m") => new()
    {
        Id = id, Model = model, Client = "none", Provider = "none", RegisteredBy = "ana", RegisteredAt = T0,
    };

    private static LiveChange Change(string? before, string after) => new()
    {
        Id = "",
        Kind = ChangeKind.Promotion,
        State = ChangeState.Pending,
        CandidateBefore = before,
        CandidateAfter = after,
        PreviousAfter = before,
        Actor = "ana",
        At = T0,
        Changes = [new ConfigChange("llm.model", "\"a\"", "\"b\"")],
    };

    [Fact]
    public async Task AddCandidate_SameIdTwice_KeepsTheFirst()
    {
        Assert.True(await Store.Registry.AddCandidateAsync(Cand("c1", "first")));
        Assert.False(await Store.Registry.AddCandidateAsync(Cand("c1", "second")));

        Assert.Equal("first", (await Store.Registry.GetCandidateAsync("c1"))!.Model);
        Assert.Null(await Store.Registry.GetCandidateAsync("c2"));
        Assert.Single(await Store.Registry.ListCandidatesAsync());
    }

    [Fact]
    public async Task Evaluations_ListPerCandidateInOrder()
    {
        foreach (var (id, cand) in new[] { ("e1", "c1"), ("e2", "c2"), ("e3", "c1") })
        {
            await Store.Registry.AddEvaluationAsync(new EvaluationRecord
            {
                Id = id, CandidateId = cand, BaselineId = "live", SnapshotId = "s", Mode = "shadow", Passed = true, CreatedAt = T0, ReportJson = "{}",
            });
        }

        Assert.Equal(["e1", "e3"], (await Store.Registry.ListEvaluationsAsync("c1")).Select(e => e.Id));
        Assert.Equal(3, (await Store.Registry.ListEvaluationsAsync()).Count);
        Assert.Equal("c2", (await Store.Registry.GetEvaluationAsync("e2"))!.CandidateId);
    }

    [Fact]
    public async Task Settings_SetThenGet_LastWriteWins()
    {
        Assert.Null(await Store.Settings.GetAsync("k"));

        await Store.Settings.SetAsync("k", "one");
        await Store.Settings.SetAsync("k", "two");

        Assert.Equal("two", await Store.Settings.GetAsync("k"));
    }

    [Fact]
    public async Task InitializeLive_OnlyOnce()
    {
        Assert.True(await Store.Registry.InitializeLiveAsync("c1"));
        Assert.False(await Store.Registry.InitializeLiveAsync("c2"));

        Assert.Equal(new Aliases("c1", null), await Store.Registry.GetAliasesAsync());
    }

    [Fact]
    public async Task Changes_PendingThenDone_MoveAliases()
    {
        await Store.Registry.InitializeLiveAsync("c1");

        var pending = await Store.Registry.BeginChangeAsync(Change("c1", "c2"));
        Assert.Equal(new Aliases("c1", null), await Store.Registry.GetAliasesAsync());
        await Store.Registry.CompleteChangeAsync(pending.Id);

        Assert.StartsWith("prom-", pending.Id, StringComparison.Ordinal);
        Assert.Equal(new Aliases("c2", "c1"), await Store.Registry.GetAliasesAsync());
        var history = await Store.Registry.ListChangesAsync();
        Assert.Equal(ChangeState.Done, Assert.Single(history).State);
        Assert.Equal("\"b\"", history[0].Changes[0].After);
    }

    [Fact]
    public async Task BeginChange_WhileAnotherIsPending_IsAConflict()
    {
        await Store.Registry.BeginChangeAsync(Change("c1", "c2"));

        var e = await Assert.ThrowsAsync<WhetstoneException>(() => Store.Registry.BeginChangeAsync(Change("c1", "c3")));

        Assert.Equal(ErrorCode.Conflict, e.Code);
    }

    [Fact]
    public async Task Requests_AddUpdateList()
    {
        var r = new PromotionRequest
        {
            Id = "req-1", CandidateId = "c2", EvaluationId = "e1", BaselineId = "c1", SnapshotId = "s", RequestedBy = "ana", RequestedAt = T0,
        };
        await Store.Registry.AddRequestAsync(r);
        await Store.Registry.UpdateRequestAsync(r with { Status = RequestStatus.Approved, ApprovedBy = "bo" });

        var back = await Store.Registry.GetRequestAsync("req-1");
        Assert.Equal(RequestStatus.Approved, back!.Status);
        Assert.Equal("bo", back.ApprovedBy);
        Assert.Single(await Store.Registry.ListRequestsAsync());
        await Assert.ThrowsAsync<WhetstoneException>(() => Store.Registry.UpdateRequestAsync(r with { Id = "req-9" }));
    }

    [Fact]
    public async Task LockLive_HeldElsewhere_TimesOutAsBusy()
    {
        await using var other = await OpenAgainAsync();
        await using (await Store.Registry.LockLiveAsync(TimeSpan.FromSeconds(5)))
        {
            var e = await Assert.ThrowsAsync<WhetstoneException>(() => other.Registry.LockLiveAsync(TimeSpan.FromMilliseconds(300)));
            Assert.Equal(ErrorCode.Conflict, e.Code);
        }

        await using var acquired = await other.Registry.LockLiveAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(acquired);
    }

    [Fact]
    public async Task Audit_AppendsChainInOrder_EvenConcurrently()
    {
        await using var other = await OpenAgainAsync();
        AuditEntry Seal(AuditEntry? last, string actor) => new()
        {
            Sequence = (last?.Sequence ?? 0) + 1,
            At = T0,
            Actor = actor,
            Action = "step",
            PayloadSha256 = AuditEntry.PayloadDigest(null),
            PreviousHash = last?.Hash ?? AuditEntry.Genesis,
            Hash = AuditEntry.ComputeHash((last?.Sequence ?? 0) + 1, T0, actor, "step", [], AuditEntry.PayloadDigest(null), last?.Hash ?? AuditEntry.Genesis),
        };

        await Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < 20; i++) { await Store.Audit.AppendAsync(l => Seal(l, "a")); } }),
            Task.Run(async () => { for (var i = 0; i < 20; i++) { await other.Audit.AppendAsync(l => Seal(l, "b")); } }));

        var entries = new List<AuditEntry>();
        await foreach (var e in Store.Audit.StreamAsync())
        {
            entries.Add(e);
        }

        Assert.Equal(40, entries.Count);
        Assert.True(AuditLog.Verify(entries).Ok);
    }
}
