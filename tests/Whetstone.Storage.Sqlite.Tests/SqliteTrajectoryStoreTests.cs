using Microsoft.Data.Sqlite;
using Whetstone.Quality;
using Whetstone.Storage.Contracts;
using Whetstone.Tests;

namespace Whetstone.Storage.Sqlite.Tests;

public sealed class SqliteTrajectoryStoreTests : TrajectoryStoreContract
{
    private readonly TempDir _dir = new();

    protected override Task<IWhetstoneStore> CreateStoreAsync() =>
        Task.FromResult<IWhetstoneStore>(SqliteStore.Open(_dir.File("store.db")));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Open_ExistingFile_KeepsDataAndAppliesMigrationsOnce()
    {
        await Store.InsertAsync([Some.Stored(Some.FullTrajectory("keep"))]);

        await using var reopened = SqliteStore.Open(_dir.File("store.db"));

        Assert.NotNull(await reopened.Trajectories.GetAsync("keep"));
        await using var connection = new SqliteConnection($"Data Source={_dir.File("store.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), count(DISTINCT name) FROM schema_migrations";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
        Assert.Equal(SqliteDatabase.Migrations().Count, reader.GetInt64(0));
    }

    [Fact]
    public async Task Open_File_UsesWriteAheadLog()
    {
        await Store.InsertAsync([Some.Stored(Some.FullTrajectory("w"))]);
        await using var connection = new SqliteConnection($"Data Source={_dir.File("store.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public void Open_NotADatabase_IsStoreFailureNamingTheFile()
    {
        var path = _dir.Write("garbage.db", new string('x', 4096));

        var e = Assert.Throws<WhetstoneException>(() => SqliteStore.Open(path));

        Assert.Equal(ErrorCode.StoreFailure, e.Code);
        Assert.Contains("garbage.db", e.Message, StringComparison.Ordinal);
        Assert.Equal(new string('x', 4096), File.ReadAllText(path));
    }

    [Fact]
    public async Task Insert_ConcurrentWriters_StoreEveryRunOnce()
    {
        await using var second = SqliteStore.Open(_dir.File("store.db"));
        var a = Enumerable.Range(0, 300).Select(i => Some.Stored(Some.FullTrajectory($"p{i}"))).ToList();
        var b = Enumerable.Range(150, 300).Select(i => Some.Stored(Some.FullTrajectory($"p{i}"))).ToList();

        await Task.WhenAll(
            Task.Run(async () => { foreach (var chunk in a.Chunk(50)) { await Store.InsertAsync(chunk); } }),
            Task.Run(async () => { foreach (var chunk in b.Chunk(50)) { await second.Trajectories.InsertAsync(chunk); } }));

        Assert.Equal(450, (await Store.CountAsync()).Total);
    }

    [Fact]
    public async Task UpdateVerdicts_OverrideRecordedMeanwhile_Kept()
    {
        await Store.InsertAsync([Some.Stored(Some.FullTrajectory("r1"), accepted: false, "loop")]);
        var review = new HumanOverride { Accepted = true, Reason = "fine", Actor = "ana", At = DateTimeOffset.UnixEpoch };
        await Store.UpdateAsync("r1", s => s with { Verdict = s.Verdict with { Override = review } });
        var rescored = new QualityVerdict { Accepted = false, Score = 0.2, Reasons = ["excessive_retries"], PolicyVersion = "p3" };

        await Store.UpdateVerdictsAsync([new("r1", rescored)]);

        var stored = (await Store.GetAsync("r1"))!;
        Assert.Equal(review, stored.Verdict.Override);
        Assert.Equal("p3", stored.Verdict.PolicyVersion);
        Assert.Equal(["excessive_retries"], stored.Verdict.Reasons);
        Assert.True(stored.IsAccepted);
        Assert.Equal(1, (await Store.CountAsync()).Accepted);
        Assert.Single(await Store.StreamAsync(new TrajectoryFilter { Accepted = true }).ToListAsync());
    }
}

public sealed class SqliteSnapshotStoreTests : SnapshotStoreContract
{
    private readonly TempDir _dir = new();

    protected override Task<IWhetstoneStore> CreateStoreAsync() =>
        Task.FromResult<IWhetstoneStore>(SqliteStore.Open(_dir.File("store.db")));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Dispose();
    }
}

public sealed class SqliteRegistryStoreTests : RegistryStoreContract
{
    private readonly TempDir _dir = new();

    protected override Task<IWhetstoneStore> CreateStoreAsync() =>
        Task.FromResult<IWhetstoneStore>(SqliteStore.Open(_dir.File("store.db")));

    protected override Task<IWhetstoneStore> OpenAgainAsync() =>
        Task.FromResult<IWhetstoneStore>(SqliteStore.Open(_dir.File("store.db")));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Dispose();
    }
}
