using System.Text;
using System.Text.Json;

namespace Whetstone.Registry.LiveConfig;

/// <summary>Key edits on JSON text by byte span: the value token is replaced in place; a new key is inserted after
/// the last member of its parent object with the indentation of that member.</summary>
internal sealed class JsonConfigFormat : ILiveConfigFormat
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public string Quote(string value) => JsonSerializer.Serialize(value, WhetstoneJson.Compact.String);

    public void Validate(string content, string fileName)
    {
        try
        {
            using var doc = JsonDocument.Parse(content, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new WhetstoneException(ErrorCode.InvalidConfiguration, $"{fileName}: the live config must be a JSON object");
            }
        }
        catch (JsonException e)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, $"{fileName} is not valid JSON: {e.Message}");
        }
    }

    public string? Get(string content, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        return Find(bytes, path.Split('.')) is { } span ? Encoding.UTF8.GetString(bytes, span.ValueStart, span.ValueEnd - span.ValueStart) : null;
    }

    public string Set(string content, string path, string? raw)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        var keys = path.Split('.');
        var found = Find(bytes, keys);
        if (found is { } span)
        {
            return raw is null
                ? Splice(bytes, span.MemberStart, span.MemberEnd, "")
                : Splice(bytes, span.ValueStart, span.ValueEnd, raw);
        }

        if (raw is null)
        {
            return content;
        }

        // Insert under the deepest existing parent object.
        for (var depth = keys.Length - 1; depth >= 0; depth--)
        {
            var parentKeys = keys[..depth];
            var parent = depth == 0 ? RootObject(bytes) : Find(bytes, parentKeys);
            if (parent is not { } p)
            {
                continue;
            }

            if (bytes[p.ValueStart] != (byte)'{')
            {
                throw new WhetstoneException(ErrorCode.InvalidConfiguration,
                    $"cannot set '{path}': '{string.Join('.', parentKeys)}' is not an object");
            }

            var value = raw;
            for (var i = keys.Length - 1; i > depth; i--)
            {
                value = "{" + Quote(keys[i]) + ": " + value + "}";
            }

            return Insert(bytes, p, Quote(keys[depth]) + ": " + value);
        }

        throw new WhetstoneException(ErrorCode.InvalidConfiguration, $"cannot set '{path}': the config is not a JSON object");
    }

    private static string Splice(byte[] bytes, int start, int end, string replacement) =>
        Encoding.UTF8.GetString(bytes, 0, start) + replacement + Encoding.UTF8.GetString(bytes, end, bytes.Length - end);

    /// <summary>Adds a member before the closing brace of the object at <paramref name="parent"/>.</summary>
    private static string Insert(byte[] bytes, Span parent, string member)
    {
        var lastEnd = parent.LastMemberEnd;
        if (lastEnd < 0)
        {
            return Splice(bytes, parent.ValueStart + 1, parent.ValueStart + 1, member);
        }

        var indent = Indentation(bytes, parent.LastMemberStart);
        var separator = indent is null ? ", " : ",\n" + indent;
        return Splice(bytes, lastEnd, lastEnd, separator + member);
    }

    /// <summary>The whitespace that starts the line of <paramref name="at"/>, when the member starts its own line.</summary>
    private static string? Indentation(byte[] bytes, int at)
    {
        var i = at - 1;
        while (i >= 0 && (bytes[i] == ' ' || bytes[i] == '\t'))
        {
            i--;
        }

        return i >= 0 && bytes[i] == '\n' ? Encoding.UTF8.GetString(bytes, i + 1, at - i - 1) : null;
    }

    /// <summary>Byte offsets of a member: where its value starts and ends, where the whole member (with the comma
    /// that joins it to its neighbours) starts and ends, and, for objects, where their last member starts and ends.</summary>
    private readonly record struct Span(int MemberStart, int MemberEnd, int ValueStart, int ValueEnd, int LastMemberStart, int LastMemberEnd);

    private static Span? RootObject(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var start = (int)reader.TokenStartIndex;
        var (lastStart, lastEnd) = LastMember(bytes, ref reader);
        return new Span(start, (int)reader.BytesConsumed, start, (int)reader.BytesConsumed, lastStart, lastEnd);
    }

    private static Span? Find(byte[] bytes, string[] keys)
    {
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        for (var level = 0; level < keys.Length; level++)
        {
            var found = false;
            var previousEnd = (int)reader.BytesConsumed;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var keyStart = (int)reader.TokenStartIndex;
                var match = reader.ValueTextEquals(keys[level]);
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                if (match && level == keys.Length - 1)
                {
                    var (lastStart, lastEnd) = reader.TokenType == JsonTokenType.StartObject ? LastMember(bytes, ref reader) : (-1, -1);
                    if (reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
                    {
                        reader.Skip();
                    }

                    var valueEnd = (int)reader.BytesConsumed;
                    var (memberStart, memberEnd) = MemberExtent(bytes, previousEnd, keyStart, valueEnd);
                    return new Span(memberStart, memberEnd, valueStart, valueEnd, lastStart, lastEnd);
                }

                if (match)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return null;
                    }

                    found = true;
                    break;
                }

                reader.Skip();
                previousEnd = (int)reader.BytesConsumed;
            }

            if (!found)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Reads an object from its start token to its end; returns the byte span of its last member.</summary>
    private static (int Start, int End) LastMember(byte[] bytes, ref Utf8JsonReader reader)
    {
        int start = -1, end = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            start = (int)reader.TokenStartIndex;
            reader.Read();
            reader.Skip();
            end = (int)reader.BytesConsumed;
        }

        return (start, end);
    }

    /// <summary>The text to remove with a member: the comma before it (and the whitespace after that comma) when it
    /// is not the first member, else the member and the comma after it.</summary>
    private static (int Start, int End) MemberExtent(byte[] bytes, int previousEnd, int keyStart, int valueEnd)
    {
        var i = previousEnd;
        while (i < keyStart && bytes[i] != (byte)',')
        {
            i++;
        }

        if (i < keyStart)
        {
            return (i, valueEnd);
        }

        var j = valueEnd;
        while (j < bytes.Length && bytes[j] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            j++;
        }

        if (j < bytes.Length && bytes[j] == (byte)',')
        {
            j++;
            while (j < bytes.Length && bytes[j] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                j++;
            }

            return (keyStart, j);
        }

        return (keyStart, valueEnd);
    }
}
