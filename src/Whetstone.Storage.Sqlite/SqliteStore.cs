namespace Whetstone.Storage.Sqlite;

/// <summary>The embedded default store: one SQLite file in WAL mode.</summary>
public sealed class SqliteStore : IWhetstoneStore
{
    private SqliteStore(SqliteDatabase db)
    {
        Database = db;
        Trajectories = new SqliteTrajectoryStore(db);
        Snapshots = new SqliteSnapshotStore(db);
        Jobs = new SqliteJobStore(db);
        Registry = new SqliteRegistryStore(db);
        Audit = new SqliteAuditStore(db);
        Settings = new SqliteSettingsStore(db);
    }

    internal SqliteDatabase Database { get; }

    public string Description => "sqlite:" + Database.Path;

    public ITrajectoryStore Trajectories { get; }

    public ISnapshotStore Snapshots { get; }

    public IJobStore Jobs { get; }

    public IRegistryStore Registry { get; }

    public IAuditStore Audit { get; }

    public ISettingsStore Settings { get; }

    /// <summary>Opens or creates the store at a file path (or SQLite connection string) and migrates it.</summary>
    public static SqliteStore Open(string pathOrConnectionString) => new(SqliteDatabase.Open(pathOrConnectionString));

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
