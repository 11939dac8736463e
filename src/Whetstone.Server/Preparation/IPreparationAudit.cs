using Whetstone.Datasets;
using Whetstone.Training;

namespace Whetstone.Server.Preparation;

/// <summary>Where the service records the steps it takes on its own (snapshot, job, launch). The registry issue's
/// audit log implements this and replaces <see cref="NoPreparationAudit"/> in the service collection; every step
/// of the background preparation calls it after the step is stored.</summary>
public interface IPreparationAudit
{
    Task SnapshotTakenAsync(SnapshotResult result, string actor, CancellationToken cancellationToken);

    Task JobPreparedAsync(JobResult result, string actor, CancellationToken cancellationToken);

    Task LaunchedAsync(LaunchRecord record, string actor, CancellationToken cancellationToken);
}

/// <summary>Records nothing (until the audit log exists).</summary>
internal sealed class NoPreparationAudit : IPreparationAudit
{
    public Task SnapshotTakenAsync(SnapshotResult result, string actor, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task JobPreparedAsync(JobResult result, string actor, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task LaunchedAsync(LaunchRecord record, string actor, CancellationToken cancellationToken) => Task.CompletedTask;
}
