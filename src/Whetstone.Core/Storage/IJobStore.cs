using Whetstone.Training;

namespace Whetstone.Storage;

/// <summary>Training job manifests and the append-only launch history.</summary>
public interface IJobStore
{
    /// <summary>Stores a manifest; a job with the same id is left as it is (returns false).</summary>
    Task<bool> SaveJobAsync(JobManifest manifest, CancellationToken cancellationToken = default);

    Task<JobManifest?> GetJobAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Jobs, newest first.</summary>
    Task<IReadOnlyList<JobManifest>> ListJobsAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends a launch; returns it with its sequence number.</summary>
    Task<LaunchRecord> AppendLaunchAsync(LaunchRecord launch, CancellationToken cancellationToken = default);

    /// <summary>Launches in order (all jobs, or one).</summary>
    Task<IReadOnlyList<LaunchRecord>> ListLaunchesAsync(string? jobId = null, CancellationToken cancellationToken = default);
}
