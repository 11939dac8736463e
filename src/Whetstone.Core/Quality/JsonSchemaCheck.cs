using System.Text.Json;

namespace Whetstone.Quality;

/// <summary>Checks tool-call arguments against the subset of JSON Schema that tool definitions use: <c>type</c>
/// (also the <c>dict</c>/<c>float</c>/<c>tuple</c> spellings some tool lists use), <c>required</c>,
/// <c>properties</c>, <c>additionalProperties: false</c>, <c>enum</c>, <c>items</c>. Anything else is accepted.
/// Returns the first problem as a short path + reason (no argument values), or null.</summary>
internal static class JsonSchemaCheck
{
    private const int MaxDepth = 16;

    public static string? Check(JsonElement schema, JsonElement value) => Check(schema, value, "$", 0);

    private static string? Check(JsonElement schema, JsonElement value, string path, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            return null;
        }

        if (schema.TryGetProperty("type", out var type) && !TypeMatches(type, value))
        {
            return $"{path}: expected {Describe(type)}, found {Kind(value)}";
        }

        if (schema.TryGetProperty("enum", out var options) && options.ValueKind == JsonValueKind.Array)
        {
            var found = false;
            foreach (var o in options.EnumerateArray())
            {
                if (JsonElement.DeepEquals(o, value))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return $"{path}: value is not one of the allowed values";
            }
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            return CheckObject(schema, value, path, depth);
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object)
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (Check(items, item, $"{path}[{i}]", depth + 1) is { } problem)
                {
                    return problem;
                }

                i++;
            }
        }

        return null;
    }

    private static string? CheckObject(JsonElement schema, JsonElement value, string path, int depth)
    {
        var hasProperties = schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object;
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in required.EnumerateArray())
            {
                if (r.ValueKind == JsonValueKind.String && !value.TryGetProperty(r.GetString()!, out _))
                {
                    return $"{path}: required property '{r.GetString()}' is missing";
                }
            }
        }

        var closed = schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False;
        if (!hasProperties && !closed)
        {
            return null;
        }

        foreach (var p in value.EnumerateObject())
        {
            if (hasProperties && properties.TryGetProperty(p.Name, out var sub))
            {
                if (Check(sub, p.Value, path + "." + p.Name, depth + 1) is { } problem)
                {
                    return problem;
                }
            }
            else if (closed)
            {
                return $"{path}: property '{p.Name}' is not allowed";
            }
        }

        return null;
    }

    private static bool TypeMatches(JsonElement type, JsonElement value)
    {
        if (type.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in type.EnumerateArray())
            {
                if (TypeMatches(t, value))
                {
                    return true;
                }
            }

            return false;
        }

        if (type.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        return type.GetString()!.ToLowerInvariant() switch
        {
            "object" or "dict" => value.ValueKind == JsonValueKind.Object,
            "array" or "tuple" or "list" => value.ValueKind == JsonValueKind.Array,
            "string" => value.ValueKind == JsonValueKind.String,
            "number" or "float" or "double" => value.ValueKind == JsonValueKind.Number,
            "integer" or "int" => value.ValueKind == JsonValueKind.Number && IsInteger(value),
            "boolean" or "bool" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "null" => value.ValueKind == JsonValueKind.Null,
            _ => true,
        };
    }

    private static bool IsInteger(JsonElement value) =>
        value.TryGetInt64(out _) || (value.TryGetDouble(out var d) && Math.Abs(d % 1) < double.Epsilon);

    private static string Describe(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array
            ? string.Join(" or ", type.EnumerateArray().Select(t => t.ToString()))
            : type.ToString();

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
