using System.Text;
using System.Text.Json;

namespace Whetstone.Trajectories;

/// <summary>Reads OpenAI chat-format records: <c>{"id"?, "messages": [...], "tools"?: [...], "outcome"?: {...}}</c>,
/// including the legacy <c>function_call</c> / role <c>function</c> form, content given as text parts, and
/// <c>reasoning_content</c>.</summary>
internal sealed class OpenAiReader : ITrajectoryReader
{
    public string Format => TrajectoryFormats.OpenAi;

    public Trajectory Read(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new RecordException("$", $"a record must be a JSON object, found {JsonFields.Describe(record)}");
        }

        var messagesElement = JsonFields.Array(record, "messages", "$")
            ?? throw new RecordException("$.messages", "is required (an array of chat messages)");
        var messages = ReadMessages(messagesElement, "$.messages");
        var tools = ReadTools(record) ?? DeriveTools(messages);
        var t = new Trajectory
        {
            Id = "",
            Messages = messages,
            Tools = tools,
            Task = FirstUserText(messages),
        };
        return Envelope.Apply(t, record, record);
    }

    internal static string? FirstUserText(IReadOnlyList<Message> messages) =>
        messages.FirstOrDefault(m => m.Role == Role.User && !string.IsNullOrWhiteSpace(m.Content))?.Content;

    internal static List<Message> ReadMessages(JsonElement array, string path)
    {
        var result = new List<Message>(array.GetArrayLength());
        var knownCallIds = new HashSet<string>(StringComparer.Ordinal);
        var pendingLegacy = new List<(string Name, string Id)>();
        var index = 0;
        foreach (var m in array.EnumerateArray())
        {
            var p = $"{path}[{index}]";
            if (m.ValueKind != JsonValueKind.Object)
            {
                throw new RecordException(p, $"a message must be an object, found {JsonFields.Describe(m)}");
            }

            var roleText = JsonFields.String(m, "role", p) ?? throw new RecordException(p + ".role", "is required");
            var content = ReadContent(m, p);
            var timestamp = JsonFields.Time(m, "timestamp", p);
            var name = JsonFields.String(m, "name", p);
            switch (roleText)
            {
                case "system" or "developer":
                    result.Add(new Message { Role = Role.System, Content = content, Timestamp = timestamp, Name = name });
                    break;
                case "user" or "human":
                    result.Add(new Message { Role = Role.User, Content = content, Timestamp = timestamp, Name = name });
                    break;
                case "assistant":
                    var calls = ReadToolCalls(m, p, index, pendingLegacy);
                    foreach (var c in calls)
                    {
                        knownCallIds.Add(c.Id);
                    }

                    result.Add(new Message
                    {
                        Role = Role.Assistant,
                        Content = content,
                        Reasoning = JsonFields.String(m, "reasoning_content", p) ?? JsonFields.String(m, "reasoning", p),
                        ToolCalls = calls.Count > 0 ? calls : null,
                        Timestamp = timestamp,
                        Name = name,
                    });
                    break;
                case "tool":
                    var callId = JsonFields.Id(m, "tool_call_id", p)
                        ?? throw new RecordException(p + ".tool_call_id", "is required on a tool message");
                    if (!knownCallIds.Contains(callId))
                    {
                        throw new RecordException(p + ".tool_call_id",
                            $"'{callId}' does not answer any earlier assistant tool call");
                    }

                    result.Add(new Message
                    {
                        Role = Role.Tool,
                        Content = content,
                        ToolCallId = callId,
                        Name = name,
                        Timestamp = timestamp,
                        IsError = JsonFields.Bool(m, "is_error", p),
                    });
                    break;
                case "function":
                    var fname = name ?? throw new RecordException(p + ".name", "is required on a function message");
                    var pending = pendingLegacy.FindIndex(x => x.Name == fname);
                    if (pending < 0)
                    {
                        throw new RecordException(p, $"function result for '{fname}' follows no function_call of that name");
                    }

                    var legacyId = pendingLegacy[pending].Id;
                    pendingLegacy.RemoveAt(pending);
                    result.Add(new Message
                    {
                        Role = Role.Tool, Content = content, ToolCallId = legacyId, Name = fname, Timestamp = timestamp,
                    });
                    break;
                default:
                    throw new RecordException(p + ".role",
                        $"unknown role '{roleText}' (expected system, user, assistant, tool or function)");
            }

            index++;
        }

        if (result.Count == 0)
        {
            throw new RecordException(path, "must hold at least one message");
        }

        return result;
    }

    private static string? ReadContent(JsonElement m, string p)
    {
        if (!JsonFields.TryGet(m, "content", out var c))
        {
            return null;
        }

        switch (c.ValueKind)
        {
            case JsonValueKind.String:
                return c.GetString();
            case JsonValueKind.Array:
                var sb = new StringBuilder();
                var i = 0;
                foreach (var part in c.EnumerateArray())
                {
                    var pp = $"{p}.content[{i++}]";
                    if (part.ValueKind == JsonValueKind.String)
                    {
                        sb.Append(part.GetString());
                        continue;
                    }

                    if (part.ValueKind != JsonValueKind.Object)
                    {
                        throw new RecordException(pp, $"a content part must be an object, found {JsonFields.Describe(part)}");
                    }

                    var type = JsonFields.String(part, "type", pp);
                    if (type is "text" or "input_text" or "output_text" or null)
                    {
                        sb.Append(JsonFields.String(part, "text", pp));
                    }
                    else
                    {
                        // Images, audio and files are not training text: keep a marker of what was there.
                        sb.Append('[').Append(type).Append(']');
                    }
                }

                return sb.ToString();
            default:
                throw new RecordException(p + ".content", $"must be a string or an array of parts, found {JsonFields.Describe(c)}");
        }
    }

    private static List<ToolCall> ReadToolCalls(JsonElement m, string p, int messageIndex, List<(string Name, string Id)> pendingLegacy)
    {
        var calls = new List<ToolCall>();
        if (JsonFields.Array(m, "tool_calls", p) is { } tc)
        {
            var j = 0;
            foreach (var call in tc.EnumerateArray())
            {
                var cp = $"{p}.tool_calls[{j}]";
                if (call.ValueKind != JsonValueKind.Object)
                {
                    throw new RecordException(cp, $"a tool call must be an object, found {JsonFields.Describe(call)}");
                }

                var fn = JsonFields.Object(call, "function", cp) ?? call;
                var fp = fn.Equals(call) ? cp : cp + ".function";
                var name = JsonFields.String(fn, "name", fp);
                if (string.IsNullOrWhiteSpace(name))
                {
                    throw new RecordException(fp + ".name", "is required");
                }

                calls.Add(new ToolCall
                {
                    Id = JsonFields.Id(call, "id", cp) ?? $"call_{messageIndex}_{j}",
                    Name = name,
                }.WithArguments(fn, fp));
                j++;
            }
        }

        if (JsonFields.Object(m, "function_call", p) is { } legacy)
        {
            var lp = p + ".function_call";
            var name = JsonFields.String(legacy, "name", lp);
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new RecordException(lp + ".name", "is required");
            }

            var id = $"call_{messageIndex}_{calls.Count}";
            calls.Add(new ToolCall { Id = id, Name = name }.WithArguments(legacy, lp));
            pendingLegacy.Add((name, id));
        }

        return calls;
    }

    private static List<ToolSpec>? ReadTools(JsonElement record)
    {
        var array = JsonFields.Array(record, "tools", "$");
        var path = "$.tools";
        if (array is null)
        {
            array = JsonFields.Array(record, "functions", "$");
            path = "$.functions";
        }

        if (array is null)
        {
            return null;
        }

        var tools = new List<ToolSpec>();
        var i = 0;
        foreach (var t in array.Value.EnumerateArray())
        {
            var tp = $"{path}[{i++}]";
            if (t.ValueKind != JsonValueKind.Object)
            {
                throw new RecordException(tp, $"a tool must be an object, found {JsonFields.Describe(t)}");
            }

            var fn = JsonFields.Object(t, "function", tp) ?? t;
            var fp = fn.Equals(t) ? tp : tp + ".function";
            var name = JsonFields.String(fn, "name", fp);
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new RecordException(fp + ".name", "is required");
            }

            JsonElement? parameters = null;
            if (JsonFields.TryGet(fn, "parameters", out var ps))
            {
                if (ps.ValueKind != JsonValueKind.Object)
                {
                    throw new RecordException(fp + ".parameters", $"must be a JSON schema object, found {JsonFields.Describe(ps)}");
                }

                parameters = ps.Clone();
            }

            tools.Add(new ToolSpec { Name = name, Description = JsonFields.String(fn, "description", fp), Parameters = parameters });
        }

        return tools;
    }

    internal static List<ToolSpec> DeriveTools(IEnumerable<Message> messages) =>
        messages.Where(m => m.ToolCalls is not null)
            .SelectMany(m => m.ToolCalls!)
            .Select(c => c.Name)
            .Distinct(StringComparer.Ordinal)
            .Select(n => new ToolSpec { Name = n })
            .ToList();
}

internal static class ToolCallArguments
{
    /// <summary>Reads <c>arguments</c> given as a JSON string (OpenAI) or as an object (HF style). Text that is not
    /// valid JSON is kept raw.</summary>
    public static ToolCall WithArguments(this ToolCall call, JsonElement fn, string path)
    {
        if (!JsonFields.TryGet(fn, "arguments", out var a))
        {
            return call with { Arguments = EmptyObject };
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object or JsonValueKind.Array:
                return call with { Arguments = a.Clone() };
            case JsonValueKind.String:
                var text = a.GetString() ?? "";
                if (string.IsNullOrWhiteSpace(text))
                {
                    return call with { Arguments = EmptyObject };
                }

                try
                {
                    using var doc = JsonDocument.Parse(text);
                    return call with { Arguments = doc.RootElement.Clone() };
                }
                catch (JsonException)
                {
                    return call with { RawArguments = text };
                }

            default:
                throw new RecordException(path + ".arguments",
                    $"must be a JSON string or an object, found {JsonFields.Describe(a)}");
        }
    }

    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
}
