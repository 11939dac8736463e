using System.Globalization;
using System.Text.Json;

namespace Whetstone.Trajectories;

/// <summary>Typed, lenient-but-explicit access to fields of foreign JSON records. A field of the wrong type is a
/// <see cref="RecordException"/> naming its path, never a silent default.</summary>
internal static class JsonFields
{
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) &&
            value.ValueKind != JsonValueKind.Null && value.ValueKind != JsonValueKind.Undefined)
        {
            return true;
        }

        value = default;
        return false;
    }

    public static string? String(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => throw new RecordException($"{path}.{name}", $"must be a string, found {Describe(v)}"),
        };
    }

    /// <summary>A string, or a number/bool rendered as text (ids are sometimes numeric).</summary>
    public static string? Id(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out var v))
        {
            return null;
        }

        var s = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => throw new RecordException($"{path}.{name}", $"must be a string or number, found {Describe(v)}"),
        };
        if (string.IsNullOrWhiteSpace(s))
        {
            throw new RecordException($"{path}.{name}", "must not be empty");
        }

        return s.Trim();
    }

    public static bool? Bool(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(v.GetString(), out var b) => b,
            _ => throw new RecordException($"{path}.{name}", $"must be true or false, found {Describe(v)}"),
        };
    }

    public static double? Number(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.True => 1.0,
            JsonValueKind.False => 0.0,
            JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw new RecordException($"{path}.{name}", $"must be a number, found {Describe(v)}"),
        };
    }

    public static int? Int(JsonElement obj, string name, string path)
    {
        var d = Number(obj, name, path);
        if (d is null)
        {
            return null;
        }

        if (d < 0 || d > int.MaxValue || Math.Floor(d.Value) != d.Value)
        {
            throw new RecordException($"{path}.{name}", "must be a non-negative whole number");
        }

        return (int)d.Value;
    }

    public static DateTimeOffset? Time(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number)
        {
            // Unix time in seconds or milliseconds.
            var n = v.GetDouble();
            return n > 1e11
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)n)
                : DateTimeOffset.FromUnixTimeMilliseconds((long)(n * 1000));
        }

        if (v.ValueKind == JsonValueKind.String &&
            DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return t;
        }

        throw new RecordException($"{path}.{name}", $"must be an ISO-8601 time or Unix time, found {Describe(v)}");
    }

    public static JsonElement? Array(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new RecordException($"{path}.{name}", $"must be an array, found {Describe(v)}");
        }

        return v;
    }

    public static JsonElement? Object(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw new RecordException($"{path}.{name}", $"must be an object, found {Describe(v)}");
        }

        return v;
    }

    public static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
