using System.Globalization;
using System.Text.Json;
using Whetstone.Configuration;
using Whetstone.Trajectories;

namespace Whetstone.Server.Ingest;

/// <summary>One problem of a submitted batch: which item (0-based position in the batch), which NDJSON line, the
/// item's id when it named one, and the JSON path inside the item.</summary>
public sealed record RunProblem(int? Item, int? Line, string? Id, string Path, string Message)
{
    public override string ToString()
    {
        var where = Item is { } i ? $"item {i.ToString(CultureInfo.InvariantCulture)}" : "body";
        if (Line is { } l)
        {
            where += $" (line {l.ToString(CultureInfo.InvariantCulture)})";
        }

        return $"{where}: {Path}: {Message}";
    }
}

/// <summary>A request body read as runs: all of them, or the problems that stop the whole batch.</summary>
public sealed record RunBatch(IReadOnlyList<Trajectory> Runs, IReadOnlyList<RunProblem> Problems, int ProblemCount)
{
    public const int MaxProblemsKept = 20;

    public bool Ok => ProblemCount == 0;
}

/// <summary>Reads <c>POST /v1/trajectories</c> bodies: one run, <c>{"trajectories": [...]}</c>, a JSON array, or
/// NDJSON (one run a line). Each item's format is detected (or fixed by <c>?format=</c>) and read with Core's
/// readers; limits come from <c>Whetstone:Server</c>.</summary>
internal sealed class RunBatchReader(ServerOptions limits)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 128 };

    public RunBatch Read(ReadOnlyMemory<byte> body, bool ndjson, string format)
    {
        TrajectoryFormats.Validate(format);
        var problems = new List<RunProblem>();
        var runs = new List<Trajectory>();
        var count = 0;
        void Problem(RunProblem p)
        {
            count++;
            if (problems.Count < RunBatch.MaxProblemsKept)
            {
                problems.Add(p);
            }
        }

        if (ndjson)
        {
            var item = 0;
            var lineNumber = 0;
            var rest = body;
            while (rest.Length > 0)
            {
                lineNumber++;
                var nl = rest.Span.IndexOf((byte)'\n');
                var line = nl < 0 ? rest : rest[..nl];
                rest = nl < 0 ? ReadOnlyMemory<byte>.Empty : rest[(nl + 1)..];
                if (IsBlank(line.Span))
                {
                    continue;
                }

                if (++item > limits.MaxRunsPerRequest)
                {
                    throw TooManyRuns();
                }

                try
                {
                    using var doc = JsonDocument.Parse(line, DocumentOptions);
                    ReadItem(doc.RootElement, item - 1, lineNumber, format, runs, Problem);
                }
                catch (JsonException e)
                {
                    Problem(new RunProblem(item - 1, lineNumber, null, JsonPath(e), "not valid JSON: " + Short(e.Message)));
                }
            }

            if (item == 0)
            {
                Problem(new RunProblem(null, null, null, "$", "the body holds no run"));
            }

            return new RunBatch(runs, problems, count);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            Problem(new RunProblem(null, e.LineNumber is { } l ? (int)l + 1 : null, null, JsonPath(e), "not valid JSON: " + Short(e.Message)));
            return new RunBatch(runs, problems, count);
        }

        using (document)
        {
            var root = document.RootElement;
            JsonElement? array = root.ValueKind switch
            {
                JsonValueKind.Array => root,
                JsonValueKind.Object when !root.TryGetProperty("messages", out _) && root.TryGetProperty("trajectories", out var ts) => ts,
                _ => null,
            };
            if (array is { } a && a.ValueKind != JsonValueKind.Array)
            {
                Problem(new RunProblem(null, null, null, "$.trajectories", $"must be an array, found {Describe(a)}"));
                return new RunBatch(runs, problems, count);
            }

            if (array is null)
            {
                ReadItem(root, 0, null, format, runs, Problem);
                return new RunBatch(runs, problems, count);
            }

            var n = array.Value.GetArrayLength();
            if (n > limits.MaxRunsPerRequest)
            {
                throw TooManyRuns();
            }

            if (n == 0)
            {
                Problem(new RunProblem(null, null, null, root.ValueKind == JsonValueKind.Array ? "$" : "$.trajectories", "the batch holds no run"));
            }

            var i = 0;
            foreach (var record in array.Value.EnumerateArray())
            {
                ReadItem(record, i++, null, format, runs, Problem);
            }
        }

        return new RunBatch(runs, problems, count);
    }

    private WhetstoneException TooManyRuns() => new(ErrorCode.BadInput,
        $"a request may hold at most {limits.MaxRunsPerRequest} runs (Whetstone:Server:MaxRunsPerRequest)", "too_many_runs");

    private void ReadItem(JsonElement record, int item, int? line, string format, List<Trajectory> runs, Action<RunProblem> problem)
    {
        var id = record.ValueKind == JsonValueKind.Object && record.TryGetProperty("id", out var idElement) &&
            idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? (idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : idElement.GetRawText())
            : null;
        if (record.ValueKind == JsonValueKind.Object && record.TryGetProperty("messages", out var ms) &&
            ms.ValueKind == JsonValueKind.Array && ms.GetArrayLength() > limits.MaxMessagesPerRun)
        {
            problem(new RunProblem(item, line, id, "$.messages", TooManyMessages(ms.GetArrayLength())));
            return;
        }

        var read = TrajectoryFileReader.Convert(record, format, "request", line, item);
        if (read.Error is { } error)
        {
            problem(new RunProblem(item, line, id, error.Path, error.Message));
            return;
        }

        var t = read.Trajectory!;
        if (t.Messages.Count > limits.MaxMessagesPerRun)
        {
            // A text transcript (react) can expand into more messages than it had lines.
            problem(new RunProblem(item, line, t.Id, "$", TooManyMessages(t.Messages.Count)));
            return;
        }

        runs.Add(t);
    }

    private string TooManyMessages(int n) =>
        $"has {n.ToString(CultureInfo.InvariantCulture)} messages; the limit is {limits.MaxMessagesPerRun.ToString(CultureInfo.InvariantCulture)} (Whetstone:Server:MaxMessagesPerRun)";

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    private static string JsonPath(JsonException e) => string.IsNullOrEmpty(e.Path) ? "$" : e.Path;

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Short(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}
