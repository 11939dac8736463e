using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Whetstone.Server.Otlp.Proto;

namespace Whetstone.Server.Otlp;

/// <summary>Decodes OTLP/HTTP trace export bodies (OTLP specification v1.5.0): binary protobuf
/// (<c>application/x-protobuf</c>) and JSON (<c>application/json</c>). OTLP/JSON is the protobuf JSON mapping with
/// two differences the decoder applies: trace and span ids are hex strings (not base64), and enums are integers.
/// Unknown fields are ignored, as the specification requires of receivers.</summary>
internal static class OtlpDecoder
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static ExportTraceServiceRequest Decode(ReadOnlyMemory<byte> body, bool protobuf)
    {
        var request = protobuf ? FromProtobuf(body.Span) : FromJson(body);
        Validate(request);
        return request;
    }

    private static ExportTraceServiceRequest FromProtobuf(ReadOnlySpan<byte> body)
    {
        try
        {
            return ExportTraceServiceRequest.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Bad("$", "not a valid OTLP protobuf ExportTraceServiceRequest: " + e.Message);
        }
    }

    private static ExportTraceServiceRequest FromJson(ReadOnlyMemory<byte> body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body.Span, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Bad(string.IsNullOrEmpty(e.Path) ? "$" : e.Path, "not valid JSON: " + e.Message);
        }

        if (root is not JsonObject obj)
        {
            throw Bad("$", "an OTLP/JSON body is an object with resourceSpans");
        }

        foreach (var (rs, rsPath) in Items(obj, "resourceSpans", "resource_spans", "$"))
        {
            foreach (var (ss, ssPath) in Items(rs, "scopeSpans", "scope_spans", rsPath))
            {
                foreach (var (span, spanPath) in Items(ss, "spans", "spans", ssPath))
                {
                    HexToBase64(span, "traceId", "trace_id", spanPath);
                    HexToBase64(span, "spanId", "span_id", spanPath);
                    HexToBase64(span, "parentSpanId", "parent_span_id", spanPath);
                    foreach (var (link, linkPath) in Items(span, "links", "links", spanPath))
                    {
                        HexToBase64(link, "traceId", "trace_id", linkPath);
                        HexToBase64(link, "spanId", "span_id", linkPath);
                    }
                }
            }
        }

        try
        {
            return Parser.Parse<ExportTraceServiceRequest>(obj.ToJsonString());
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Bad("$", "not a valid OTLP/JSON ExportTraceServiceRequest: " + e.Message);
        }
        catch (InvalidJsonException e)
        {
            throw Bad("$", "not a valid OTLP/JSON ExportTraceServiceRequest: " + e.Message);
        }
    }

    private static IEnumerable<(JsonObject Node, string Path)> Items(JsonObject parent, string name, string altName, string path)
    {
        var key = parent.ContainsKey(name) ? name : altName;
        if (!parent.TryGetPropertyValue(key, out var value) || value is null)
        {
            yield break;
        }

        if (value is not JsonArray array)
        {
            throw Bad($"{path}.{key}", "must be an array");
        }

        for (var i = 0; i < array.Count; i++)
        {
            var p = $"{path}.{key}[{i.ToString(CultureInfo.InvariantCulture)}]";
            yield return (array[i] as JsonObject ?? throw Bad(p, "must be an object"), p);
        }
    }

    private static void HexToBase64(JsonObject node, string name, string altName, string path)
    {
        var key = node.ContainsKey(name) ? name : altName;
        if (!node.TryGetPropertyValue(key, out var value) || value is null)
        {
            return;
        }

        if (value.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            throw Bad($"{path}.{key}", "must be a hex string");
        }

        var hex = value.GetValue<string>();
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw Bad($"{path}.{key}", $"'{Shorten(hex)}' is not a hex string (OTLP/JSON ids are hex, not base64)");
        }

        node[key] = Convert.ToBase64String(bytes);
    }

    private static void Validate(ExportTraceServiceRequest request)
    {
        for (var r = 0; r < request.ResourceSpans.Count; r++)
        {
            var rs = request.ResourceSpans[r];
            for (var s = 0; s < rs.ScopeSpans.Count; s++)
            {
                var ss = rs.ScopeSpans[s];
                for (var i = 0; i < ss.Spans.Count; i++)
                {
                    var span = ss.Spans[i];
                    var path = $"$.resourceSpans[{r}].scopeSpans[{s}].spans[{i}]";
                    if (span.TraceId.Length != 16 || span.TraceId.Span.IndexOfAnyExcept((byte)0) < 0)
                    {
                        throw Bad(path + ".traceId", "must be 16 bytes, not all zero");
                    }

                    if (span.SpanId.Length != 8 || span.SpanId.Span.IndexOfAnyExcept((byte)0) < 0)
                    {
                        throw Bad(path + ".spanId", "must be 8 bytes, not all zero");
                    }

                    if (span.ParentSpanId.Length is not (0 or 8))
                    {
                        throw Bad(path + ".parentSpanId", "must be empty or 8 bytes");
                    }
                }
            }
        }
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    internal static WhetstoneException Bad(string path, string message) =>
        new(ErrorCode.BadInput, $"{path}: {message}", "bad_otlp") { Data = { ["path"] = path } };
}

/// <summary>Builds OTLP/HTTP responses in the request's encoding.</summary>
internal static class OtlpResponses
{
    public static IResult Success(ExportTraceServiceResponse response, bool protobuf)
    {
        if (protobuf)
        {
            return Results.Bytes(response.ToByteArray(), "application/x-protobuf");
        }

        // Proto3 JSON mapping of the response: {} or {"partialSuccess": {"rejectedSpans": "3", "errorMessage": "…"}}.
        var json = JsonFormatter.Default.Format(response);
        return Results.Text(json, "application/json", Encoding.UTF8);
    }
}
