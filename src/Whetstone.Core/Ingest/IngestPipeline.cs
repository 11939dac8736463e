using Whetstone.Quality;
using Whetstone.Redaction;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Ingest;

/// <summary>The one path by which runs enter the store, used by the CLI and the server alike: every trajectory is
/// redacted, then scored, then inserted — nothing unredacted is ever handed to the store. Records are processed in
/// batches so memory stays flat for any input size.</summary>
public sealed class IngestPipeline(ITrajectoryStore store, ITrajectoryRedactor redactor, ITrajectoryScorer scorer, TimeProvider time)
{
    public const int DefaultBatchSize = 512;

    /// <summary>At most this many errors are kept in the summary; the rest are only counted.</summary>
    public const int MaxErrorsKept = 1000;

    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Redacts and scores one run (no store access).</summary>
    public StoredTrajectory Prepare(Trajectory trajectory)
    {
        var redacted = redactor.Redact(trajectory);
        var verdict = scorer.Score(redacted.Trajectory);
        return new StoredTrajectory
        {
            Trajectory = redacted.Trajectory,
            Verdict = verdict,
            Redaction = redacted.Report,
            IngestedAt = time.GetUtcNow(),
        };
    }

    /// <summary>Imports every readable item; bad records are counted and reported, never abort the import. Three
    /// stages overlap: while batch N is stored, batch N + 1 is redacted and scored on the thread pool, and batch
    /// N + 2 is read on the calling thread. Batches are stored in order, one at a time.</summary>
    public async Task<IngestSummary> IngestAsync(
        IEnumerable<ReadItem> items,
        IProgress<IngestSummary>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var summary = new IngestSummary();
        var batch = new List<Trajectory>(BatchSize);
        Task<StoredTrajectory[]>? preparing = null;
        Task? storing = null;
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (item.Error is { } error)
            {
                summary.AddError(error);
                continue;
            }

            batch.Add(item.Trajectory!);
            if (batch.Count >= BatchSize)
            {
                (preparing, storing) = await HandOffAsync(preparing, storing, batch, summary, progress, cancellationToken);
                batch = new List<Trajectory>(BatchSize);
            }
        }

        (preparing, storing) = await HandOffAsync(preparing, storing, batch, summary, progress, cancellationToken);
        (_, storing) = await HandOffAsync(preparing, storing, [], summary, progress, cancellationToken);
        if (storing is not null)
        {
            await storing;
        }

        progress?.Report(summary);
        return summary;
    }

    /// <summary>Starts preparing <paramref name="batch"/> (if any) and, once the batch before it is prepared and
    /// the one before that stored, starts storing the prepared one; returns the new preparing and storing tasks.</summary>
    private async Task<(Task<StoredTrajectory[]>? Preparing, Task? Storing)> HandOffAsync(
        Task<StoredTrajectory[]>? preparing, Task? storing, List<Trajectory> batch, IngestSummary summary,
        IProgress<IngestSummary>? progress, CancellationToken cancellationToken)
    {
        if (preparing is not null)
        {
            var prepared = await preparing;
            if (storing is not null)
            {
                await storing;
                progress?.Report(summary);
            }

            storing = Task.Run(async () =>
            {
                var results = await store.InsertAsync(prepared, cancellationToken);
                for (var i = 0; i < prepared.Length; i++)
                {
                    summary.Add(prepared[i], results[i]);
                }
            }, cancellationToken);
        }

        preparing = batch.Count == 0 ? null : Task.Run(() => PrepareAll(batch, cancellationToken), cancellationToken);
        return (preparing, storing);
    }

    private StoredTrajectory[] PrepareAll(IReadOnlyList<Trajectory> trajectories, CancellationToken cancellationToken)
    {
        var prepared = new StoredTrajectory[trajectories.Count];
        if (trajectories.Count >= 32)
        {
            Parallel.For(0, trajectories.Count, new ParallelOptions { CancellationToken = cancellationToken },
                i => prepared[i] = Prepare(trajectories[i]));
        }
        else
        {
            for (var i = 0; i < trajectories.Count; i++)
            {
                prepared[i] = Prepare(trajectories[i]);
            }
        }

        return prepared;
    }

    /// <summary>Redacts, scores and stores a batch in one transaction; returns per-item results in order.</summary>
    public async Task<IReadOnlyList<(StoredTrajectory Stored, InsertResult Result)>> StoreBatchAsync(
        IReadOnlyList<Trajectory> trajectories, CancellationToken cancellationToken = default)
    {
        var prepared = PrepareAll(trajectories, cancellationToken);
        var results = await store.InsertAsync(prepared, cancellationToken);
        return prepared.Zip(results).ToList();
    }
}

/// <summary>What an import did. Counts only; errors name file, line and problem, never record content.</summary>
public sealed class IngestSummary
{
    private readonly List<ReadError> _errors = [];
    private readonly Dictionary<string, long> _redacted = new(StringComparer.Ordinal);

    public long Imported { get; private set; }

    public long Duplicates { get; private set; }

    /// <summary>Records that could not be read (bad input).</summary>
    public long Invalid { get; private set; }

    /// <summary>Of the imported runs, how many the quality stage accepted.</summary>
    public long Accepted { get; private set; }

    public IReadOnlyList<ReadError> Errors => _errors;

    public IReadOnlyDictionary<string, long> RedactedByKind => _redacted;

    internal void AddError(ReadError error)
    {
        Invalid++;
        if (_errors.Count < IngestPipeline.MaxErrorsKept)
        {
            _errors.Add(error);
        }
    }

    internal void Add(StoredTrajectory stored, InsertResult result)
    {
        if (result == InsertResult.Duplicate)
        {
            Duplicates++;
            return;
        }

        Imported++;
        if (stored.IsAccepted)
        {
            Accepted++;
        }

        foreach (var (kind, count) in stored.Redaction.Counts)
        {
            _redacted[kind] = _redacted.GetValueOrDefault(kind) + count;
        }
    }
}
