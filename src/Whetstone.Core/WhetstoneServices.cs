using Whetstone.Configuration;
using Whetstone.Ingest;
using Whetstone.Quality;
using Whetstone.Redaction;
using Whetstone.Storage;

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
        Quality = new QualityService(QualityPolicy.From(options.Quality), Time);
        Scorer = Quality.Scorer;
        Ingest = new IngestPipeline(store.Trajectories, Redactor, Scorer, Time);
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
}
