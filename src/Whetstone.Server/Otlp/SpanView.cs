using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Whetstone.Server.Otlp.Proto;

namespace Whetstone.Server.Otlp;

/// <summary>One received span with the resource attribute the mapping needs, its ids as lower-case hex and its
/// attributes by key.</summary>
internal sealed class SpanView
{
    public SpanView(Span span, string? serviceName)
    {
        Span = span;
        ServiceName = serviceName;
        TraceId = Convert.ToHexStringLower(span.TraceId.Span);
        SpanId = Convert.ToHexStringLower(span.SpanId.Span);
        ParentSpanId = span.ParentSpanId.IsEmpty ? null : Convert.ToHexStringLower(span.ParentSpanId.Span);
        var attributes = new Dictionary<string, AnyValue>(StringComparer.Ordinal);
        foreach (var kv in span.Attributes)
        {
            if (kv.Value is not null)
            {
                attributes[kv.Key] = kv.Value;
            }
        }

        Attributes = attributes;

        Operation = OperationOf(span.Name, String(GenAi.OperationName));
        Size = span.CalculateSize();
    }

    public Span Span { get; }

    public string? ServiceName { get; }

    public string TraceId { get; }

    public string SpanId { get; }

    public string? ParentSpanId { get; }

    public string Name => Span.Name;

    /// <summary>The GenAI operation (<c>chat</c>, <c>execute_tool</c>, <c>invoke_agent</c>, …) or null for a span
    /// that is not a GenAI span.</summary>
    public string? Operation { get; }

    public bool IsGenAi => Operation is not null;

    public bool IsChat => Operation is "chat" or "text_completion" or "generate_content";

    public IReadOnlyDictionary<string, AnyValue> Attributes { get; }

    public int Size { get; }

    public DateTimeOffset? Start => Time(Span.StartTimeUnixNano);

    public DateTimeOffset? End => Time(Span.EndTimeUnixNano);

    public string? String(string key) =>
        Attributes.TryGetValue(key, out var v) ? v.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => v.StringValue,
            AnyValue.ValueOneofCase.IntValue => v.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => v.DoubleValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.BoolValue => v.BoolValue ? "true" : "false",
            _ => null,
        } : null;

    /// <summary>An attribute holding JSON: a string attribute is parsed (semantic conventions record structured
    /// values as JSON strings on spans); an array or key-value list attribute is converted.</summary>
    public JsonNode? Json(string key) => Attributes.TryGetValue(key, out var v) ? ToJson(v, parseStrings: true) : null;

    public static JsonNode? ToJson(AnyValue? value, bool parseStrings)
    {
        if (value is null)
        {
            return null;
        }

        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                if (parseStrings)
                {
                    var s = value.StringValue.TrimStart();
                    if (s.StartsWith('[') || s.StartsWith('{'))
                    {
                        try
                        {
                            return JsonNode.Parse(value.StringValue);
                        }
                        catch (JsonException)
                        {
                            // Not JSON after all: keep the text.
                        }
                    }
                }

                return JsonValue.Create(value.StringValue);
            case AnyValue.ValueOneofCase.BoolValue:
                return JsonValue.Create(value.BoolValue);
            case AnyValue.ValueOneofCase.IntValue:
                return JsonValue.Create(value.IntValue);
            case AnyValue.ValueOneofCase.DoubleValue:
                return JsonValue.Create(value.DoubleValue);
            case AnyValue.ValueOneofCase.ArrayValue:
                var array = new JsonArray();
                foreach (var item in value.ArrayValue.Values)
                {
                    array.Add(ToJson(item, parseStrings: false));
                }

                return array;
            case AnyValue.ValueOneofCase.KvlistValue:
                var obj = new JsonObject();
                foreach (var kv in value.KvlistValue.Values)
                {
                    obj[kv.Key] = ToJson(kv.Value, parseStrings: false);
                }

                return obj;
            case AnyValue.ValueOneofCase.BytesValue:
                return JsonValue.Create(Convert.ToBase64String(value.BytesValue.Span));
            default:
                return null;
        }
    }

    private static DateTimeOffset? Time(ulong unixNano) =>
        unixNano == 0 ? null : DateTimeOffset.UnixEpoch.AddTicks((long)(unixNano / 100));

    /// <summary>The operation from <c>gen_ai.operation.name</c>, else from the span name's first word when it is a
    /// GenAI operation name (<c>chat gpt-4o</c>, <c>execute_tool get_weather</c>, <c>invoke_agent Support</c>).</summary>
    private static string? OperationOf(string name, string? attribute)
    {
        if (!string.IsNullOrWhiteSpace(attribute))
        {
            return attribute.Trim();
        }

        var first = name.Split(' ', 2)[0];
        return first is "chat" or "text_completion" or "generate_content" or "execute_tool" or "invoke_agent" or "create_agent"
            ? first
            : null;
    }
}

/// <summary>Attribute and event names of the OpenTelemetry semantic conventions for generative AI that the mapping
/// reads (v1.41.0; the event-based message form of v1.36.0 and earlier is read too).</summary>
internal static class GenAi
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string System = "gen_ai.system";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string AgentId = "gen_ai.agent.id";
    public const string AgentName = "gen_ai.agent.name";
    public const string ConversationId = "gen_ai.conversation.id";
    public const string InputMessages = "gen_ai.input.messages";
    public const string OutputMessages = "gen_ai.output.messages";
    public const string SystemInstructions = "gen_ai.system_instructions";
    public const string ToolDefinitions = "gen_ai.tool.definitions";
    public const string ToolName = "gen_ai.tool.name";
    public const string ToolCallId = "gen_ai.tool.call.id";
    public const string ToolCallArguments = "gen_ai.tool.call.arguments";
    public const string ToolCallResult = "gen_ai.tool.call.result";
    public const string ErrorType = "error.type";

    /// <summary>Set by an agent on its run's root span to choose the trajectory id (else <c>otel-TRACE-SPAN</c>).</summary>
    public const string WhetstoneRunId = "whetstone.run.id";
}
