namespace Whetstone.Storage;

/// <summary>One store opened for a home: the ports of each stage over one database (SQLite file or PostgreSQL).
/// Opening runs pending schema migrations.</summary>
public interface IWhetstoneStore : IAsyncDisposable
{
    /// <summary>Provider name and location without credentials (for status output).</summary>
    string Description { get; }

    ITrajectoryStore Trajectories { get; }

    ISnapshotStore Snapshots { get; }

    IJobStore Jobs { get; }

    IRegistryStore Registry { get; }

    IAuditStore Audit { get; }

    ISettingsStore Settings { get; }
}
