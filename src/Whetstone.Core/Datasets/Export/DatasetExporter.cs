using System.Globalization;
using System.Security.Cryptography;
using Whetstone.Storage;
using Whetstone.Training;

namespace Whetstone.Datasets.Export;

/// <summary>A file an export or job wrote, with its checksum.</summary>
public sealed record ExportedFile(string Path, string Sha256, long Bytes, long? Examples);

/// <summary>What an export wrote and what it left out (and why).</summary>
public sealed record ExportResult
{
    public required string SnapshotId { get; init; }

    public required string Format { get; init; }

    public required string Target { get; init; }

    public required string Folder { get; init; }

    /// <summary>Data files by split name (<c>train</c>, <c>validation</c>, <c>eval</c>).</summary>
    public required IReadOnlyDictionary<string, ExportedFile> Files { get; init; }

    public IReadOnlyList<ExportedFile> ConfigFiles { get; init; } = [];

    /// <summary>Runs that could not be made into a valid example of this format.</summary>
    public long Skipped { get; init; }

    /// <summary>The first problems, each naming the run and what was wrong.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Tool names offered in the written examples.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Per-split o200k token statistics (when asked for).</summary>
    public IReadOnlyDictionary<string, TokenStats> Tokens { get; init; } = new Dictionary<string, TokenStats>();
}

/// <summary>Writes a snapshot's splits in a trainer's format. Each run is checked before it is written (roles,
/// pairing of calls and results, a final assistant answer, a learned turn, the token limit); a run that fails is
/// skipped and reported. Streams in batches: runs are parsed and formatted on every core, then written in snapshot
/// order; memory does not grow with the snapshot.</summary>
public sealed class DatasetExporter(ISnapshotStore snapshots)
{
    public const int OpenAiMinimumExamples = 10;
    private const int MaxProblemsKept = 50;
    private const int BatchSize = 1024;

