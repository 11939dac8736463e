using System.Globalization;
using System.Text.Json;

namespace Whetstone.Trajectories;

/// <summary>Reads records of OrcBot's <c>self-training-trajectories.json</c> (<c>{"trajectories": [...]}</c>):
/// each step becomes an assistant tool call answered by its result (or error) snippet, the final delivery the
/// last assistant message, and the delivery audit the outcome.</summary>
internal sealed class OrcBotReader : ITrajectoryReader
{
    public string Format => TrajectoryFormats.OrcBot;

    public Trajectory Read(JsonElement r)
    {
        const string p = "$";
        if (r.ValueKind != JsonValueKind.Object)
        {
            throw new RecordException(p, $"a record must be a JSON object, found {JsonFields.Describe(r)}");
        }

        var task = JsonFields.String(r, "taskDescription", p);
        var timestamp = JsonFields.Time(r, "timestamp", p);
        var messages = new List<Message>();
        if (!string.IsNullOrWhiteSpace(task))
        {
            messages.Add(new Message { Role = Role.User, Content = task, Timestamp = timestamp });
        }

        var stepTimes = new List<DateTimeOffset>();
        if (JsonFields.Array(r, "steps", p) is { } steps)
        {
            var i = 0;
            foreach (var s in steps.EnumerateArray())
            {
                var sp = $"$.steps[{i}]";
                if (s.ValueKind != JsonValueKind.Object)
                {
                    throw new RecordException(sp, $"a step must be an object, found {JsonFields.Describe(s)}");
                }

                var tool = JsonFields.String(s, "tool", sp);
                if (string.IsNullOrWhiteSpace(tool))
                {
                    throw new RecordException(sp + ".tool", "is required");
                }

                var number = JsonFields.Int(s, "step", sp) ?? i + 1;
                var id = "step_" + number.ToString(CultureInfo.InvariantCulture) + "_" + i.ToString(CultureInfo.InvariantCulture);
                var at = JsonFields.Time(s, "timestamp", sp);
                if (at is { } a)
                {
                    stepTimes.Add(a);
                }

                var call = new ToolCall { Id = id, Name = tool }.WithArguments(WrapArgs(s), sp);
                messages.Add(new Message { Role = Role.Assistant, ToolCalls = [call], Timestamp = at });
                var success = JsonFields.Bool(s, "success", sp);
                var error = JsonFields.String(s, "errorSnippet", sp);
                var result = JsonFields.String(s, "resultSnippet", sp);
                messages.Add(new Message
                {
                    Role = Role.Tool,
                    ToolCallId = id,
                    Name = tool,
                    Content = success == false && !string.IsNullOrEmpty(error) ? error : result ?? error ?? "",
                    IsError = success is null ? null : !success.Value,
                    Timestamp = at,
                });
                i++;
            }
        }

        var finals = new List<string>();
        if (JsonFields.Array(r, "finalMessages", p) is { } fm)
        {
            var j = 0;
            foreach (var f in fm.EnumerateArray())
            {
                if (f.ValueKind != JsonValueKind.String)
                {
                    throw new RecordException($"$.finalMessages[{j}]", $"must be a string, found {JsonFields.Describe(f)}");
                }

                finals.Add(f.GetString()!);
                j++;
            }
        }

        var delivery = JsonFields.String(r, "finalDelivery", p);
        if (!string.IsNullOrWhiteSpace(delivery) && (finals.Count == 0 || finals[^1] != delivery))
        {
            finals.Add(delivery);
        }

        foreach (var f in finals)
        {
            messages.Add(new Message { Role = Role.Assistant, Content = f });
        }

        if (messages.Count == 0)
        {
            throw new RecordException(p, "record has no taskDescription, steps or final messages");
        }

        var audit = JsonFields.Object(r, "deliveryAudit", p);
        var outcome = new Outcome
        {
            Status = Envelope.ParseStatus(JsonFields.String(r, "actionStatus", p), "$.actionStatus"),
            GoalsMet = JsonFields.Bool(r, "goalsMet", p),
            Delivered = audit is { } d1 ? JsonFields.Bool(d1, "delivered", "$.deliveryAudit") : null,
            Notes = audit is { } d2 ? JsonFields.String(d2, "reason", "$.deliveryAudit") : null,
            UnresolvedFailures = audit is { } d3 ? UnresolvedCount(d3) : null,
            StatusOnly = audit is { } d4 ? JsonFields.Bool(d4, "onlySentStatusMessages", "$.deliveryAudit") : null,
        };

        var metadata = new Dictionary<string, JsonElement>();
        foreach (var key in new[] { "actionId", "sourceId", "lane", "isUserFacingAction", "messagesSent", "substantiveDeliveriesSent", "skillCallCounts" })
        {
            if (JsonFields.TryGet(r, key, out var v))
            {
                metadata[ToSnake(key)] = v.Clone();
            }
        }

        var model = JsonFields.String(r, "modelName", p);
        var provider = JsonFields.String(r, "provider", p);
        var trajectory = new Trajectory
        {
            Id = JsonFields.Id(r, "id", p) ?? JsonFields.Id(r, "actionId", p) ?? CanonicalJson.ContentId(r),
            Source = JsonFields.String(r, "source", p),
            SessionId = JsonFields.Id(r, "sessionScopeId", p),
            Task = task,
            Model = model is null && provider is null ? null : new ModelInfo { Name = model, Provider = provider },
            StartedAt = stepTimes.Count > 0 ? stepTimes.Min() : timestamp,
            EndedAt = stepTimes.Count > 0 ? stepTimes.Max() : timestamp,
            Messages = messages,
            Tools = OpenAiReader.DeriveTools(messages),
            Outcome = outcome,
            Metadata = metadata.Count > 0 ? metadata : null,
        };
        return trajectory;
    }

    /// <summary>OrcBot writes unresolved failures as a count or as a list of failure descriptions.</summary>
    private static int? UnresolvedCount(JsonElement audit)
    {
        if (!JsonFields.TryGet(audit, "unresolvedFailures", out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Array => v.GetArrayLength(),
            JsonValueKind.Number => JsonFields.Int(audit, "unresolvedFailures", "$.deliveryAudit"),
            _ => throw new RecordException("$.deliveryAudit.unresolvedFailures",
                $"must be a count or a list, found {JsonFields.Describe(v)}"),
        };
    }

    /// <summary>Step args come as an object or as a JSON string; present them as <c>{"arguments": …}</c>.</summary>
    private static JsonElement WrapArgs(JsonElement step)
    {
        if (!JsonFields.TryGet(step, "args", out var args))
        {
            return default;
        }

        var wrapper = new Dictionary<string, JsonElement> { ["arguments"] = args };
        return JsonSerializer.SerializeToElement(wrapper, WhetstoneJson.Compact.DictionaryStringJsonElement);
    }

    private static string ToSnake(string camel) => JsonNamingPolicy.SnakeCaseLower.ConvertName(camel);
}
