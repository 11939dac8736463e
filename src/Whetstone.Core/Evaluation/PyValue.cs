using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Whetstone.Evaluation;

/// <summary>The Python type a JSON value decodes to (the BFCL checker compares decoded Python values).</summary>
internal enum PyKind
{
    None,
    Bool,
    Int,
    Float,
    Str,
    List,
    Dict,
}

/// <summary>Python semantics for JSON values: <c>type()</c>, <c>==</c> and BFCL's string standardisation.</summary>
internal static class PyValue
{
    public static PyKind KindOf(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => PyKind.Str,
        JsonValueKind.True or JsonValueKind.False => PyKind.Bool,
        JsonValueKind.Array => PyKind.List,
        JsonValueKind.Object => PyKind.Dict,
        JsonValueKind.Number => IsIntegerLiteral(v) ? PyKind.Int : PyKind.Float,
        _ => PyKind.None,
    };

    /// <summary>Python's json module decodes <c>5</c> as int and <c>5.0</c> or <c>5e0</c> as float.</summary>
    private static bool IsIntegerLiteral(JsonElement v)
    {
        var raw = v.GetRawText();
        return raw.IndexOfAny(['.', 'e', 'E']) < 0;
    }

    public static bool IsNumeric(PyKind k) => k is PyKind.Bool or PyKind.Int or PyKind.Float;

    public static double AsDouble(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => v.GetDouble(),
    };

    /// <summary>Python <c>==</c> between decoded values: numbers (and bools) compare by value, lists element-wise
    /// in order, dicts by keys and values.</summary>
    public static bool PyEquals(JsonElement a, JsonElement b)
    {
        var ka = KindOf(a);
        var kb = KindOf(b);
        if (IsNumeric(ka) && IsNumeric(kb))
        {
            return AsDouble(a) == AsDouble(b);
        }

        if (ka != kb)
        {
            return false;
        }

        switch (ka)
        {
            case PyKind.None:
                return true;
            case PyKind.Str:
                return string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal);
            case PyKind.List:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }

                using (var ea = a.EnumerateArray().GetEnumerator())
                using (var eb = b.EnumerateArray().GetEnumerator())
                {
                    while (ea.MoveNext() && eb.MoveNext())
                    {
                        if (!PyEquals(ea.Current, eb.Current))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case PyKind.Dict:
                var da = ToDictionary(a);
                var db = ToDictionary(b);
                return da.Count == db.Count && da.All(kv => db.TryGetValue(kv.Key, out var other) && PyEquals(kv.Value, other));
            default:
                return false;
        }
    }

    /// <summary>Equality after standardising strings on both sides (how BFCL compares list elements and dict
    /// values): two strings compare standardised, anything else by <see cref="PyEquals"/>.</summary>
    public static bool StandardEquals(JsonElement model, JsonElement answer)
    {
        if (model.ValueKind == JsonValueKind.String && answer.ValueKind == JsonValueKind.String)
        {
            return string.Equals(Standardize(model.GetString()!), Standardize(answer.GetString()!), StringComparison.Ordinal);
        }

        return PyEquals(model, answer);
    }

    /// <summary>BFCL's <c>standardize_string</c>: drop spaces and <c>,./-_*^</c>, lower-case, <c>'</c> → <c>"</c>.</summary>
    public static string Standardize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            switch (ch)
            {
                case ' ' or ',' or '.' or '/' or '-' or '_' or '*' or '^':
                    continue;
                case '\'':
                    sb.Append('"');
                    break;
                default:
                    sb.Append(char.ToLowerInvariant(ch));
                    break;
            }
        }

        return sb.ToString();
    }

    public static bool IsOptionalMarker(JsonElement v) => v.ValueKind == JsonValueKind.String && v.GetString()!.Length == 0;

    public static Dictionary<string, JsonElement> ToDictionary(JsonElement obj)
    {
        var d = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            d[p.Name] = p.Value;
        }

        return d;
    }

    public static string Describe(JsonElement v)
    {
        var raw = v.GetRawText();
        return raw.Length <= 60 ? raw : raw[..57] + "...";
    }

    public static string Name(PyKind k) => k.ToString().ToLower(CultureInfo.InvariantCulture);
}
