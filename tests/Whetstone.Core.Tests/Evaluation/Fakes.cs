using Whetstone.Evaluation;
using Whetstone.Trajectories;

namespace Whetstone.Tests.Evaluation;

/// <summary>A model client that answers with a function of the request and records how many requests were in
/// flight at once.</summary>
internal sealed class ScriptedClient(Func<ModelRequest, ModelResult> answer) : IModelClient
{
    private int _inFlight;
    private int _maxInFlight;
    private int _calls;

    public int MaxInFlight => _maxInFlight;

    public int Calls => _calls;

    public async Task<ModelResult> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while ((seen = _maxInFlight) < now && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }

        await Task.Yield();
        try
        {
            return answer(request);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

/// <summary>An embedder that maps each text to a fixed vector by its first letter (deterministic, no model).</summary>
internal sealed class LetterEmbedder : ITextEmbedder
{
    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        texts.Select(t =>
        {
            var v = new float[26];
            var c = char.ToLowerInvariant(t.TrimStart().FirstOrDefault('a'));
            v[c is >= 'a' and <= 'z' ? c - 'a' : 0] = 1;
            v[25] += 0.5f;
            return v;
        }).ToArray();
}

internal static class EvalData
{
    /// <summary>n runs, each: user asks for order i → assistant calls lookup_order(order_id=i) → tool result →
    /// assistant answers "Order i has shipped.".</summary>
    public static List<Trajectory> Runs(int n) => Enumerable.Range(0, n).Select(i => Some.FullTrajectory($"run-{i:D3}") with
    {
        TaskKey = $"task-{i}",
        Messages =
        [
            new Message { Role = Role.User, Content = $"Where is order {i}?" },
            new Message { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = "call_1", Name = "lookup_order", Arguments = Some.Json($$"""{"order_id":"{{i}}"}""") }] },
            new Message { Role = Role.Tool, ToolCallId = "call_1", Name = "lookup_order", Content = """{"status":"shipped"}""" },
            new Message { Role = Role.Assistant, Content = $"Order {i} has shipped." },
        ],
    }).ToList();

    public static Dictionary<string, Message> References(IEnumerable<EvalCase> cases) => cases.ToDictionary(c => c.CaseId, c => c.Reference);

    public static ModelResult Call(string name, string args, int tokens = 10) => ModelResult.Ok(
        new Message { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = "c", Name = name, Arguments = Some.Json(args) }] },
        new TokenUsage(tokens, 5));

    public static ModelResult Text(string text) => ModelResult.Ok(new Message { Role = Role.Assistant, Content = text }, new TokenUsage(10, 5));
}
