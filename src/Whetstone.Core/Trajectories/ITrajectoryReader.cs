using System.Text.Json;

namespace Whetstone.Trajectories;

/// <summary>Turns one record of a foreign (or the canonical) format into a <see cref="Trajectory"/>; throws
/// <see cref="RecordException"/> for a record it cannot use.</summary>
public interface ITrajectoryReader
{
    string Format { get; }

    Trajectory Read(JsonElement record);
}

/// <summary>Format names accepted by <c>--format</c> and <c>?format=</c>.</summary>
public static class TrajectoryFormats
{
    public const string Auto = "auto";
    public const string Whetstone = "whetstone";
    public const string OpenAi = "openai";
    public const string OrcBot = "orcbot";
    public const string ReAct = "react";

    public static IReadOnlyList<string> All { get; } = [Auto, Whetstone, OpenAi, OrcBot, ReAct];

    private static readonly Dictionary<string, ITrajectoryReader> Readers = new(StringComparer.Ordinal)
    {
        [Whetstone] = new CanonicalReader(),
        [OpenAi] = new OpenAiReader(),
        [OrcBot] = new OrcBotReader(),
        [ReAct] = new ReActReader(),
    };

    /// <summary>The reader for a named format (not <c>auto</c>).</summary>
    public static ITrajectoryReader Reader(string format) =>
        Readers.TryGetValue(format, out var r)
            ? r
            : throw new WhetstoneException(ErrorCode.BadInput,
                $"unknown format '{format}' (expected one of {string.Join(", ", All)})");

    public static void Validate(string format)
    {
        if (format != Auto)
        {
            _ = Reader(format);
        }
    }

    /// <summary>Detects the format of one record, or null when it matches none.</summary>
    public static string? Detect(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (record.TryGetProperty("taskDescription", out _) || record.TryGetProperty("actionId", out _) ||
            (record.TryGetProperty("steps", out var steps) && steps.ValueKind == JsonValueKind.Array))
        {
            return OrcBot;
        }

        if (record.TryGetProperty("schema_version", out _))
        {
            return Whetstone;
        }

        if (ReActReader.Looks(record))
        {
            return ReAct;
        }

        if (record.TryGetProperty("messages", out var ms) && ms.ValueKind == JsonValueKind.Array)
        {
            return CanonicalReader.LooksCanonical(ms) ? Whetstone : OpenAi;
        }

        return null;
    }
}
