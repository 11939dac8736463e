using System.Text.Json;
using System.Text.Json.Nodes;

namespace Whetstone.Trajectories;

/// <summary>Reads Whetstone's own canonical JSON (what <c>trajectories show --json</c> and the artifacts hold).</summary>
internal sealed class CanonicalReader : ITrajectoryReader
{
    public string Format => TrajectoryFormats.Whetstone;

    public Trajectory Read(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new RecordException("$", $"a record must be a JSON object, found {JsonFields.Describe(record)}");
        }

        var givenId = JsonFields.Id(record, "id", "$");
        var id = givenId ?? CanonicalJson.ContentId(record);
        if (JsonFields.Int(record, "schema_version", "$") is { } v && v > Trajectory.CurrentSchemaVersion)
        {
            throw new RecordException("$.schema_version",
                $"version {v} is newer than this Whetstone understands ({Trajectory.CurrentSchemaVersion})");
        }

        if (JsonFields.Array(record, "messages", "$") is not { } messages || messages.GetArrayLength() == 0)
        {
            throw new RecordException("$.messages", "is required and must hold at least one message");
        }

        Trajectory t;
        try
        {
            Trajectory? parsed;
            if (givenId is null)
            {
                // The id is required in the canonical type: add the content-hash id before binding.
                var node = JsonNode.Parse(record.GetRawText())!.AsObject();
                node["id"] = id;
                parsed = node.Deserialize(WhetstoneJson.Compact.Trajectory);
            }
            else
            {
                parsed = record.Deserialize(WhetstoneJson.Compact.Trajectory);
            }

            if (parsed is null)
            {
                throw new RecordException("$", "is null");
            }
            // Source-generated deserialisation sets a missing init-only member to null, not to its initializer:
            // give omitted collections and the outcome their defaults.
            var outcome = parsed.Outcome ?? Outcome.Unknown;
            t = parsed with
            {
                Id = id,
                Tools = parsed.Tools ?? [],
                Messages = parsed.Messages ?? [],
                Outcome = outcome.Feedback is null ? outcome with { Feedback = [] } : outcome,
            };
        }
        catch (JsonException e) when (!string.IsNullOrEmpty(e.Path) || e.Message.Length > 0)
        {
            throw new RecordException(e.Path ?? "$", FirstSentence(e.Message));
        }

        Validate(t);
        return t with
        {
            Task = t.Task ?? OpenAiReader.FirstUserText(t.Messages),
            Tools = t.Tools.Count > 0 ? t.Tools : OpenAiReader.DeriveTools(t.Messages),
        };
    }

    /// <summary>Canonical messages are distinguishable from OpenAI's: calls carry <c>name</c> directly (no
    /// <c>function</c> wrapper) and reasoning sits in <c>reasoning</c>.</summary>
    public static bool LooksCanonical(JsonElement messages)
    {
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (m.TryGetProperty("tool_calls", out var tc) && tc.ValueKind == JsonValueKind.Array)
            {
                foreach (var c in tc.EnumerateArray())
                {
                    if (c.ValueKind == JsonValueKind.Object)
                    {
                        return !c.TryGetProperty("function", out _) && c.TryGetProperty("name", out _);
                    }
                }
            }
        }

        return false;
    }

    private static void Validate(Trajectory t)
    {
        var calls = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < t.Messages.Count; i++)
        {
            var m = t.Messages[i];
            foreach (var c in m.ToolCalls ?? [])
            {
                if (m.Role != Role.Assistant)
                {
                    throw new RecordException($"$.messages[{i}].tool_calls", "only assistant messages carry tool calls");
                }

                if (string.IsNullOrWhiteSpace(c.Name))
                {
                    throw new RecordException($"$.messages[{i}].tool_calls", "a tool call needs a name");
                }

                calls.Add(c.Id);
            }

            if (m.Role == Role.Tool && (m.ToolCallId is null || !calls.Contains(m.ToolCallId)))
            {
                throw new RecordException($"$.messages[{i}].tool_call_id",
                    $"'{m.ToolCallId}' does not answer any earlier assistant tool call");
            }
        }

        if (t.Outcome.Reward is < 0 or > 1)
        {
            throw new RecordException("$.outcome.reward", "must be between 0 and 1");
        }
    }

    private static string FirstSentence(string message)
    {
        var dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message;
    }
}