    public async Task<ExportResult> ExportAsync(string snapshotId, string folder, ExportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exporter = ExportFormats.Exporter(options.Format);
        Validate(options);
        var snapshot = await snapshots.GetAsync(snapshotId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no snapshot with id '{snapshotId}'");
        Directory.CreateDirectory(folder);
        var partial = options.Splits.ToDictionary(s => s, s => Path.Combine(folder, ExportFormats.FileName(s, options.Format) + ".partial"));
        var writers = new Dictionary<Split, IExportWriter>();
        var ok = false;
        try
        {
            foreach (var split in options.Splits)
            {
                writers[split] = exporter.Open(partial[split], options);
            }

            var run = await RunAsync(snapshot.Id, exporter, options, s => writers.GetValueOrDefault(s), cancellationToken);
            foreach (var w in writers.Values)
            {
                await w.DisposeAsync();
            }

            writers.Clear();
            if (options.Format == ExportFormats.OpenAi && options.Splits.Contains(Split.Train) && run.Counts[Split.Train] < OpenAiMinimumExamples)
            {
                throw new WhetstoneException(ErrorCode.Refused,
                    $"OpenAI fine-tuning needs at least {OpenAiMinimumExamples} training examples; the train split has {run.Counts[Split.Train]}",
                    "too_few_examples");
            }

            var files = new SortedDictionary<string, ExportedFile>(StringComparer.Ordinal);
            foreach (var split in options.Splits)
            {
                var final = Path.Combine(folder, ExportFormats.FileName(split, options.Format));
                File.Move(partial[split], final, overwrite: true);
                files[SplitNames.Name(split)] = Describe(final, run.Counts[split]);
            }

            var config = exporter is IExportConfig c ? c.WriteConfig(folder, run.Counts, options) : [];
            ok = true;
            return new ExportResult
            {
                SnapshotId = snapshot.Id,
                Format = options.Format,
                Target = options.Target,
                Folder = Path.GetFullPath(folder),
                Files = files,
                ConfigFiles = config.Select(p => Describe(p, null)).ToList(),
                Skipped = run.Skipped,
                Problems = run.Problems,
                Tools = run.Tools.ToList(),
                Tokens = options.CountTokens
                    ? run.Tokens.ToDictionary(kv => SplitNames.Name(kv.Key), kv => Stats(kv.Value))
                    : new Dictionary<string, TokenStats>(),
            };
        }
        finally
        {
            foreach (var w in writers.Values)
            {
                await w.DisposeAsync();
            }

            if (!ok)
            {
                foreach (var p in partial.Values.Where(File.Exists))
                {
                    File.Delete(p);
                }
            }
        }
    }

    /// <summary>Writes every split of a snapshot into one file (the OpenAI-format artifact), or only its last
    /// <paramref name="skip"/>-th onwards runs. Returns the number of examples written.</summary>
    public async Task<long> ExportToFileAsync(string snapshotId, string path, ExportOptions options, long skip = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exporter = ExportFormats.Exporter(options.Format);
        Validate(options);
        var temp = path + ".partial";
        ExportRun run;
        var writer = exporter.Open(temp, options);
        try
        {
            run = await RunAsync(snapshotId, exporter, options, _ => writer, cancellationToken, skip);
        }
        finally
        {
            await writer.DisposeAsync();
        }

        File.Move(temp, path, overwrite: true);
        return run.Counts.Values.Sum();
    }

    private static void Validate(ExportOptions options)
    {
        if (!ExportFormats.Targets.Contains(options.Target))
        {
            throw new WhetstoneException(ErrorCode.BadInput,
                $"unknown target '{options.Target}' (expected {string.Join(", ", ExportFormats.Targets)})");
        }

        if (options.MaxTokens < 1)
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"the token limit must be at least 1 (got {options.MaxTokens})");
        }
    }

    private sealed class ExportRun
    {
        public Dictionary<Split, long> Counts { get; } = new() { [Split.Train] = 0, [Split.Validation] = 0, [Split.Eval] = 0 };

        public Dictionary<Split, List<int>> Tokens { get; } = new() { [Split.Train] = [], [Split.Validation] = [], [Split.Eval] = [] };

        public SortedSet<string> Tools { get; } = new(StringComparer.Ordinal);

        public List<string> Problems { get; } = [];

        public long Skipped { get; set; }
    }

    private readonly record struct Prepared(object? Output, string? Problem, int Tokens, IReadOnlyList<string> Tools);

    private async Task<ExportRun> RunAsync(string snapshotId, IExporter exporter, ExportOptions options,
        Func<Split, IExportWriter?> writerFor, CancellationToken cancellationToken, long skip = 0)
    {
        var run = new ExportRun();
        var batch = new List<SnapshotEntry>(BatchSize);
        await foreach (var entry in snapshots.StreamEntriesAsync(snapshotId, cancellationToken: cancellationToken))
        {
            if (writerFor(entry.Item.Split) is null || skip-- > 0)
            {
                continue;
            }

            batch.Add(entry);
            if (batch.Count == BatchSize)
            {
                await WriteBatchAsync(batch, exporter, options, writerFor, run, cancellationToken);
                batch.Clear();
            }
        }

        await WriteBatchAsync(batch, exporter, options, writerFor, run, cancellationToken);
        return run;
    }

    private async Task WriteBatchAsync(List<SnapshotEntry> batch, IExporter exporter, ExportOptions options,
        Func<Split, IExportWriter?> writerFor, ExportRun run, CancellationToken cancellationToken)
    {
        // Each run's bytes are checked against the snapshot's pin on every core; the rare run changed since the
        // snapshot (late feedback) is then read back as it was frozen.
        var prepared = new Prepared?[batch.Count];
        Parallel.For(0, batch.Count, new ParallelOptions { CancellationToken = cancellationToken },
            i => prepared[i] = batch[i].MatchesPin() ? Prepare(batch[i], exporter, options) : null);
        for (var i = 0; i < batch.Count; i++)
        {
            if (prepared[i] is null)
            {
                batch[i] = new SnapshotEntry(batch[i].Item, await snapshots.ReadPinnedAsync(batch[i].Item, cancellationToken));
                prepared[i] = Prepare(batch[i], exporter, options);
            }
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i].Item;
            var p = prepared[i]!.Value;
            if (p.Output is not null)
            {
                await writerFor(item.Split)!.WriteAsync(p.Output, cancellationToken);
                run.Counts[item.Split]++;
                if (options.CountTokens)
                {
                    run.Tokens[item.Split].Add(p.Tokens);
                }

                run.Tools.UnionWith(p.Tools);
                continue;
            }

            run.Skipped++;
            var message = $"{item.TrajectoryId}: {p.Problem}";
            if (options.Strict)
            {
                throw new WhetstoneException(ErrorCode.Refused, $"cannot export {message} (--strict)", "invalid_example");
            }

            if (run.Problems.Count < MaxProblemsKept)
            {
                run.Problems.Add(message);
            }
        }
    }

    /// <summary>Parses, checks and formats one run (runs on any thread).</summary>
    private static Prepared Prepare(SnapshotEntry entry, IExporter exporter, ExportOptions options)
    {
        var (example, problem) = TrainingExample.From(entry.Trajectory, entry.Item.TurnWeights);
        if (example is null)
        {
            return new Prepared(null, problem, 0, []);
        }

        var tokens = 0;
        if (options.CountTokens || example.Utf8Size() > options.MaxTokens)
        {
            tokens = TokenCounter.Count(example.Text());
            if (tokens > options.MaxTokens)
            {
                return new Prepared(null, $"{tokens.ToString(CultureInfo.InvariantCulture)} tokens, over the limit of {options.MaxTokens.ToString(CultureInfo.InvariantCulture)}", 0, []);
            }
        }

        try
        {
            return new Prepared(exporter.Prepare(example, options), null, tokens, example.Tools.Select(t => t.Name).ToArray());
        }
        catch (ExampleRejectedException e)
        {
            return new Prepared(null, e.Message, 0, []);
        }
    }

    private static TokenStats Stats(List<int> counts)
    {
        if (counts.Count == 0)
        {
            return new TokenStats();
        }

        counts.Sort();
        return new TokenStats
        {
            Examples = counts.Count,
            Total = counts.Sum(c => (long)c),
            Min = counts[0],
            Median = counts[counts.Count / 2],
            P95 = counts[Math.Min(counts.Count - 1, (int)Math.Ceiling(counts.Count * 0.95) - 1)],
            Max = counts[^1],
        };
    }

    public static ExportedFile Describe(string path, long? examples)
    {
        using var stream = File.OpenRead(path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new ExportedFile(Path.GetFullPath(path), sha, new FileInfo(path).Length, examples);
    }
}
