using System.Text.Json;
using System.Text.Json.Nodes;
using Whetstone.Server.Otlp.Proto;
using Whetstone.Trajectories;

namespace Whetstone.Server.Otlp;

/// <summary>What a trace's spans received so far allow: the runs that are complete (their root span has ended —
/// a span is exported when it ends — so "present" means "ended"), the spans they consumed, and whether the trace is
/// finished (its root span arrived) so that every remaining span can go.</summary>
internal sealed record TraceDecision(IReadOnlyList<RunSpans> Runs, IReadOnlySet<string> Consumed, bool TraceFinished);

/// <summary>A complete run: its root span and every span under it.</summary>
internal sealed record RunSpans(SpanView Root, IReadOnlyList<SpanView> Members);

/// <summary>Maps OpenTelemetry GenAI spans (semantic conventions v1.41.0) to canonical trajectories.
/// <list type="bullet">
/// <item>The run is an <c>invoke_agent</c> span (the outermost one when agents nest), or else — in a trace without
/// one — the trace's root span, when the trace holds GenAI spans. A trace whose root ends without any GenAI span is
/// not a run.</item>
/// <item><c>chat</c> spans (in start order) give the messages: <c>gen_ai.input.messages</c> (whose prefix already
/// seen is not repeated), then <c>gen_ai.output.messages</c>; <c>gen_ai.system_instructions</c> becomes the system
/// message and <c>gen_ai.tool.definitions</c> the tools. The per-message events of v1.36.0 and earlier are read when
/// the attributes are absent.</item>
/// <item><c>execute_tool</c> spans give tool name, call id, arguments and result; a call or result the chat spans
/// did not show is added from them.</item>
/// </list></summary>
internal static class GenAiRunBuilder
{
    public static TraceDecision Decide(IReadOnlyCollection<SpanView> spans)
    {
        var byId = new Dictionary<string, SpanView>(StringComparer.Ordinal);
        foreach (var s in spans)
        {
            byId[s.SpanId] = s;
        }

        var children = new Dictionary<string, List<SpanView>>(StringComparer.Ordinal);
        foreach (var s in spans)
        {
            if (s.ParentSpanId is { } p)
            {
                (children.TryGetValue(p, out var list) ? list : children[p] = []).Add(s);
            }
        }

        var traceRoot = spans.FirstOrDefault(s => s.ParentSpanId is null);
        var runs = new List<RunSpans>();
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        var agentRoots = spans.Where(s => s.Operation == "invoke_agent" && !HasAgentAncestor(s, byId)).ToList();
        if (agentRoots.Count > 0)
        {
            foreach (var root in agentRoots.OrderBy(r => r.Span.StartTimeUnixNano))
            {
                var members = Subtree(root, children);
                runs.Add(new RunSpans(root, members));
                consumed.UnionWith(members.Select(m => m.SpanId));
            }
        }
        else if (traceRoot is not null && spans.Any(s => s.IsGenAi))
        {
            runs.Add(new RunSpans(traceRoot, Subtree(traceRoot, children)));
        }

        if (traceRoot is not null)
        {
            consumed.UnionWith(spans.Select(s => s.SpanId));
        }

        return new TraceDecision(runs, consumed, traceRoot is not null);
    }

    private static bool HasAgentAncestor(SpanView span, Dictionary<string, SpanView> byId)
    {
        var seen = 0;
        for (var p = span.ParentSpanId; p is not null && byId.TryGetValue(p, out var parent) && seen++ < 1000; p = parent.ParentSpanId)
        {
            if (parent.Operation == "invoke_agent")
            {
                return true;
            }
        }

        return false;
    }

    private static List<SpanView> Subtree(SpanView root, Dictionary<string, List<SpanView>> children)
    {
        var result = new List<SpanView>();
        var stack = new Stack<SpanView>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        stack.Push(root);
        while (stack.Count > 0)
        {
            var s = stack.Pop();
            if (!seen.Add(s.SpanId))
            {
                continue;
            }

            result.Add(s);
            foreach (var c in children.GetValueOrDefault(s.SpanId) ?? [])
            {
                stack.Push(c);
            }
        }

        return result;
    }

