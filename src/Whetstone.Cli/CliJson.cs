using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Whetstone.Cli.Commands;
using Whetstone.Registry;
using Whetstone.Storage;

namespace Whetstone.Cli;

/// <summary>Source-generated JSON for what the CLI prints with <c>--json</c>: snake_case, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(IngestReport))]
[JsonSerializable(typeof(TrajectoryListItem))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(StoredTrajectory))]
[JsonSerializable(typeof(SnapshotReport))]
[JsonSerializable(typeof(List<SnapshotReport>))]
[JsonSerializable(typeof(Whetstone.Datasets.Export.ExportResult))]
[JsonSerializable(typeof(Whetstone.Training.JobManifest))]
[JsonSerializable(typeof(List<Whetstone.Training.JobManifest>))]
[JsonSerializable(typeof(Whetstone.Training.LaunchRecord))]
[JsonSerializable(typeof(List<Whetstone.Training.LaunchRecord>))]
[JsonSerializable(typeof(RegistrationReport))]
[JsonSerializable(typeof(CandidateView))]
[JsonSerializable(typeof(List<CandidateView>))]
[JsonSerializable(typeof(Whetstone.Registry.PromotionRequest))]
[JsonSerializable(typeof(ChangeReport))]
[JsonSerializable(typeof(CliError))]
[JsonSerializable(typeof(List<Whetstone.Registry.LiveChange>))]
[JsonSerializable(typeof(Whetstone.Registry.AuditVerification))]
[JsonSerializable(typeof(List<Whetstone.Registry.AuditEntry>))]
[JsonSerializable(typeof(Quality.RescoreSummary))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    private static CliJsonContext? _output;

    /// <summary>Indented output with '&lt;' and '&gt;' kept readable (placeholders).</summary>
    public static CliJsonContext Output => _output ??= new CliJsonContext(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
