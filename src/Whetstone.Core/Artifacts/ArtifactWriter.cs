using System.Text.Json;
using Whetstone.Configuration;
using Whetstone.Datasets.Export;
using Whetstone.Storage;
using Whetstone.Training;

namespace Whetstone.Artifacts;

/// <summary>Writes the seed system's artifacts under <c>&lt;home&gt;/artifacts/</c>, each rewritten whole and
/// atomically (temporary file, flush, rename) whenever what it shows changes. They are inspectable snapshots of
/// the store, never the source of truth.</summary>
public sealed class ArtifactWriter(HomeLayout home, IWhetstoneStore store, TimeProvider time)
{
    public const string TrajectoriesJson = "self-training-trajectories.json";
    public const string TrajectoriesJsonl = "self-training-trajectories.jsonl";
    public const string Job = "self-training-job.json";
    public const string EvalReport = "self-training-eval-report.json";
    public const string Launch = "self-training-launch.json";
    public const string Candidates = "self-training-candidates.json";
    public const string Promotion = "self-training-promotion.json";

    /// <summary>How many of the most recent runs <see cref="TrajectoriesJson"/> shows.</summary>
    public const int RecentRuns = 1000;

    public string PathOf(string artifact) => Path.Combine(home.Artifacts, artifact);

    /// <summary>The most recent runs with their verdicts, and the total.</summary>
    public async Task WriteTrajectoriesAsync(CancellationToken cancellationToken = default)
    {
        var counts = await store.Trajectories.CountAsync(cancellationToken);
        var recent = new List<StoredTrajectory>();
        await foreach (var t in store.Trajectories.StreamAsync(new TrajectoryFilter { Limit = RecentRuns, NewestFirst = true }, cancellationToken))
        {
            recent.Add(t);
        }

        Write(TrajectoriesJson, w =>
        {
            w.WriteStartObject();
            w.WriteString("generated_at", time.GetUtcNow());
            w.WriteNumber("total", counts.Total);
            w.WriteNumber("accepted", counts.Accepted);
            w.WriteNumber("rejected", counts.Rejected);
            w.WriteNumber("shown", recent.Count);
            if (recent.Count < counts.Total)
            {
                w.WriteString("note", $"the {recent.Count} most recent of {counts.Total} runs; 'whetstone trajectories list --json' lists all");
            }

            w.WritePropertyName("trajectories");
            JsonSerializer.Serialize(w, recent, WhetstoneJsonArtifacts.Default.ListStoredTrajectory);
            w.WriteEndObject();
        });
    }

    /// <summary>The accepted examples of a snapshot in OpenAI fine-tuning format, one file — for a snapshot larger
    /// than <paramref name="maxExamples"/>, its most recent ones (the training files come from <c>dataset export</c>
    /// and <c>job prepare</c>; this artifact is for looking at).</summary>
    public async Task<(long Written, long Total)> WriteSnapshotExamplesAsync(string snapshotId, long maxExamples, CancellationToken cancellationToken = default)
    {
        var snapshot = await store.Snapshots.GetAsync(snapshotId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no snapshot with id '{snapshotId}'");
        var total = snapshot.Counts.Total;
        var written = await new DatasetExporter(store.Snapshots).ExportToFileAsync(snapshotId, PathOf(TrajectoriesJsonl),
            new ExportOptions { Format = ExportFormats.OpenAi }, Math.Max(0, total - maxExamples), cancellationToken);
        return (written, total);
    }

    /// <summary>An evaluation report as JSON and HTML in <c>&lt;home&gt;/evals/</c> and as the eval-report artifact
    /// (with its HTML page beside it). Returns the artifact's HTML path.</summary>
    public string WriteEvalReport(Evaluation.EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var json = report.ToJson();
        var html = Evaluation.EvaluationHtml.Render(report);
        var folder = Path.Combine(home.Root, "evals");
        AtomicFile.WriteAllText(Path.Combine(folder, report.Id + ".json"), json + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, report.Id + ".html"), html);
        AtomicFile.WriteAllText(PathOf(EvalReport), json + "\n");
        var htmlPath = Path.ChangeExtension(PathOf(EvalReport), ".html");
        AtomicFile.WriteAllText(htmlPath, html);
        return htmlPath;
    }