    /// <summary>The run as a trajectory, or the reason it cannot be one (no message content was recorded).</summary>
    public static (Trajectory? Run, string? Problem) Build(RunSpans run)
    {
        var ordered = run.Members.OrderBy(s => s.Span.StartTimeUnixNano).ThenBy(s => s.Span.EndTimeUnixNano).ToList();
        var transcript = new Transcript();
        var tools = new Dictionary<string, ToolSpec>(StringComparer.Ordinal);
        string? systemInstructions = null;
        foreach (var chat in ordered.Where(s => s.IsChat))
        {
            systemInstructions ??= PartsText(chat.Json(GenAi.SystemInstructions));
            ReadToolDefinitions(chat.Json(GenAi.ToolDefinitions), tools);
            var input = chat.Json(GenAi.InputMessages) is JsonArray i ? ReadMessages(i) : EventMessages(chat, output: false);
            var output = chat.Json(GenAi.OutputMessages) is JsonArray o ? ReadMessages(o) : EventMessages(chat, output: true);
            transcript.AddInput(input);
            transcript.AddOutput(output);
        }

        foreach (var tool in ordered.Where(s => s.Operation == "execute_tool"))
        {
            transcript.AddToolSpan(tool);
        }

        if (systemInstructions is not null && !transcript.Messages.Any(m => m.Role == Role.System))
        {
            transcript.Messages.Insert(0, new Message { Role = Role.System, Content = systemInstructions });
        }

        if (transcript.Messages.Count == 0)
        {
            return (null, "the run's spans hold no message content (enable sensitive data / OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT)");
        }

        var root = run.Root;
        var lastChat = ordered.LastOrDefault(s => s.IsChat);
        string? Find(string key) => root.String(key) ?? ordered.Select(s => s.String(key)).FirstOrDefault(v => v is not null);
        var provider = Find(GenAi.ProviderName) ?? Find(GenAi.System);
        var model = lastChat?.String(GenAi.ResponseModel) ?? lastChat?.String(GenAi.RequestModel) ?? Find(GenAi.RequestModel);
        var failed = root.Span.Status?.Code == Status.Types.StatusCode.Error || root.String(GenAi.ErrorType) is not null;
        var metadata = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["otel_trace_id"] = JsonSerializer.SerializeToElement(root.TraceId, WhetstoneJson.Compact.String),
            ["otel_span_id"] = JsonSerializer.SerializeToElement(root.SpanId, WhetstoneJson.Compact.String),
        };
        if (root.ServiceName is { } service)
        {
            metadata["service_name"] = JsonSerializer.SerializeToElement(service, WhetstoneJson.Compact.String);
        }

        if (transcript.DroppedResults > 0)
        {
            metadata["otel_unmatched_tool_results"] = JsonSerializer.SerializeToElement(transcript.DroppedResults.ToString(System.Globalization.CultureInfo.InvariantCulture), WhetstoneJson.Compact.String);
        }

