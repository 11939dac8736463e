using Whetstone.Artifacts;
using Whetstone.Configuration;
using Whetstone.Datasets;
using Whetstone.Datasets.Export;
using Whetstone.Ingest;
using Whetstone.Quality;
using Whetstone.Redaction;
using Whetstone.Registry;
using Whetstone.Registry.LiveConfig;
using Whetstone.Storage;
using Whetstone.Training;

namespace Whetstone;

/// <summary>The Core services of one home, composed once per process from validated options and an open store.
/// Hosts (CLI, server) create the store and hand it in; everything else is built here so both hosts run the same
/// pipeline.</summary>
public sealed class WhetstoneServices
{
    public WhetstoneServices(HomeLayout home, WhetstoneOptions options, IWhetstoneStore store, TimeProvider time,
        Evaluation.IModelClientFactory? modelClients = null)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        Home = home;
        Options = options;
        Store = store;
        Time = time ?? TimeProvider.System;
        Redactor = new Redactor(DetectorSet.Default(), home.LoadOrCreateIdKey(), options.Redaction.ToPolicy());
        Quality = new QualityService(QualityPolicy.From(options.Quality), Time, modelClients);
        Scorer = Quality.Scorer;
        Ingest = new IngestPipeline(store.Trajectories, Redactor, Scorer, Time);
        Feedback = new FeedbackService(store.Trajectories, Redactor, Scorer, Time);
        Audit = new AuditLog(store.Audit, home, Time);
        // Set-level quality rules (near-duplicates, inefficient paths, clusters) depend on every run: refresh them
        // before each snapshot so its verdicts and clusters are current.
        Snapshots = new SnapshotService(store, options.Datasets, Time, Audit, ct => RefreshQualityAsync(null, ct));
        Exporter = new DatasetExporter(store.Snapshots);
        Jobs = new JobService(store, home, options.Training, Time, Audit);
        Launcher = new JobLauncher(store.Jobs, options.Training, Time, Audit);
        Artifacts = new ArtifactWriter(home, store, Time);
        Registry = new RegistryService(store, Audit, Redactor, Time);
        LiveConfig = new LiveConfigFile(options.LiveConfig);
        Promotion = new PromotionService(store, Audit, options, LiveConfig, Time);
        Evaluation = new Evaluation.EvaluationService(store, Audit, options.Evaluation, Time, modelClients);
    }

    private const string RescoreMarker = "quality_rescored";

    /// <summary>Recomputes the set-level quality rules (clusters, near-duplicates, inefficient paths, answer
    /// consensus) unless they are current: nothing was added and the policy is the same since the last time.
    /// Returns the summary, or null when nothing needed doing.</summary>
    public async Task<Quality.RescoreSummary?> RefreshQualityAsync(IProgress<Quality.RescoreProgress>? progress, CancellationToken cancellationToken, bool force = false)
    {
        var totals = await Store.Trajectories.TotalsAsync(cancellationToken);
        // Accepted count included: feedback that flips a verdict (scored by the per-run rules alone) makes the
        // set-level rules stale too.
        var state = $"{Quality.Policy.Version}|{totals.LastSequence}|{totals.Total}|{totals.Accepted}";
        if (!force && await Store.Settings.GetAsync(RescoreMarker, cancellationToken) == state)
        {
            return null;
        }

        var summary = await Quality.RescoreAsync(Store.Trajectories, progress, cancellationToken);
        await Store.Settings.SetAsync(RescoreMarker, state, cancellationToken);
        return summary;
    }

    /// <summary>Records a reviewer's decision on one run (it wins over the rules and survives rescoring) and audits it.</summary>
    public async Task<StoredTrajectory> ReviewAsync(string id, bool accept, string reason, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        // A reviewer's free text is stored and audited: it goes through the same redaction as everything else.
        var stored = await Quality.ReviewAsync(Store.Trajectories, id, accept, Redactor.RedactText(reason).Redacted, actor, cancellationToken);
        await Audit.AppendAsync(actor.Trim(), accept ? "review_accepted" : "review_rejected", [id],
            AuditLog.Payload(("reason", stored.Verdict.Override!.Reason), ("rules_accepted", stored.Verdict.Accepted)), cancellationToken);
        return stored;
    }

    public HomeLayout Home { get; }

    public WhetstoneOptions Options { get; }

    public IWhetstoneStore Store { get; }

    public TimeProvider Time { get; }

    public Redactor Redactor { get; }

    /// <summary>The quality stage: per-run scorer, set-level rescoring (call
    /// <see cref="QualityService.RescoreAsync"/> before a snapshot), human overrides.</summary>
    public QualityService Quality { get; }

    public ITrajectoryScorer Scorer { get; }

    public IngestPipeline Ingest { get; }

    /// <summary>Outcome and feedback arriving after a run was stored (redacted, re-scored).</summary>
    public FeedbackService Feedback { get; }

    public SnapshotService Snapshots { get; }

    public DatasetExporter Exporter { get; }

    public JobService Jobs { get; }

    public JobLauncher Launcher { get; }

    public ArtifactWriter Artifacts { get; }

    public AuditLog Audit { get; }

    public RegistryService Registry { get; }

    public LiveConfigFile LiveConfig { get; }

    public PromotionService Promotion { get; }

    public Evaluation.EvaluationService Evaluation { get; }
}
