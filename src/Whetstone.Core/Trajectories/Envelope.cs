using System.Text.Json;

namespace Whetstone.Trajectories;

/// <summary>The record fields shared by the line formats (openai, react): identity, model, times, outcome,
/// metadata. Unknown top-level fields are kept in metadata so nothing the agent sent is lost.</summary>
internal static class Envelope
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "id", "agent_id", "session_id", "source", "channel", "task", "task_key", "model", "provider", "started_at",
        "ended_at", "outcome", "metadata", "messages", "tools", "functions", "text", "parallel_tool_calls",
        "schema_version",
    };

    public static Trajectory Apply(Trajectory t, JsonElement record, JsonElement received)
    {
        const string p = "$";
        var id = JsonFields.Id(record, "id", p) ?? CanonicalJson.ContentId(received);
        return t with
        {
            Id = id,
            AgentId = JsonFields.String(record, "agent_id", p),
            SessionId = JsonFields.Id(record, "session_id", p),
            Source = JsonFields.String(record, "source", p) ?? JsonFields.String(record, "channel", p),
            Task = JsonFields.String(record, "task", p) ?? t.Task,
            TaskKey = JsonFields.Id(record, "task_key", p),
            Model = ReadModel(record, p),
            StartedAt = JsonFields.Time(record, "started_at", p),
            EndedAt = JsonFields.Time(record, "ended_at", p),
            Outcome = JsonFields.Object(record, "outcome", p) is { } o ? ReadOutcome(o, p + ".outcome") : Outcome.Unknown,
            Metadata = ReadMetadata(record, p),
        };
    }

    private static ModelInfo? ReadModel(JsonElement record, string p)
    {
        if (!JsonFields.TryGet(record, "model", out var m))
        {
            var provider = JsonFields.String(record, "provider", p);
            return provider is null ? null : new ModelInfo { Provider = provider };
        }

        return m.ValueKind switch
        {
            JsonValueKind.String => new ModelInfo { Name = m.GetString(), Provider = JsonFields.String(record, "provider", p) },
            JsonValueKind.Object => new ModelInfo
            {
                Name = JsonFields.String(m, "name", p + ".model"),
                Provider = JsonFields.String(m, "provider", p + ".model"),
            },
            _ => throw new RecordException(p + ".model", $"must be a string or {{provider, name}}, found {JsonFields.Describe(m)}"),
        };
    }

    private static Dictionary<string, JsonElement>? ReadMetadata(JsonElement record, string p)
    {
        Dictionary<string, JsonElement>? result = null;
        if (JsonFields.Object(record, "metadata", p) is { } meta)
        {
            result = [];
            foreach (var prop in meta.EnumerateObject())
            {
                result[prop.Name] = prop.Value.Clone();
            }
        }

        foreach (var prop in record.EnumerateObject())
        {
            if (!Known.Contains(prop.Name) && prop.Value.ValueKind != JsonValueKind.Null)
            {
                result ??= [];
                result.TryAdd(prop.Name, prop.Value.Clone());
            }
        }

        return result;
    }

    public static Outcome ReadOutcome(JsonElement o, string p)
    {
        var status = ParseStatus(JsonFields.String(o, "status", p), p + ".status");
        var reward = JsonFields.Number(o, "reward", p);
        if (reward is < 0 or > 1 || (reward is { } r && double.IsNaN(r)))
        {
            throw new RecordException(p + ".reward", "must be between 0 and 1");
        }

        return new Outcome
        {
            Status = status,
            GoalsMet = JsonFields.Bool(o, "goals_met", p),
            Delivered = JsonFields.Bool(o, "delivered", p),
            UnresolvedFailures = JsonFields.Int(o, "unresolved_failures", p),
            StatusOnly = JsonFields.Bool(o, "status_only", p),
            Reward = reward,
            Notes = JsonFields.String(o, "notes", p),
            Feedback = ReadFeedback(o, p),
        };
    }

    private static List<Feedback> ReadFeedback(JsonElement o, string p)
    {
        var list = new List<Feedback>();
        if (!JsonFields.TryGet(o, "feedback", out var f))
        {
            return list;
        }

        var items = f.ValueKind == JsonValueKind.Array ? f.EnumerateArray().ToList() : [f];
        for (var i = 0; i < items.Count; i++)
        {
            list.Add(ReadOneFeedback(items[i], $"{p}.feedback[{i}]"));
        }

        return list;
    }

    public static Feedback ReadOneFeedback(JsonElement item, string path)
    {
        switch (item.ValueKind)
        {
            case JsonValueKind.String:
                return new Feedback { Comment = item.GetString() };
            case JsonValueKind.Object:
                var score = JsonFields.Number(item, "score", path);
                if (score is < 0 or > 1)
                {
                    throw new RecordException(path + ".score", "must be between 0 and 1");
                }

                var rating = JsonFields.String(item, "rating", path)?.Trim().ToLowerInvariant();
                if (rating is not (null or "positive" or "negative" or "neutral"))
                {
                    throw new RecordException(path + ".rating", $"must be positive, negative or neutral, found '{rating}'");
                }

                return new Feedback
                {
                    Rating = rating,
                    Score = score,
                    Comment = JsonFields.String(item, "comment", path) ?? JsonFields.String(item, "text", path),
                    From = JsonFields.String(item, "from", path),
                    At = JsonFields.Time(item, "at", path),
                };
            default:
                throw new RecordException(path, $"must be a string or an object, found {JsonFields.Describe(item)}");
        }
    }

    public static OutcomeStatus ParseStatus(string? text, string path) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "unknown" or "pending" or "running" => OutcomeStatus.Unknown,
        "completed" or "complete" or "success" or "succeeded" or "done" or "ok" => OutcomeStatus.Completed,
        "failed" or "failure" or "error" => OutcomeStatus.Failed,
        "abandoned" or "cancelled" or "canceled" or "timeout" or "timed_out" => OutcomeStatus.Abandoned,
        _ => throw new RecordException(path, $"unknown status '{text}' (expected completed, failed, abandoned or unknown)"),
    };
}