        var messages = transcript.Messages;
        var trajectory = new Trajectory
        {
            Id = root.String(GenAi.WhetstoneRunId) is { Length: > 0 } given ? given.Trim() : $"otel-{root.TraceId}-{root.SpanId}",
            AgentId = Find(GenAi.AgentId) ?? Find(GenAi.AgentName) ?? root.ServiceName,
            SessionId = Find(GenAi.ConversationId),
            Source = "otlp",
            Task = messages.FirstOrDefault(m => m.Role == Role.User && !string.IsNullOrWhiteSpace(m.Content))?.Content,
            Model = provider is null && model is null ? null : new ModelInfo { Provider = provider, Name = model },
            StartedAt = root.Start,
            EndedAt = root.End,
            Tools = tools.Count > 0
                ? tools.Values.ToList()
                : messages.Where(m => m.ToolCalls is not null).SelectMany(m => m.ToolCalls!).Select(c => c.Name)
                    .Distinct(StringComparer.Ordinal).Select(n => new ToolSpec { Name = n }).ToList(),
            Messages = messages,
            Outcome = new Outcome
            {
                Status = failed ? OutcomeStatus.Failed
                    : root.Span.Status?.Code == Status.Types.StatusCode.Ok ? OutcomeStatus.Completed
                    : OutcomeStatus.Unknown,
                Notes = failed ? root.Span.Status?.Message is { Length: > 0 } m ? m : root.String(GenAi.ErrorType) : null,
            },
            Metadata = metadata,
        };
        return (trajectory, null);
    }

    /// <summary>Reads semantic-convention messages: <c>[{"role", "parts": [{"type": "text"|"reasoning"|"tool_call"|
    /// "tool_call_response"|…}], "name"?}]</c>.</summary>
    internal static List<Message> ReadMessages(JsonArray array)
    {
        var result = new List<Message>();
        foreach (var node in array)
        {
            if (node is not JsonObject m)
            {
                continue;
            }

            var role = Str(m["role"]) ?? "user";
            var name = Str(m["name"]);
            var text = new List<string>();
            var reasoning = new List<string>();
            var calls = new List<ToolCall>();
            var results = new List<Message>();
            var parts = m["parts"] as JsonArray;
            if (parts is null && m["content"] is { } content)
            {
                // Tolerate the flat {role, content, tool_calls} shape.
                parts = [new JsonObject { ["type"] = "text", ["content"] = content.DeepClone() }];
            }

            foreach (var partNode in parts ?? [])
            {
                if (partNode is not JsonObject part)
                {
                    continue;
                }

                switch (Str(part["type"]) ?? "text")
                {
                    case "text":
                        if (Text(part["content"]) is { } t)
                        {
                            text.Add(t);
                        }

                        break;
                    case "reasoning":
                        if (Text(part["content"]) is { } r)
                        {
                            reasoning.Add(r);
                        }

                        break;
                    case "tool_call":
                        calls.Add(Call(Str(part["id"]), Str(part["name"]), part["arguments"]));
                        break;
                    case "tool_call_response":
                        results.Add(new Message { Role = Role.Tool, ToolCallId = Str(part["id"]) ?? "", Content = Text(part["response"]) ?? "" });
                        break;
                    case var other:
                        text.Add($"[{other}]");
                        break;
                }
            }

            var mapped = role switch
            {
                "system" or "developer" => Role.System,
                "assistant" => Role.Assistant,
                "tool" => Role.Tool,
                _ => Role.User,
            };
            if (mapped == Role.Tool || (results.Count > 0 && text.Count == 0 && calls.Count == 0))
            {
                result.AddRange(results);
                continue;
            }

            result.Add(new Message
            {
                Role = mapped,
                Name = mapped == Role.Assistant ? null : name,
                Content = text.Count > 0 ? string.Join("\n", text) : null,
                Reasoning = reasoning.Count > 0 ? string.Join("\n", reasoning) : null,
                ToolCalls = mapped == Role.Assistant && calls.Count > 0 ? calls : null,
            });
            result.AddRange(results);
        }

        return result;
    }

    /// <summary>Semantic conventions v1.36.0 and earlier: one event per message on the chat span
    /// (<c>gen_ai.system.message</c>, <c>gen_ai.user.message</c>, <c>gen_ai.assistant.message</c>,
    /// <c>gen_ai.tool.message</c>) and <c>gen_ai.choice</c> for the output.</summary>
    private static List<Message> EventMessages(SpanView span, bool output)
    {
        var result = new List<Message>();
        foreach (var e in span.Span.Events)
        {
            var attributes = new JsonObject();
            foreach (var kv in e.Attributes)
            {
                attributes[kv.Key] = SpanView.ToJson(kv.Value, parseStrings: true);
            }

            if (attributes["gen_ai.event.content"] is JsonObject body)
            {
                foreach (var (k, v) in body.ToList())
                {
                    attributes[k] ??= v?.DeepClone();
                }
            }

            if (output != (e.Name == "gen_ai.choice"))
            {
                continue;
            }

            var source = e.Name == "gen_ai.choice" ? attributes["message"] as JsonObject ?? attributes : attributes;
            var role = e.Name switch
            {
                "gen_ai.system.message" => Role.System,
                "gen_ai.user.message" => Role.User,
                "gen_ai.tool.message" => Role.Tool,
                "gen_ai.assistant.message" or "gen_ai.choice" => Role.Assistant,
                _ => (Role?)null,
            };
            if (role is null)
            {
                continue;
            }

            var content = Text(source["content"]);
            if (role == Role.Tool)
            {
                result.Add(new Message { Role = Role.Tool, ToolCallId = Str(source["id"]) ?? "", Content = content ?? "" });
                continue;
            }

            var calls = new List<ToolCall>();
            foreach (var c in source["tool_calls"] as JsonArray ?? [])
            {
                if (c is JsonObject call)
                {
                    var fn = call["function"] as JsonObject ?? call;
                    calls.Add(Call(Str(call["id"]), Str(fn["name"]), fn["arguments"]));
                }
            }

            result.Add(new Message { Role = role.Value, Content = content, ToolCalls = role == Role.Assistant && calls.Count > 0 ? calls : null });
        }

        return result;
    }

    private static void ReadToolDefinitions(JsonNode? definitions, Dictionary<string, ToolSpec> tools)
    {
        foreach (var node in definitions as JsonArray ?? [])
        {
            if (node is not JsonObject d)
            {
                continue;
            }

            var fn = d["function"] as JsonObject ?? d;
            if (Str(fn["name"]) is not { Length: > 0 } name || tools.ContainsKey(name))
            {
                continue;
            }

            tools[name] = new ToolSpec
            {
                Name = name,
                Description = Str(fn["description"]),
                Parameters = fn["parameters"] is JsonObject p ? JsonSerializer.SerializeToElement(p, JsonNodeContext.Default.JsonNode) : null,
            };
        }
    }

    internal static ToolCall Call(string? id, string? name, JsonNode? arguments)
    {
        var call = new ToolCall { Id = string.IsNullOrEmpty(id) ? "call_" + Guid.NewGuid().ToString("N")[..12] : id, Name = string.IsNullOrEmpty(name) ? "unknown_tool" : name };
        switch (arguments)
        {
            case null:
                return call with { Arguments = EmptyObject };
            case JsonObject or JsonArray:
                return call with { Arguments = JsonSerializer.SerializeToElement(arguments, JsonNodeContext.Default.JsonNode) };
            default:
                var text = arguments.GetValueKind() == JsonValueKind.String ? arguments.GetValue<string>() : arguments.ToJsonString();
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
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static string? PartsText(JsonNode? node) => node switch
    {
        JsonArray parts => parts.OfType<JsonObject>().Select(p => Text(p["content"])).Where(t => t is not null) is var texts && texts.Any()
            ? string.Join("\n", texts)
            : null,
        JsonValue => Text(node),
        _ => null,
    };

    internal static string? Str(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node is JsonValue n ? n.ToJsonString() : null;

    /// <summary>Text as is; any other JSON value as compact JSON text.</summary>
    internal static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    /// <summary>The messages of a run as the chat spans show them, merged.</summary>
    private sealed class Transcript
    {
        public List<Message> Messages { get; } = [];

        public int DroppedResults { get; private set; }

        private readonly HashSet<string> _calls = new(StringComparer.Ordinal);

        /// <summary>A chat call's input usually repeats the conversation so far: only what is new is added.</summary>
        public void AddInput(List<Message> input)
        {
            var skip = 0;
            if (input.Count >= Messages.Count && Messages.Select((m, i) => Same(m, input[i])).All(x => x))
            {
                skip = Messages.Count;
            }
            else
            {
                // Not a continuation (a separate call in the same run): skip only what is already at the end.
                skip = Overlap(input);
            }

            foreach (var m in input.Skip(skip))
            {
                Add(m);
            }
        }

        public void AddOutput(List<Message> output)
        {
            foreach (var m in output)
            {
                Add(m);
            }
        }

        private int Overlap(List<Message> input)
        {
            for (var k = Math.Min(input.Count, Messages.Count); k > 0; k--)
            {
                var ok = true;
                for (var i = 0; i < k && ok; i++)
                {
                    ok = Same(Messages[Messages.Count - k + i], input[i]);
                }

                if (ok)
                {
                    return k;
                }
            }

            return 0;
        }

        private void Add(Message m)
        {
            if (m.Role == Role.Tool)
            {
                if (m.ToolCallId is null || !_calls.Contains(m.ToolCallId))
                {
                    DroppedResults++;
                    return;
                }

                if (Messages.Any(x => x.Role == Role.Tool && x.ToolCallId == m.ToolCallId))
                {
                    return;
                }
            }

            foreach (var c in m.ToolCalls ?? [])
            {
                _calls.Add(c.Id);
            }

            Messages.Add(m);
        }

        /// <summary>An <c>execute_tool</c> span: fills in a result (or the whole call) the chat spans did not show.</summary>
        public void AddToolSpan(SpanView span)
        {
            var id = span.String(GenAi.ToolCallId) ?? "call_" + span.SpanId;
            var name = span.String(GenAi.ToolName) ?? (span.Name.StartsWith("execute_tool ", StringComparison.Ordinal) ? span.Name["execute_tool ".Length..] : "unknown_tool");
            var failed = span.Span.Status?.Code == Status.Types.StatusCode.Error;
            var result = span.Attributes.TryGetValue(GenAi.ToolCallResult, out var r) ? Text(SpanView.ToJson(r, parseStrings: false))
                : failed ? "error: " + (span.Span.Status?.Message is { Length: > 0 } msg ? msg : span.String(GenAi.ErrorType) ?? "the tool failed")
                : null;
            var toolMessage = new Message { Role = Role.Tool, ToolCallId = id, Name = name, Content = result ?? "", IsError = failed ? true : null };
            var callIndex = Messages.FindIndex(m => m.ToolCalls?.Any(c => c.Id == id) == true);
            if (callIndex >= 0)
            {
                if (Messages.Any(m => m.Role == Role.Tool && m.ToolCallId == id) || result is null)
                {
                    return;
                }

                var at = callIndex + 1;
                while (at < Messages.Count && Messages[at].Role == Role.Tool)
                {
                    at++;
                }

                Messages.Insert(at, toolMessage);
                return;
            }

            var arguments = span.Attributes.TryGetValue(GenAi.ToolCallArguments, out var a) ? SpanView.ToJson(a, parseStrings: true) : null;
            var call = new Message { Role = Role.Assistant, ToolCalls = [Call(id, name, arguments)] };
            _calls.Add(id);
            // Before a closing assistant answer, if the transcript already ends with one.
            var insertAt = Messages.Count > 0 && Messages[^1] is { Role: Role.Assistant, ToolCalls: null } ? Messages.Count - 1 : Messages.Count;
            Messages.Insert(insertAt, call);
            Messages.Insert(insertAt + 1, toolMessage);
        }

        private static bool Same(Message a, Message b) =>
            a.Role == b.Role && a.Content == b.Content && a.ToolCallId == b.ToolCallId &&
            (a.ToolCalls?.Count ?? 0) == (b.ToolCalls?.Count ?? 0) &&
            (a.ToolCalls ?? []).Zip(b.ToolCalls ?? []).All(p => p.First.Id == p.Second.Id && p.First.Name == p.Second.Name &&
                p.First.ArgumentsText() == p.Second.ArgumentsText());
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class JsonNodeContext : System.Text.Json.Serialization.JsonSerializerContext;