    public void WriteJob(JobManifest manifest) =>
        AtomicFile.WriteAllText(PathOf(Job), JsonSerializer.Serialize(manifest, WhetstoneJson.Indented.JobManifest) + "\n");

    public async Task WriteLaunchesAsync(CancellationToken cancellationToken = default)
    {
        var launches = await store.Jobs.ListLaunchesAsync(null, cancellationToken);
        Write(Launch, w =>
        {
            w.WriteStartObject();
            w.WriteString("generated_at", time.GetUtcNow());
            w.WritePropertyName("launches");
            JsonSerializer.Serialize(w, launches.ToList(), WhetstoneJson.Indented.ListLaunchRecord);
            w.WriteEndObject();
        });
    }

    /// <summary>All candidates with their latest evaluation summary, and the aliases.</summary>
    public async Task WriteCandidatesAsync(CancellationToken cancellationToken = default)
    {
        var candidates = await store.Registry.ListCandidatesAsync(cancellationToken);
        var evaluations = await store.Registry.ListEvaluationsAsync(null, cancellationToken);
        var aliases = await store.Registry.GetAliasesAsync(cancellationToken);
        Write(Candidates, w =>
        {
            w.WriteStartObject();
            w.WriteString("generated_at", time.GetUtcNow());
            w.WriteString("live", aliases.Live);
            w.WriteString("previous", aliases.Previous);
            w.WriteStartArray("candidates");
            foreach (var c in candidates)
            {
                var doc = JsonSerializer.SerializeToElement(c, WhetstoneJson.Compact.Candidate);
                w.WriteStartObject();
                foreach (var p in doc.EnumerateObject())
                {
                    p.WriteTo(w);
                }

                var latest = evaluations.LastOrDefault(e => e.CandidateId == c.Id);
                if (latest is null)
                {
                    w.WriteNull("latest_evaluation");
                }
                else
                {
                    w.WriteStartObject("latest_evaluation");
                    w.WriteString("id", latest.Id);
                    w.WriteString("baseline", latest.BaselineId);
                    w.WriteString("snapshot", latest.SnapshotId);
                    w.WriteString("mode", latest.Mode);
                    w.WriteBoolean("passed", latest.Passed);
                    w.WriteString("created_at", latest.CreatedAt);
                    w.WriteStartArray("reasons");
                    foreach (var r in latest.Reasons)
                    {
                        w.WriteStringValue(r);
                    }

                    w.WriteEndArray();
                    using var report = JsonDocument.Parse(latest.ReportJson);
                    if (report.RootElement.ValueKind == JsonValueKind.Object && report.RootElement.TryGetProperty("comparison", out var comparison))
                    {
                        w.WritePropertyName("comparison");
                        comparison.WriteTo(w);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Current live and previous, and the whole promotion/rollback history with the requests.</summary>
    public async Task WritePromotionAsync(CancellationToken cancellationToken = default)
    {
        var aliases = await store.Registry.GetAliasesAsync(cancellationToken);
        var history = await store.Registry.ListChangesAsync(cancellationToken);
        var requests = await store.Registry.ListRequestsAsync(cancellationToken);
        var live = aliases.Live is null ? null : await store.Registry.GetCandidateAsync(aliases.Live, cancellationToken);
        Write(Promotion, w =>
        {
            w.WriteStartObject();
            w.WriteString("generated_at", time.GetUtcNow());
            w.WriteStartObject("live");
            w.WriteString("candidate", aliases.Live);
            w.WriteString("model", live?.Model);
            w.WriteString("client", live?.Client);
            w.WriteEndObject();
            w.WriteString("previous", aliases.Previous);
            w.WritePropertyName("history");
            JsonSerializer.Serialize(w, history.ToList(), WhetstoneJson.Indented.ListLiveChange);
            w.WritePropertyName("requests");
            JsonSerializer.Serialize(w, requests.ToList(), WhetstoneJson.Indented.ListPromotionRequest);
            w.WriteEndObject();
        });
    }

    /// <summary>Writes an indented JSON artifact atomically.</summary>
    public void Write(string artifact, Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        AtomicFile.Write(PathOf(artifact), stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions
            {
                Indented = true,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            });
            write(w);
            w.Flush();
            stream.WriteByte((byte)'\n');
        });
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<StoredTrajectory>))]
internal sealed partial class WhetstoneJsonArtifacts : System.Text.Json.Serialization.JsonSerializerContext;
