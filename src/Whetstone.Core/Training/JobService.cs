using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Whetstone.Configuration;
using Whetstone.Datasets;
using Whetstone.Datasets.Export;
using Whetstone.Storage;

namespace Whetstone.Training;

/// <summary>What <c>job prepare</c> asks for.</summary>
public sealed record JobRequest
{
    public required string SnapshotId { get; init; }

    public required string Trainer { get; init; }

    public required string BaseModel { get; init; }

    public string Method { get; init; } = "lora";

    /// <summary>Hyperparameter overrides (<c>--param key=value</c>).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Data format for the <c>custom</c> trainer (default <c>hf</c>).</summary>
    public string? Format { get; init; }

    public string? Actor { get; init; }
}

public sealed record JobResult(JobManifest Manifest, bool Created, ExportResult Export);

/// <summary>Prepares a training job: exports the snapshot's train and validation splits in the trainer's format
/// (the eval split stays with Whetstone, so no evaluation task can leak into training), writes the trainer's
/// config, and records a manifest that pins all of it.</summary>
public sealed class JobService(IWhetstoneStore store, HomeLayout home, TrainingOptions options, TimeProvider time, Registry.AuditLog? audit = null)
{
    public static IReadOnlyList<string> Trainers { get; } = ["trl", "axolotl", "llamafactory", "openai", "custom"];

    public static IReadOnlyList<string> Methods { get; } = ["lora", "full"];

    public async Task<JobResult> PrepareAsync(JobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Trainers.Contains(request.Trainer))
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"unknown trainer '{request.Trainer}' (expected {string.Join(", ", Trainers)})");
        }

        if (!Methods.Contains(request.Method))
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"unknown method '{request.Method}' (expected lora or full)");
        }

        if (string.IsNullOrWhiteSpace(request.BaseModel))
        {
            throw new WhetstoneException(ErrorCode.BadInput, "--base-model is required");
        }

        var snapshot = await store.Snapshots.GetAsync(request.SnapshotId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no snapshot with id '{request.SnapshotId}'");
        var format = request.Trainer switch
        {
            "trl" => ExportFormats.Hf,
            "axolotl" => ExportFormats.Axolotl,
            "llamafactory" => ExportFormats.ShareGpt,
            "openai" => ExportFormats.OpenAi,
            _ => request.Format ?? ExportFormats.Hf,
        };
        var hyper = TrainerDefaults.For(request.Trainer, request.Method);
        foreach (var (key, value) in request.Parameters)
        {
            hyper[key] = ParseValue(value);
        }

        var id = JobId(snapshot, request, format, hyper);
        var existing = await store.Jobs.GetJobAsync(id, cancellationToken);
        var folder = Path.Combine(home.Jobs, id);
        var data = Path.Combine(folder, "data");
        var output = Path.Combine(folder, "out");
        var splits = snapshot.Counts.Validation > 0 ? new[] { Split.Train, Split.Validation } : new[] { Split.Train };
        var export = await new DatasetExporter(store.Snapshots).ExportAsync(snapshot.Id, data, new ExportOptions
        {
            Format = format,
            Splits = splits,
            MaxTokens = options.MaxTokensPerExample,
            CountTokens = true,
            BaseModel = request.BaseModel,
        }, cancellationToken);
        Directory.CreateDirectory(output);

        var manifestPath = Path.Combine(folder, "manifest.json");
        var configFiles = export.ConfigFiles.ToList();
        var plan = TrainerPlan.Build(request.Trainer, request.BaseModel, request.Method, hyper, export, folder, output, manifestPath);
        foreach (var (name, content) in plan.Files)
        {
            var path = Path.Combine(folder, name);
            AtomicFile.WriteAllText(path, content);
            configFiles.Add(DatasetExporter.Describe(path, null));
        }

        var manifest = existing ?? new JobManifest
        {
            Id = id,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = request.Actor,
            SnapshotId = snapshot.Id,
            SnapshotHash = snapshot.Hash,
            Trainer = request.Trainer,
            BaseModel = request.BaseModel,
            Method = request.Method,
            Format = format,
            Hyperparameters = hyper,
            Folder = folder,
            OutputDir = output,
            Files = export.Files.ToDictionary(kv => kv.Key, kv => ToJobFile(kv.Value)),
            ConfigFiles = configFiles.Select(f => ToJobFile(f)).ToList(),
            Tokens = export.Tokens,
            Tools = export.Tools,
            Redactions = snapshot.Redactions,
            PolicyVersions = snapshot.PolicyVersions,
            Command = plan.Command,
            ApiRequest = plan.ApiRequest,
            Notes = plan.Notes.Concat(export.Skipped > 0
                ? [$"{export.Skipped} runs of the snapshot could not be exported in this format and were left out (see 'dataset export')."]
                : []).ToList(),
        };
        if (existing is not null && !SameFiles(existing, export))
        {
            throw new WhetstoneException(ErrorCode.StoreFailure,
                $"job {id} was prepared before with different data files; the snapshot's content changed underneath it");
        }

        AtomicFile.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest, WhetstoneJson.Indented.JobManifest) + "\n");
        var created = await store.Jobs.SaveJobAsync(manifest, cancellationToken);
        if (created && audit is not null)
        {
            await audit.AppendAsync(request.Actor ?? "system", "job_prepared", [manifest.Id, snapshot.Id], Registry.AuditLog.Payload(
                ("trainer", manifest.Trainer), ("base_model", manifest.BaseModel), ("method", manifest.Method),
                ("train_sha256", manifest.Files.TryGetValue("train", out var tf) ? tf.Sha256 : null)), cancellationToken);
        }

        return new JobResult(manifest, created, export);
    }

    private static bool SameFiles(JobManifest existing, ExportResult export) =>
        existing.Files.Count == export.Files.Count &&
        existing.Files.All(kv => export.Files.TryGetValue(kv.Key, out var f) && f.Sha256 == kv.Value.Sha256);

    private static JobFile ToJobFile(ExportedFile f) => new() { Path = f.Path, Sha256 = f.Sha256, Bytes = f.Bytes, Examples = f.Examples };

    /// <summary>Content-derived: the same snapshot, trainer, model, method and hyperparameters give the same job.</summary>
    private static string JobId(Snapshot snapshot, JobRequest request, string format, SortedDictionary<string, JsonElement> hyper)
    {
        var sb = new StringBuilder();
        sb.Append(snapshot.Hash).Append('\n').Append(request.Trainer).Append('\n').Append(request.BaseModel).Append('\n')
            .Append(request.Method).Append('\n').Append(format).Append('\n');
        foreach (var (k, v) in hyper)
        {
            sb.Append(k).Append('=').Append(v.GetRawText()).Append('\n');
        }

        return "job-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..12];
    }

    /// <summary>A value given on the command line: JSON numbers and booleans keep their type, anything else is a string.</summary>
    internal static JsonElement ParseValue(string value)
    {
        if (value is "true" or "false" || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            try
            {
                using var doc = JsonDocument.Parse(value);
                return doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                // "1e" and the like: a string after all.
            }
        }

        return JsonSerializer.SerializeToElement(value, WhetstoneJson.Compact.String);
    }
}
