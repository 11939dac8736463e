using System.Globalization;
using System.Text.Json;
using Whetstone.Evaluation;
using Whetstone.Trajectories;

namespace Whetstone.Models;

/// <summary><c>replay:FILE</c> — outputs recorded elsewhere (a batch job on a GPU cluster): JSON Lines
/// <c>{"case_id": …, "message": {assistant message in OpenAI format}}</c>, optionally with <c>"usage"</c>
/// (<c>prompt_tokens</c>, <c>completion_tokens</c>), or <c>"error": "…"</c> for an item the
/// job could not answer. A case the file does not answer is that case's error (<c>replay_missing_case</c>).</summary>
internal sealed class ReplayModelClient : IModelClient
{
    private readonly Dictionary<string, ModelResult> _answers;

    private ReplayModelClient(Dictionary<string, ModelResult> answers)
    {
        _answers = answers;
    }

    public int Count => _answers.Count;

    public static ReplayModelClient Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new WhetstoneException(ErrorCode.NotFound, $"replay file '{path}' does not exist", "replay_file_missing");
        }

        var answers = new Dictionary<string, ModelResult>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var (caseId, result) = ReadLine(line, path, lineNumber);
            if (!answers.TryAdd(caseId, result))
            {
                throw Bad(path, lineNumber, $"case_id '{caseId}' appears more than once");
            }
        }

        return new ReplayModelClient(answers);
    }

    public Task<ModelResult> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_answers.TryGetValue(request.CaseId, out var result)
            ? result
            : ModelResult.Failed("replay_missing_case", $"the replay file has no answer for case '{request.CaseId}'"));
    }

    private static (string CaseId, ModelResult Result) ReadLine(string line, string path, int lineNumber)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw Bad(path, lineNumber, $"not JSON: {e.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad(path, lineNumber, "each line must be a JSON object");
            }

            if (!root.TryGetProperty("case_id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(id.GetString()))
            {
                throw Bad(path, lineNumber, "'case_id' (a string) is required");
            }

            var caseId = id.GetString()!;
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                return (caseId, ModelResult.Failed("replay_error", error.GetString()!));
            }

            if (!root.TryGetProperty("message", out var message))
            {
                throw Bad(path, lineNumber, "'message' (an assistant message in OpenAI format) or 'error' is required");
            }

            Message parsed;
            try
            {
                parsed = OpenAiChatFormat.ParseAssistantMessage(message);
            }
            catch (FormatException e)
            {
                throw Bad(path, lineNumber, e.Message);
            }

            TokenUsage? usage = null;
            if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
            {
                usage = new TokenUsage(Int(u, "prompt_tokens"), Int(u, "completion_tokens"));
            }

            return (caseId, ModelResult.Ok(parsed, usage));
        }
    }

    private static int? Int(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static WhetstoneException Bad(string path, int line, string problem) =>
        new(ErrorCode.BadInput, string.Create(CultureInfo.InvariantCulture, $"{path}:{line}: {problem}"), "bad_replay_file");
}
