using Microsoft.Extensions.DependencyInjection;
using Whetstone.Configuration;
using Whetstone.Datasets;
using Whetstone.Server.Preparation;
using Whetstone.Server.Tests.Endpoints;

namespace Whetstone.Server.Tests.Preparation;

public sealed class PreparationPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static Snapshot SnapshotOf(long runs, DateTimeOffset at) => new()
    {
        Id = "snap-1",
        Hash = "h",
        CreatedAt = at,
        Parameters = new SplitParameters(),
        Counts = new SnapshotCounts { Train = runs },
    };

    private static readonly PreparationOptions Options = new() { MinNewRuns = 100, CooldownMinutes = 60 };

    [Fact]
    public void Decide_EnoughNewRunsAfterCooldown_Prepares()
    {
        var d = PreparationPolicy.Decide(Options, 350, SnapshotOf(200, Now.AddHours(-2)), null, Now);

        Assert.True(d.Prepare);
        Assert.Equal(150, d.NewRuns);
    }

    [Fact]
    public void Decide_NoSnapshotYet_CountsEveryAcceptedRun()
    {
        Assert.True(PreparationPolicy.Decide(Options, 100, null, null, Now).Prepare);
        Assert.Equal(PreparationPolicy.TooFewNewRuns, PreparationPolicy.Decide(Options, 99, null, null, Now).Reason);
    }

    [Fact]
    public void Decide_WithinCooldownOfTheLatestSnapshot_Waits()
    {
        var d = PreparationPolicy.Decide(Options, 1000, SnapshotOf(200, Now.AddMinutes(-59)), null, Now);

        Assert.False(d.Prepare);
        Assert.Equal(PreparationPolicy.Cooldown, d.Reason);
    }

    [Fact]
    public void Decide_WithinCooldownOfTheLastAttempt_Waits()
    {
        var d = PreparationPolicy.Decide(Options, 1000, SnapshotOf(200, Now.AddDays(-1)), Now.AddMinutes(-10), Now);

        Assert.Equal(PreparationPolicy.Cooldown, d.Reason);
    }

    [Fact]
    public void Decide_Disabled_NeverPrepares()
    {
        var d = PreparationPolicy.Decide(new PreparationOptions { Enabled = false }, 1_000_000, null, null, Now);

        Assert.Equal(PreparationPolicy.Disabled, d.Reason);
    }
}

public sealed class PreparationServiceTests
{
    [Fact]
    public async Task Check_EnoughRuns_TakesSnapshotAndPreparesJobOnce()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Whetstone:Preparation:Enabled"] = "true",
            ["Whetstone:Preparation:CheckSeconds"] = "3600",
            ["Whetstone:Preparation:MinNewRuns"] = "12",
            ["Whetstone:Preparation:CooldownMinutes"] = "0",
            ["Whetstone:Preparation:BaseModel"] = "Qwen/Qwen3-0.6B",
            ["Whetstone:Datasets:MinExamples"] = "10",
        });
        var service = server.Get<PreparationService>();
        var ct = TestContext.Current.CancellationToken;
        await AdminEndpointsTests.SeedAsync(server, 8, "a");

        var early = await service.CheckAsync(ct);
        await AdminEndpointsTests.SeedAsync(server, 8, "b");
        var ready = await service.CheckAsync(ct);
        var after = await service.CheckAsync(ct);

        Assert.Equal(PreparationPolicy.TooFewNewRuns, early.Reason);
        Assert.True(ready.Prepare);
        Assert.Equal(16, ready.NewRuns);
        Assert.Equal(PreparationPolicy.TooFewNewRuns, after.Reason);
        var snapshot = Assert.Single(await server.Services.Store.Snapshots.ListAsync(ct));
        Assert.Equal(PreparationService.Actor, snapshot.CreatedBy);
        var job = Assert.Single(await server.Services.Store.Jobs.ListJobsAsync(ct));
        Assert.Equal(snapshot.Id, job.SnapshotId);
        Assert.Empty(await server.Services.Store.Jobs.ListLaunchesAsync(null, ct));
        var report = server.Get<PreparationState>().Snapshot();
        Assert.Equal(job.Id, report.LastJobId);
        Assert.Null(report.LastError);
    }

    [Fact]
    public async Task Check_WithoutBaseModel_TakesOnlyTheSnapshotAndAuditsWhy()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Whetstone:Preparation:Enabled"] = "true",
            ["Whetstone:Preparation:CheckSeconds"] = "3600",
            ["Whetstone:Preparation:MinNewRuns"] = "5",
            ["Whetstone:Datasets:MinExamples"] = "5",
        });
        await AdminEndpointsTests.SeedAsync(server, 6);

        var decision = await server.Get<PreparationService>().CheckAsync(TestContext.Current.CancellationToken);

        Assert.True(decision.Prepare);
        Assert.Single(await server.Services.Store.Snapshots.ListAsync(TestContext.Current.CancellationToken));
        Assert.Empty(await server.Services.Store.Jobs.ListJobsAsync(TestContext.Current.CancellationToken));
        var entries = new List<Registry.AuditEntry>();
        await foreach (var e in server.Services.Store.Audit.StreamAsync(TestContext.Current.CancellationToken))
        {
            entries.Add(e);
        }

        Assert.Equal("preparation_triggered", entries[0].Action);
        Assert.Contains(entries, e => e.Action == "snapshot_taken" && e.Actor == PreparationService.Actor);
        Assert.All(entries, e => Assert.Equal(PreparationService.Actor, e.Actor));
    }
}
