using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Whetstone.Configuration;
using Whetstone.Quality;
using Whetstone.Redaction;
using Whetstone.Storage;

namespace Whetstone.Datasets;

/// <summary>What <c>dataset snapshot</c> asks for; null members take the configured defaults.</summary>
public sealed record SnapshotRequest
{
    public int? MinExamples { get; init; }

    public double? EvalFraction { get; init; }

    public double? ValidationFraction { get; init; }

    public int? Seed { get; init; }

    public string? Actor { get; init; }
}

/// <summary>The outcome of taking a snapshot.</summary>
public sealed record SnapshotResult(Snapshot Snapshot, bool Created, bool BecameEvalSnapshot);

/// <summary>Freezes the currently accepted runs into an immutable, content-addressed snapshot with a split by task
/// cluster. Streams the store once; memory does not grow with the number of runs.</summary>
public sealed class SnapshotService(IWhetstoneStore store, DatasetsOptions defaults, TimeProvider time,
    Registry.AuditLog? audit = null, Func<CancellationToken, Task>? beforeSnapshot = null)
{
    private const int BatchSize = 2048;

    /// <summary>SHA-256 of the verdict's content: when it was computed (<c>scored_at</c>) is left out, so re-scoring
    /// that reaches the same judgement does not change the snapshot id.</summary>
    private static string VerdictDigest(QualityVerdict verdict) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(verdict with { ScoredAt = null }, WhetstoneJson.Compact.QualityVerdict)));

    /// <summary>What a snapshot records of one run, computed from its stored bytes.</summary>
    private sealed record Row(string Id, Split Split, string Key, string DocSha, string VerdictSha, string Weights, string Policy,
        string Model, IReadOnlyList<string> Tools, IReadOnlyDictionary<string, int> Redactions)
    {
        public static Row Of(RawTrajectory raw, SplitAssigner assigner)
        {
            var verdict = JsonSerializer.Deserialize(raw.VerdictJson, WhetstoneJson.Compact.QualityVerdict)!;
            var header = TrajectoryHeader.Read(raw.Doc);
            var key = SplitAssigner.KeyFor(verdict.ClusterId, raw.TaskKey, header.Task);
            var report = JsonSerializer.Deserialize(raw.RedactionJson, WhetstoneJson.Compact.RedactionReport);
            return new Row(
                raw.Id,
                assigner.Assign(key),
                key,
                Convert.ToHexStringLower(SHA256.HashData(raw.Doc)),
                VerdictDigest(verdict),
                string.Concat(verdict.TurnWeights.Select(w => w > 0 ? '1' : '0')),
                verdict.PolicyVersion,
                raw.ModelName ?? "(none)",
                header.Tools,
                report?.Counts ?? new Dictionary<string, int>());
        }
    }

    /// <summary>Makes a snapshot's eval split the evaluation set. Admin-only: the caller checks the actor.</summary>
    public async Task<EvalPointer> UseForEvalAsync(string snapshotId, string actor, CancellationToken cancellationToken = default)
    {
        var snapshot = await store.Snapshots.GetAsync(snapshotId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no snapshot with id '{snapshotId}'");
        var previous = await store.Snapshots.GetEvalPointerAsync(cancellationToken);
        var pointer = new EvalPointer(snapshot.Id, time.GetUtcNow(), actor);
        await store.Snapshots.SetEvalPointerAsync(pointer, cancellationToken);
        if (audit is not null)
        {
            await audit.AppendAsync(actor, "eval_snapshot_set", [snapshot.Id],
                Registry.AuditLog.Payload(("previous", previous?.SnapshotId), ("eval_runs", snapshot.Counts.Eval)), cancellationToken);
        }

        return pointer;
    }

    public async Task<SnapshotResult> TakeAsync(SnapshotRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = new SplitParameters
        {
            EvalFraction = request.EvalFraction ?? defaults.EvalFraction,
            ValidationFraction = request.ValidationFraction ?? defaults.ValidationFraction,
            Seed = request.Seed ?? defaults.Seed,
        };
        Validate(parameters);
        var minExamples = request.MinExamples ?? defaults.MinExamples;
        if (minExamples < 1)
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"--min-examples must be at least 1 (got {minExamples})");
        }

        if (beforeSnapshot is not null)
        {
            // Set-level quality rules (near-duplicates, inefficient paths) depend on every run: refresh them first.
            await beforeSnapshot(cancellationToken);
        }

        var accepted = (await store.Trajectories.TotalsAsync(cancellationToken)).Accepted;
        if (accepted < minExamples)
        {
            throw new WhetstoneException(ErrorCode.Refused,
                $"only {accepted} accepted runs; a snapshot needs at least {minExamples} (--min-examples)", "too_few_examples");
        }

        var assigner = new SplitAssigner(parameters);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes("whetstone-snapshot-v1\n" +
            JsonSerializer.Serialize(parameters, SnapshotJson.Default.SplitParameters) + "\n"));
        var counts = new long[3];
        var policies = new SortedSet<string>(StringComparer.Ordinal);
        var tools = new SortedSet<string>(StringComparer.Ordinal);
        var redactions = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var models = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long ordinal = 0;
        await using var writer = await store.Snapshots.BeginAsync(cancellationToken);
        // Hashing and parsing run on every core; items are written and hashed into the snapshot id in store order.
        var batch = new List<RawTrajectory>(BatchSize);
        async Task FlushAsync()
        {
            var rows = new Row[batch.Count];
            Parallel.For(0, batch.Count, new ParallelOptions { CancellationToken = cancellationToken }, i => rows[i] = Row.Of(batch[i], assigner));
            foreach (var row in rows)
            {
                await writer.AddAsync(new SnapshotItem(ordinal++, row.Id, row.Split, row.Key, row.DocSha, row.Weights), cancellationToken);
                hash.AppendData(Encoding.UTF8.GetBytes($"{row.Id}\t{row.Split}\t{row.Key}\t{row.DocSha}\t{row.VerdictSha}\n"));
                counts[(int)row.Split]++;
                policies.Add(row.Policy);
                tools.UnionWith(row.Tools);
                models[row.Model] = models.GetValueOrDefault(row.Model) + 1;
                foreach (var (kind, n) in row.Redactions)
                {
                    redactions[kind] = redactions.GetValueOrDefault(kind) + n;
                }
            }

            batch.Clear();
        }

        await foreach (var raw in store.Trajectories.StreamRawAsync(new TrajectoryFilter { Accepted = true }, cancellationToken))
        {
            batch.Add(raw);
            if (batch.Count == BatchSize)
            {
                await FlushAsync();
            }
        }

        await FlushAsync();

        if (ordinal < minExamples)
        {
            throw new WhetstoneException(ErrorCode.Refused,
                $"only {ordinal} accepted runs; a snapshot needs at least {minExamples} (--min-examples)", "too_few_examples");
        }

        var clusters = await writer.CountClustersAsync(cancellationToken);
        var digest = Convert.ToHexStringLower(hash.GetHashAndReset());
        var snapshot = new Snapshot
        {
            Id = "snap-" + digest[..16],
            Hash = digest,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = request.Actor,
            Parameters = parameters,
            PolicyVersions = policies.ToArray(),
            Counts = new SnapshotCounts
            {
                Train = counts[(int)Split.Train],
                Validation = counts[(int)Split.Validation],
                Eval = counts[(int)Split.Eval],
                TrainClusters = clusters.GetValueOrDefault(Split.Train),
                ValidationClusters = clusters.GetValueOrDefault(Split.Validation),
                EvalClusters = clusters.GetValueOrDefault(Split.Eval),
            },
            Tools = tools.ToArray(),
            Redactions = redactions,
            Models = models,
        };

        var created = await writer.CommitAsync(snapshot, cancellationToken);
        if (!created)
        {
            snapshot = await store.Snapshots.GetAsync(snapshot.Id, cancellationToken) ?? snapshot;
        }

        if (created && audit is not null)
        {
            await audit.AppendAsync(request.Actor ?? "system", "snapshot_taken", [snapshot.Id], Registry.AuditLog.Payload(
                ("hash", snapshot.Hash), ("train", snapshot.Counts.Train), ("validation", snapshot.Counts.Validation),
                ("eval", snapshot.Counts.Eval), ("policies", snapshot.PolicyVersions)), cancellationToken);
        }

        var becameEval = false;
        if (await store.Snapshots.GetEvalPointerAsync(cancellationToken) is null)
        {
            await UseForEvalAsync(snapshot.Id, request.Actor ?? "system", cancellationToken);
            becameEval = true;
        }

        return new SnapshotResult(snapshot, created, becameEval);
    }

    public static void Validate(SplitParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.EvalFraction is <= 0 or >= 1 || double.IsNaN(p.EvalFraction))
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"--eval-fraction must be between 0 and 1 (got {p.EvalFraction.ToString(CultureInfo.InvariantCulture)})");
        }

        if (p.ValidationFraction is < 0 or >= 1 || double.IsNaN(p.ValidationFraction))
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"--validation-fraction must be in [0, 1) (got {p.ValidationFraction.ToString(CultureInfo.InvariantCulture)})");
        }

        if (p.EvalFraction + p.ValidationFraction >= 1)
        {
            throw new WhetstoneException(ErrorCode.BadInput, "--eval-fraction + --validation-fraction must leave room for a train split");
        }
    }
}

/// <summary>The few fields of a stored trajectory a snapshot needs (task text, tool names), read with a forward
/// JSON reader that skips everything else — stored runs list their tools before their messages, so the messages
/// are usually never read.</summary>
internal sealed record TrajectoryHeader(string? Task, IReadOnlyList<string> Tools)
{
    public static TrajectoryHeader Read(ReadOnlySpan<byte> doc)
    {
        var reader = new Utf8JsonReader(doc);
        string? task = null;
        var tools = new List<string>();
        bool seenTask = false, seenTools = false;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WhetstoneException(ErrorCode.StoreFailure, "a stored trajectory is not a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && !(seenTask && seenTools))
        {
            if (reader.ValueTextEquals("task"u8))
            {
                reader.Read();
                task = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                seenTask = true;
            }
            else if (reader.ValueTextEquals("tools"u8))
            {
                reader.Read();
                seenTools = true;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("name"u8))
                        {
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.String)
                            {
                                tools.Add(reader.GetString()!);
                            }
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TrajectoryHeader(task, tools);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SplitParameters))]
internal sealed partial class SnapshotJson : JsonSerializerContext;
