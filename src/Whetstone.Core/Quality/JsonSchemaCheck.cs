using System.Runtime.InteropServices;
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

        if (schema.TryGetProperty("type"u8, out var type) && !TypeMatches(type, value))
        {
            return $"{path}: expected {Describe(type)}, found {Kind(value)}";
        }

        if (schema.TryGetProperty("enum"u8, out var options) && options.ValueKind == JsonValueKind.Array)
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

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items"u8, out var items) && items.ValueKind == JsonValueKind.Object)
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
        var hasProperties = schema.TryGetProperty("properties"u8, out var properties) && properties.ValueKind == JsonValueKind.Object;
        if (schema.TryGetProperty("required"u8, out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in required.EnumerateArray())
            {
                if (r.ValueKind == JsonValueKind.String && !HasProperty(value, r))
                {
                    return $"{path}: required property '{r.GetString()}' is missing";
                }
            }
        }

        var closed = schema.TryGetProperty("additionalProperties"u8, out var additional) && additional.ValueKind == JsonValueKind.False;
        if (!hasProperties && !closed)
        {
            return null;
        }

        foreach (var p in value.EnumerateObject())
        {
            if (hasProperties && properties.TryGetProperty(JsonMarshal.GetRawUtf8PropertyName(p), out var sub))
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

        var kind = value.ValueKind;
        if (type.ValueEquals("object"u8) || type.ValueEquals("dict"u8))
        {
            return kind == JsonValueKind.Object;
        }

        if (type.ValueEquals("string"u8))
        {
            return kind == JsonValueKind.String;
        }

        if (type.ValueEquals("array"u8) || type.ValueEquals("tuple"u8) || type.ValueEquals("list"u8))
        {
            return kind == JsonValueKind.Array;
        }

        if (type.ValueEquals("number"u8) || type.ValueEquals("float"u8) || type.ValueEquals("double"u8))
        {
            return kind == JsonValueKind.Number;
        }

        if (type.ValueEquals("integer"u8) || type.ValueEquals("int"u8))
        {
            return kind == JsonValueKind.Number && IsInteger(value);
        }

        if (type.ValueEquals("boolean"u8) || type.ValueEquals("bool"u8))
        {
            return kind is JsonValueKind.True or JsonValueKind.False;
        }

        return !type.ValueEquals("null"u8) || kind == JsonValueKind.Null;
    }

    /// <summary>Whether <paramref name="value"/> has a property named by the JSON string <paramref name="name"/>,
    /// compared as UTF-8 without making strings (names with escapes fall back to a string).</summary>
    private static bool HasProperty(JsonElement value, JsonElement name)
    {
        var raw = JsonMarshal.GetRawUtf8Value(name);
        var inner = raw[1..^1];
        return inner.IndexOf((byte)'\\') < 0 ? value.TryGetProperty(inner, out _) : value.TryGetProperty(name.GetString()!, out _);
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
