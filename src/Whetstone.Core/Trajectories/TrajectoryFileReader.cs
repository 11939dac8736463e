using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Whetstone.Trajectories;

/// <summary>One record read from an input: a trajectory, or an error naming where and what.</summary>
public readonly record struct ReadItem(Trajectory? Trajectory, ReadError? Error, string Format);

/// <summary>A record that could not be read. <see cref="Line"/> is 1-based for line formats; <see cref="Item"/>
/// is the 0-based position in a JSON array document.</summary>
public sealed record ReadError(string File, int? Line, int? Item, string Path, string Message)
{
    public override string ToString()
    {
        var where = Line is { } l ? $"{File}:{l.ToString(CultureInfo.InvariantCulture)}"
            : Item is { } i ? $"{File}[{i.ToString(CultureInfo.InvariantCulture)}]" : File;
        return Path is "$" or "" ? $"{where}: {Message}" : $"{where}: {Path}: {Message}";
    }
}

/// <summary>Reads trajectories from a stream holding JSON Lines, a JSON array, a single JSON object, or an object
/// with a <c>trajectories</c> array (OrcBot's file). Lines stream one at a time, so memory does not grow with the
/// file; a whole JSON document is parsed at once. A bad record yields an error item and reading goes on.</summary>
public static class TrajectoryFileReader
{
    public static IEnumerable<ReadItem> Read(Stream stream, string fileName, string format = TrajectoryFormats.Auto)
    {
        TrajectoryFormats.Validate(format);
        var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var firstLine = reader.ReadLine();
        var lineNumber = 1;
        while (firstLine is not null && string.IsNullOrWhiteSpace(firstLine))
        {
            firstLine = reader.ReadLine();
            lineNumber++;
        }

        if (firstLine is null)
        {
            yield break;
        }

        var trimmed = firstLine.TrimStart();
        if (trimmed.StartsWith('{') && IsCompleteJson(firstLine))
        {
            foreach (var item in ReadLines(reader, firstLine, lineNumber, fileName, format))
            {
                yield return item;
            }

            yield break;
        }

        // A whole JSON document.
        var rest = reader.ReadToEnd();
        var text = firstLine + "\n" + rest;
        JsonDocument doc;
        ReadError? parseError = null;
        try
        {
            doc = JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException e)
        {
            doc = null!;
            var line = e.LineNumber is { } ln ? (int)ln + lineNumber : lineNumber;
            parseError = new ReadError(fileName, line, null, "$", "not valid JSON: " + Short(e.Message));
        }

        if (parseError is not null)
        {
            yield return new ReadItem(null, parseError, format);
            yield break;
        }

        using (doc)
        {
            var root = doc.RootElement;
            JsonElement? array = root.ValueKind switch
            {
                JsonValueKind.Array => root,
                JsonValueKind.Object when root.TryGetProperty("trajectories", out var ts) && ts.ValueKind == JsonValueKind.Array => ts,
                _ => null,
            };
            if (array is null)
            {
                yield return Convert(root, format, fileName, line: lineNumber, item: null);
                yield break;
            }

            var i = 0;
            foreach (var record in array.Value.EnumerateArray())
            {
                yield return Convert(record, format, fileName, line: null, item: i++);
            }
        }
    }

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 256,
    };

    /// <summary>Lines read at a time; their records are parsed in parallel (parsing is most of an import's reading
    /// cost, and a single reading thread would leave the other cores to wait for it).</summary>
    private const int ChunkLines = 256;

    /// <summary>Fewer lines than this are parsed on the calling thread.</summary>
    private const int ParallelFrom = 16;

    private static IEnumerable<ReadItem> ReadLines(StreamReader reader, string first, int firstNumber, string fileName, string format)
    {
        var lines = new List<(string Text, int Number)>(ChunkLines);
        string? line = first;
        var number = firstNumber;
        while (line is not null)
        {
            lines.Clear();
            while (line is not null && lines.Count < ChunkLines)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    lines.Add((line, number));
                }

                line = reader.ReadLine();
                number++;
            }

            // Items come out in line order; a line whose parsing threw rethrows at its place, as a serial read would.
            var parsed = new (IReadOnlyList<ReadItem>? Items, System.Runtime.ExceptionServices.ExceptionDispatchInfo? Error)[lines.Count];
            void Parse(int i)
            {
                try
                {
                    parsed[i] = (ReadLine(lines[i].Text, lines[i].Number, fileName, format), null);
                }
                catch (Exception e)
                {
                    parsed[i] = (null, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e));
                }
            }

            if (lines.Count >= ParallelFrom)
            {
                Parallel.For(0, lines.Count, Parse);
            }
            else
            {
                for (var i = 0; i < lines.Count; i++)
                {
                    Parse(i);
                }
            }

            foreach (var (items, error) in parsed)
            {
                error?.Throw();
                foreach (var item in items!)
                {
                    yield return item;
                }
            }
        }
    }

    /// <summary>Reads one JSON Lines record (a line holding <c>{"trajectories": [...]}</c> yields each item).</summary>
    public static IReadOnlyList<ReadItem> ReadLine(string line, int number, string fileName, string format)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException e)
        {
            return [new ReadItem(null, new ReadError(fileName, number, null, "$", "not valid JSON: " + Short(e.Message)), format)];
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("messages", out _) &&
                root.TryGetProperty("trajectories", out var ts) && ts.ValueKind == JsonValueKind.Array)
            {
                var items = new List<ReadItem>();
                foreach (var record in ts.EnumerateArray())
                {
                    items.Add(Convert(record, format, fileName, number, items.Count));
                }

                return items;
            }

            return [Convert(root, format, fileName, number, null)];
        }
    }

    /// <summary>Converts one parsed record with the named reader (or the detected one for <c>auto</c>).</summary>
    public static ReadItem Convert(JsonElement record, string format, string fileName, int? line, int? item)
    {
        var actual = format;
        try
        {
            if (format == TrajectoryFormats.Auto)
            {
                actual = TrajectoryFormats.Detect(record) ?? throw new RecordException("$",
                    "matches no known format (whetstone, openai, orcbot, react): expected 'messages', 'text' or OrcBot fields");
            }

            var t = TrajectoryFormats.Reader(actual).Read(record);
            return new ReadItem(t, null, actual);
        }
        catch (RecordException e)
        {
            return new ReadItem(null, new ReadError(fileName, line, item, e.Path, e.Message), actual);
        }
        catch (InvalidOperationException e)
        {
            // JsonElement accessors throw this for a value of an unexpected kind deep in a record.
            return new ReadItem(null, new ReadError(fileName, line, item, "$", e.Message), actual);
        }
    }

    /// <summary>A first line that is a JSON value by itself (or a malformed one-line record) means JSON Lines; a
    /// first line such as <c>{</c> means a pretty-printed document.</summary>
    private static bool IsCompleteJson(string line)
    {
        try
        {
            using var _ = JsonDocument.Parse(line, DocumentOptions);
            return true;
        }
        catch (JsonException)
        {
            return line.TrimEnd().EndsWith('}');
        }
    }

    private static string Short(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}
