namespace Whetstone.Storage.Postgres;

/// <summary>The fleet store: PostgreSQL, shared by several sidecars. Same contract as the SQLite store.</summary>
public sealed class PostgresStore : IWhetstoneStore
{
    private readonly PostgresDatabase _db;

    private PostgresStore(PostgresDatabase db)
    {
        _db = db;
        Trajectories = new PostgresTrajectoryStore(db);
        Snapshots = new PostgresSnapshotStore(db);
        Jobs = new PostgresJobStore(db);
        Registry = new PostgresRegistryStore(db);
        Audit = new PostgresAuditStore(db);
        Settings = new PostgresSettingsStore(db);
    }

    public string Description => _db.Description;

    public ITrajectoryStore Trajectories { get; }

    public ISnapshotStore Snapshots { get; }

    public IJobStore Jobs { get; }

    public IRegistryStore Registry { get; }

    public IAuditStore Audit { get; }

    public ISettingsStore Settings { get; }

    /// <summary>Connects with an Npgsql connection string (a <c>Search Path</c> in it selects, and creates, a schema)
    /// and applies pending migrations.</summary>
    public static async Task<PostgresStore> OpenAsync(string connectionString, CancellationToken cancellationToken = default) =>
        new(await PostgresDatabase.OpenAsync(connectionString, cancellationToken));

    public ValueTask DisposeAsync() => _db.DisposeAsync();
}
