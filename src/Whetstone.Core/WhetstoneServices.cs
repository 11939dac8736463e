using Whetstone.Artifacts;
using Whetstone.Configuration;
using Whetstone.Datasets;
using Whetstone.Datasets.Export;
using Whetstone.Ingest;
using Whetstone.Quality;
using Whetstone.Redaction;
using Whetstone.Storage;
using Whetstone.Training;

namespace Whetstone;

/// <summary>The Core services of one home, composed once per process from validated options and an open store.
/// Hosts (CLI, server) create the store and hand it in; everything else is built here so both hosts run the same
/// pipeline.</summary>
public sealed class WhetstoneServices
{
    public WhetstoneServices(HomeLayout home, WhetstoneOptions options, IWhetstoneStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        Home = home;
        Options = options;
        Store = store;
        Time = time ?? TimeProvider.System;
        Redactor = new Redactor(DetectorSet.Default(), home.LoadOrCreateIdKey());
        Scorer = new NoPolicyScorer();
        Ingest = new IngestPipeline(store.Trajectories, Redactor, Scorer, Time);
        Feedback = new FeedbackService(store.Trajectories, Redactor, Scorer, Time);
        Snapshots = new SnapshotService(store, options.Datasets, Time);
        Exporter = new DatasetExporter(store.Snapshots);
        Jobs = new JobService(store, home, options.Training, Time);
        Launcher = new JobLauncher(store.Jobs, options.Training, Time);
        Artifacts = new ArtifactWriter(home, store, Time);
    }

    public HomeLayout Home { get; }

    public WhetstoneOptions Options { get; }

    public IWhetstoneStore Store { get; }

    public TimeProvider Time { get; }

    public Redactor Redactor { get; }

    public ITrajectoryScorer Scorer { get; }

    public IngestPipeline Ingest { get; }

    /// <summary>Outcome and feedback arriving after a run was stored (redacted, re-scored).</summary>
    public FeedbackService Feedback { get; }

    public SnapshotService Snapshots { get; }

    public DatasetExporter Exporter { get; }

    public JobService Jobs { get; }

    public JobLauncher Launcher { get; }

    public ArtifactWriter Artifacts { get; }
}
