using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Whetstone.Cli.Commands;
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
