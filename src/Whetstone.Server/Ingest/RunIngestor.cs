using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Server.Ingest;

/// <summary>Stores readable runs through Core's ingest pipeline (redact → score → one transaction) and counts what
/// was accepted, for the preparation policy. Logs ids and counts only.</summary>
internal sealed partial class RunIngestor(WhetstoneServices services, ILogger<RunIngestor> logger)
{
    // One writer at a time: SQLite takes one write transaction at a time anyway, and a connection that finds the
    // database busy backs off with sleeps; queueing here instead keeps the commits back to back.
    private readonly SemaphoreSlim _writer = new(1, 1);
    private long _acceptedSinceStart;

    /// <summary>Runs inserted and accepted by the quality stage since the service started.</summary>
    public long AcceptedSinceStart => Interlocked.Read(ref _acceptedSinceStart);

    /// <summary>Redacts, scores and commits the batch in one transaction; returns only after the commit.</summary>
    public async Task<IReadOnlyList<(StoredTrajectory Stored, InsertResult Result)>> StoreAsync(IReadOnlyList<Trajectory> runs, string via)
    {
        // Not the request's token: once reading succeeded, the commit finishes even if the caller goes away (a
        // retry finds the runs stored, by id).
        var prepared = Prepare(runs);
        IReadOnlyList<InsertResult> inserts;
        await _writer.WaitAsync();
        try
        {
            inserts = await services.Store.Trajectories.InsertAsync(prepared, CancellationToken.None);
        }
        finally
        {
            _writer.Release();
        }

        var results = prepared.Zip(inserts).ToList();
        var inserted = 0;
        var accepted = 0;
        foreach (var (stored, result) in results)
        {
            if (result == InsertResult.Inserted)
            {
                inserted++;
                if (stored.IsAccepted)
                {
                    accepted++;
                }
            }
        }

        Interlocked.Add(ref _acceptedSinceStart, accepted);
        LogStored(logger, via, runs.Count, inserted, results.Count - inserted, accepted);
        return results;
    }

    /// <summary>Redacts and scores every run (Core's <see cref="Whetstone.Ingest.IngestPipeline.Prepare"/>), on all
    /// cores for a large batch.</summary>
    private StoredTrajectory[] Prepare(IReadOnlyList<Trajectory> runs)
    {
        var prepared = new StoredTrajectory[runs.Count];
        if (runs.Count >= 16)
        {
            Parallel.For(0, runs.Count, i => prepared[i] = services.Ingest.Prepare(runs[i]));
        }
        else
        {
            for (var i = 0; i < runs.Count; i++)
            {
                prepared[i] = services.Ingest.Prepare(runs[i]);
            }
        }

        return prepared;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Via}: {Runs} runs, {Inserted} inserted, {Duplicates} duplicates, {Accepted} accepted")]
    private static partial void LogStored(ILogger logger, string via, int runs, int inserted, int duplicates, int accepted);
}
