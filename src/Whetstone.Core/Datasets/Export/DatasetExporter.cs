using System.Globalization;
using System.Security.Cryptography;
using Whetstone.Storage;

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
    public IReadOnlyDictionary<string, Training.TokenStats> Tokens { get; init; } = new Dictionary<string, Training.TokenStats>();
}

/// <summary>Writes a snapshot's splits in a trainer's format. Each run is checked before it is written (roles,
/// pairing of calls and results, a final assistant answer, a learned turn, the token limit); a run that fails is
/// skipped and reported. Streams: memory does not grow with the snapshot.</summary>
public sealed class DatasetExporter(ISnapshotStore snapshots)
{
    public const int OpenAiMinimumExamples = 10;
    private const int MaxProblemsKept = 50;

    public async Task<ExportResult> ExportAsync(string snapshotId, string folder, ExportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exporter = ExportFormats.Exporter(options.Format);
        if (!ExportFormats.Targets.Contains(options.Target))
        {
            throw new WhetstoneException(ErrorCode.BadInput,
                $"unknown target '{options.Target}' (expected {string.Join(", ", ExportFormats.Targets)})");
        }

        if (options.MaxTokens < 1)
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"the token limit must be at least 1 (got {options.MaxTokens})");
        }

        var snapshot = await snapshots.GetAsync(snapshotId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no snapshot with id '{snapshotId}'");
        Directory.CreateDirectory(folder);
        var partial = options.Splits.ToDictionary(s => s, s => Path.Combine(folder, ExportFormats.FileName(s, options.Format) + ".partial"));
        var writers = new Dictionary<Split, IExportWriter>();
        var counts = options.Splits.ToDictionary(s => s, _ => 0L);
        var problems = new List<string>();
        var tools = new SortedSet<string>(StringComparer.Ordinal);
        var tokens = options.Splits.ToDictionary(s => s, _ => new List<int>());
        long skipped = 0;
        var ok = false;
        try
        {
            foreach (var split in options.Splits)
            {
                writers[split] = exporter.Open(partial[split], options);
            }

            await foreach (var entry in snapshots.StreamEntriesAsync(snapshot.Id, cancellationToken: cancellationToken))
            {
                if (!writers.TryGetValue(entry.Item.Split, out var writer))
                {
                    continue;
                }

                var (example, problem) = TrainingExample.From(entry.Trajectory, entry.Item.TurnWeights);
                if (example is not null && example.Utf8Size() > options.MaxTokens)
                {
                    var size = TokenCounter.Count(example.Text());
                    if (size > options.MaxTokens)
                    {
                        (example, problem) = (null, $"{size.ToString(CultureInfo.InvariantCulture)} tokens, over the limit of {options.MaxTokens.ToString(CultureInfo.InvariantCulture)}");
                    }
                }

                if (example is not null)
                {
                    try
                    {
                        await writer.WriteAsync(example, cancellationToken);
                        counts[entry.Item.Split]++;
                        if (options.CountTokens)
                        {
                            tokens[entry.Item.Split].Add(TokenCounter.Count(example.Text()));
                        }

                        foreach (var t in example.Tools)
                        {
                            tools.Add(t.Name);
                        }

                        continue;
                    }
                    catch (ExampleRejectedException e)
                    {
                        problem = e.Message;
                    }
                }

                skipped++;
                var message = $"{entry.Item.TrajectoryId}: {problem}";
                if (options.Strict)
                {
                    throw new WhetstoneException(ErrorCode.Refused, $"cannot export {message} (--strict)", "invalid_example");
                }

                if (problems.Count < MaxProblemsKept)
                {
                    problems.Add(message);
                }
            }

            foreach (var w in writers.Values)
            {
                await w.DisposeAsync();
            }

            writers.Clear();
            if (options.Format == ExportFormats.OpenAi && options.Splits.Contains(Split.Train) && counts[Split.Train] < OpenAiMinimumExamples)
            {
                throw new WhetstoneException(ErrorCode.Refused,
                    $"OpenAI fine-tuning needs at least {OpenAiMinimumExamples} training examples; the train split has {counts[Split.Train]}",
                    "too_few_examples");
            }

            var files = new SortedDictionary<string, ExportedFile>(StringComparer.Ordinal);
            foreach (var split in options.Splits)
            {
                var final = Path.Combine(folder, ExportFormats.FileName(split, options.Format));
                File.Move(partial[split], final, overwrite: true);
                files[SplitName(split)] = Describe(final, counts[split]);
            }

            var config = exporter is IExportConfig c ? c.WriteConfig(folder, counts, options) : [];
            ok = true;
            return new ExportResult
            {
                SnapshotId = snapshot.Id,
                Format = options.Format,
                Target = options.Target,
                Folder = Path.GetFullPath(folder),
                Files = files,
                ConfigFiles = config.Select(p => Describe(p, null)).ToList(),
                Skipped = skipped,
                Problems = problems,
                Tools = tools.ToList(),
                Tokens = options.CountTokens
                    ? tokens.ToDictionary(kv => SplitName(kv.Key), kv => Stats(kv.Value))
                    : new Dictionary<string, Training.TokenStats>(),
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

    public static string SplitName(Split split) => split switch
    {
        Split.Train => "train",
        Split.Validation => "validation",
        _ => "eval",
    };

    private static Training.TokenStats Stats(List<int> counts)
    {
        if (counts.Count == 0)
        {
            return new Training.TokenStats();
        }

        counts.Sort();
        return new Training.TokenStats
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
