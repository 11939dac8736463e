using System.Text.Json;
using Whetstone.Trajectories;

namespace Whetstone.Evaluation;

/// <summary>Checks a call against the tools offered, whatever the reference was: an invalid call is one the agent's
/// runtime could not execute. Codes: <c>unknown_tool</c>, <c>invalid_json</c>, <c>arguments_not_object</c>,
/// <c>missing_required</c>, <c>unknown_param</c>, <c>type_error</c>.</summary>
public static class ToolCallValidator
{
    /// <summary>Null when the call is valid, else the first problem's code and detail.</summary>
    public static MatchResult? Validate(ToolCall call, IReadOnlyList<ToolSpec> tools)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(tools);
        var spec = ToolCallMatcher.FindTool(tools, call.Name);
        if (spec is null)
        {
            return MatchResult.Fail("unknown_tool", call.Name);
        }

        if (call.Arguments is not { } args)
        {
            return MatchResult.Fail("invalid_json", call.Name);
        }

        if (args.ValueKind != JsonValueKind.Object)
        {
            return MatchResult.Fail("arguments_not_object", call.Name);
        }

        if (spec.Parameters is not { ValueKind: JsonValueKind.Object } schema)
        {
            return null;
        }

        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in required.EnumerateArray())
            {
                if (r.ValueKind == JsonValueKind.String && !args.TryGetProperty(r.GetString()!, out _))
                {
                    return MatchResult.Fail("missing_required", $"{call.Name}.{r.GetString()}");
                }
            }
        }

        if (!schema.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var closed = !(schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind is JsonValueKind.True or JsonValueKind.Object);
        foreach (var p in args.EnumerateObject())
        {
            if (!props.TryGetProperty(p.Name, out var prop))
            {
                if (closed)
                {
                    return MatchResult.Fail("unknown_param", $"{call.Name}.{p.Name}");
                }

                continue;
            }

            if (prop.ValueKind == JsonValueKind.Object && prop.TryGetProperty("type", out var type) && !TypeAccepts(type, p.Value))
            {
                return MatchResult.Fail("type_error", $"{call.Name}.{p.Name}");
            }
        }

        return null;
    }

    /// <summary>The first invalid call of a message, or null when all are valid (or there are none).</summary>
    public static MatchResult? ValidateAll(IReadOnlyList<ToolCall>? calls, IReadOnlyList<ToolSpec> tools)
    {
        if (calls is null)
        {
            return null;
        }

        foreach (var c in calls)
        {
            if (Validate(c, tools) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static bool TypeAccepts(JsonElement type, JsonElement value)
    {
        if (type.ValueKind == JsonValueKind.Array)
        {
            return type.EnumerateArray().Any(t => TypeAccepts(t, value));
        }

        if (type.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        return type.GetString() switch
        {
            "string" => value.ValueKind == JsonValueKind.String,
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && Math.Floor(d) == d,
            "number" or "float" or "double" => value.ValueKind == JsonValueKind.Number,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "array" or "tuple" => value.ValueKind == JsonValueKind.Array,
            "object" or "dict" => value.ValueKind == JsonValueKind.Object,
            "null" => value.ValueKind == JsonValueKind.Null,
            _ => true,
        };
    }
}
