using Whetstone.Configuration;
using Whetstone.Datasets;
using Whetstone.Server.Ingest;
using Whetstone.Training;

namespace Whetstone.Server.Preparation;

/// <summary>What the background preparation did last (for <c>GET /v1/status</c>).</summary>
public sealed record PreparationReport
{
    public bool Enabled { get; init; }

    public DateTimeOffset? LastCheckAt { get; init; }

    public string? LastDecision { get; init; }

    public long NewRuns { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    public string? LastSnapshotId { get; init; }

    public string? LastJobId { get; init; }

    public string? LastError { get; init; }
}

/// <summary>Shared, thread-safe state of the policy.</summary>
internal sealed class PreparationState
{
    private readonly Lock _lock = new();
    private PreparationReport _report = new();

    public PreparationReport Snapshot()
    {
        lock (_lock)
        {
            return _report;
        }
    }

    public void Update(Func<PreparationReport, PreparationReport> change)
    {
        lock (_lock)
        {
            _report = change(_report);
        }
    }
}

/// <summary>The service's "prepare when enough examples exist" loop (<c>Whetstone:Preparation</c>): every
/// <c>CheckSeconds</c> it asks <see cref="PreparationPolicy"/>; when ready it takes a snapshot, prepares a job when a
/// base model is configured, and launches it when <c>Launch</c> is on — each step through the same Core services as
/// the CLI and the admin API, which append it to the audit log (<c>snapshot_taken</c>, <c>job_prepared</c>,
/// <c>job_launched</c>, actor <see cref="Actor"/>), after a <c>preparation_triggered</c> entry saying why. Failures are
/// logged and reported in the status; they never stop the service.</summary>
internal sealed partial class PreparationService(
    WhetstoneServices services,
    RunIngestor ingestor,
    PreparationState state,
    LaunchRunner launches,
    TimeProvider time,
    ILogger<PreparationService> logger) : BackgroundService
{
    public const string Actor = "whetstone-preparation";

    private PreparationOptions Options => services.Options.Preparation;

    private long? _acceptedAtStart;
    private long _ingestedAtStart;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        state.Update(r => r with { Enabled = Options.Enabled });
        if (!Options.Enabled)
        {
            return;
        }

        var period = TimeSpan.FromSeconds(Options.CheckSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, time, stoppingToken);
                await CheckAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One check (the loop's body; tests call it directly).</summary>
    public async Task<PreparationDecision> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_acceptedAtStart is null)
            {
                _ingestedAtStart = ingestor.AcceptedSinceStart;
                _acceptedAtStart = (await services.Store.Trajectories.CountAsync(cancellationToken)).Accepted;
            }

            // Cheap estimate from what this service accepted; runs stored by other writers (the CLI) are seen
            // after a restart or at the next real count.
            var estimate = _acceptedAtStart.Value + ingestor.AcceptedSinceStart - _ingestedAtStart;
            var latest = (await services.Store.Snapshots.ListAsync(cancellationToken)).FirstOrDefault();
            var now = time.GetUtcNow();
            var decision = PreparationPolicy.Decide(Options, estimate, latest, state.Snapshot().LastAttemptAt, now);
            if (decision.Prepare)
            {
                // Confirm with the store before acting.
                var accepted = (await services.Store.Trajectories.CountAsync(cancellationToken)).Accepted;
                _acceptedAtStart = accepted;
                _ingestedAtStart = ingestor.AcceptedSinceStart;
                decision = PreparationPolicy.Decide(Options, accepted, latest, state.Snapshot().LastAttemptAt, now);
            }

            state.Update(r => r with { LastCheckAt = now, LastDecision = decision.Reason, NewRuns = decision.NewRuns });
            if (decision.Prepare)
            {
                state.Update(r => r with { LastAttemptAt = now, LastError = null });
                await PrepareAsync(decision, cancellationToken);
            }

            return decision;
        }
        catch (WhetstoneException e)
        {
            LogFailed(logger, e.Reason ?? e.Code.ToString(), e.Message);
            state.Update(r => r with { LastError = e.Message });
            return new PreparationDecision(false, e.Reason ?? "failed", 0);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A failed step (a full disk, an export error) must not stop the service: report it and try again later.
            LogFailed(logger, e.GetType().Name, e.Message);
            state.Update(r => r with { LastError = $"{e.GetType().Name}: {e.Message}" });
            return new PreparationDecision(false, "failed", 0);
        }
    }

    private async Task PrepareAsync(PreparationDecision decision, CancellationToken cancellationToken)
    {
        await services.Audit.AppendAsync(Actor, "preparation_triggered", [], Registry.AuditLog.Payload(
            ("new_runs", decision.NewRuns), ("min_new_runs", Options.MinNewRuns), ("cooldown_minutes", Options.CooldownMinutes)), cancellationToken);
        var snapshot = await services.Snapshots.TakeAsync(new SnapshotRequest { Actor = Actor }, cancellationToken);
        await services.Artifacts.WriteSnapshotExamplesAsync(snapshot.Snapshot.Id, services.Options.Datasets.ArtifactMaxExamples, cancellationToken);
        state.Update(r => r with { LastSnapshotId = snapshot.Snapshot.Id });
        LogSnapshot(logger, snapshot.Snapshot.Id, snapshot.Snapshot.Counts.Total, decision.NewRuns, snapshot.Created);
        if (string.IsNullOrWhiteSpace(Options.BaseModel))
        {
            return;
        }

        JobResult job = await services.Jobs.PrepareAsync(new JobRequest
        {
            SnapshotId = snapshot.Snapshot.Id,
            Trainer = Options.Trainer,
            BaseModel = Options.BaseModel,
            Method = Options.Method,
            Actor = Actor,
        }, cancellationToken);
        services.Artifacts.WriteJob(job.Manifest);
        state.Update(r => r with { LastJobId = job.Manifest.Id });
        LogJob(logger, job.Manifest.Id, snapshot.Snapshot.Id, job.Created);
        if (Options.Launch && !launches.IsRunning(job.Manifest.Id))
        {
            launches.Start(job.Manifest.Id, Actor);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "preparation: snapshot {SnapshotId} ({Runs} runs, {NewRuns} new, created {Created})")]
    private static partial void LogSnapshot(ILogger logger, string snapshotId, long runs, long newRuns, bool created);

    [LoggerMessage(Level = LogLevel.Information, Message = "preparation: job {JobId} from {SnapshotId} (created {Created})")]
    private static partial void LogJob(ILogger logger, string jobId, string snapshotId, bool created);

    [LoggerMessage(Level = LogLevel.Warning, Message = "preparation: {Reason}: {Message}")]
    private static partial void LogFailed(ILogger logger, string reason, string message);
}
