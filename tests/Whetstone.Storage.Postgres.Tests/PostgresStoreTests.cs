using Npgsql;
using Whetstone.Storage.Contracts;
using Whetstone.Tests;

namespace Whetstone.Storage.Postgres.Tests;

public sealed class PostgresTrajectoryStoreTests : TrajectoryStoreContract
{
    private readonly PostgresTestDatabase _db = new();

    protected override async Task<IWhetstoneStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Open_Twice_AppliesMigrationsOnce()
    {
        await Store.InsertAsync([Some.Stored(Some.FullTrajectory("keep"))]);

        await using var again = await _db.OpenAsync();

        Assert.NotNull(await again.Trajectories.GetAsync("keep"));
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var c = new NpgsqlCommand("SELECT count(*) FROM schema_migrations", connection);
        Assert.Equal((long)PostgresDatabase.Migrations().Count, (long)(await c.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Open_Unreachable_IsStoreFailureNamingTheServer()
    {
        var e = await Assert.ThrowsAsync<WhetstoneException>(() => PostgresStore.OpenAsync("Host=127.0.0.1;Port=1;Username=x;Timeout=2"));

        Assert.Equal(ErrorCode.StoreFailure, e.Code);
        Assert.Contains("127.0.0.1:1", e.Message, StringComparison.Ordinal);
    }
}

public sealed class PostgresSnapshotStoreTests : SnapshotStoreContract
{
    private readonly PostgresTestDatabase _db = new();

    protected override async Task<IWhetstoneStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }
}

public sealed class PostgresRegistryStoreTests : RegistryStoreContract
{
    private readonly PostgresTestDatabase _db = new();

    protected override async Task<IWhetstoneStore> CreateStoreAsync() => await _db.OpenAsync();

    protected override async Task<IWhetstoneStore> OpenAgainAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }
}
