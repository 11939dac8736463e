using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Whetstone.Quality;
using Whetstone.Redaction;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone;

/// <summary>Source-generated JSON for the types Whetstone writes: snake_case keys, nulls omitted, enums as
/// snake_case strings.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(Trajectory))]
[JsonSerializable(typeof(List<Trajectory>))]
[JsonSerializable(typeof(QualityVerdict))]
[JsonSerializable(typeof(RedactionReport))]
[JsonSerializable(typeof(StoredTrajectory))]
[JsonSerializable(typeof(Outcome))]
[JsonSerializable(typeof(Feedback))]
[JsonSerializable(typeof(HumanOverride))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Datasets.Snapshot))]
[JsonSerializable(typeof(Storage.EvalPointer))]
[JsonSerializable(typeof(Training.JobManifest))]
[JsonSerializable(typeof(Training.LaunchRecord))]
[JsonSerializable(typeof(List<Training.LaunchRecord>))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(Registry.Candidate))]
[JsonSerializable(typeof(Registry.EvaluationRecord))]
[JsonSerializable(typeof(Registry.PromotionRequest))]
[JsonSerializable(typeof(Registry.LiveChange))]
[JsonSerializable(typeof(Registry.AuditEntry))]
[JsonSerializable(typeof(List<Registry.Candidate>))]
[JsonSerializable(typeof(List<Registry.LiveChange>))]
[JsonSerializable(typeof(List<Registry.PromotionRequest>))]
public sealed partial class WhetstoneJsonContext : JsonSerializerContext;

/// <summary>Entry points for (de)serialising Whetstone's own types.</summary>
public static class WhetstoneJson
{
    /// <summary>Compact output (one record per line).</summary>
    public static WhetstoneJsonContext Compact { get; } = new(CreateOptions(indented: false));

    /// <summary>Indented output for humans and artifacts.</summary>
    public static WhetstoneJsonContext Indented { get; } = new(CreateOptions(indented: true));

    public static JsonSerializerOptions CreateOptions(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        WriteIndented = indented,
        // Keep '<', '>' and non-ASCII readable: placeholders like <EMAIL_1> appear in stored text.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(Trajectory trajectory, bool indented = false) =>
        JsonSerializer.Serialize(trajectory, (indented ? Indented : Compact).Trajectory);

    public static Trajectory DeserializeTrajectory(string json) =>
        JsonSerializer.Deserialize(json, Compact.Trajectory)
        ?? throw new WhetstoneException(ErrorCode.BadInput, "trajectory JSON is null");
}
