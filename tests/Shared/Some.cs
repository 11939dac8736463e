using System.Text.Json;
using Whetstone.Quality;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Tests;

/// <summary>Test data builders.</summary>
internal static class Some
{
    public static JsonElement Json(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    /// <summary>A trajectory with every field of the canonical model set.</summary>
    public static Trajectory FullTrajectory(string id = "run-1") => new()
    {
        Id = id,
        AgentId = "support-bot",
        SessionId = "sess-42",
        Source = "telegram",
        Task = "Where is my order 1234?",
        TaskKey = "order-status",
        Model = new ModelInfo { Provider = "openai", Name = "gpt-4o-mini" },
        StartedAt = new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero),
        EndedAt = new DateTimeOffset(2026, 11, 1, 10, 0, 9, TimeSpan.Zero),
        Tools =
        [
            new ToolSpec
            {
                Name = "lookup_order",
                Description = "Find an order",
                Parameters = Json("""{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}"""),
            },
        ],
        Messages =
        [
            new Message { Role = Role.System, Content = "You are a support agent." },
            new Message { Role = Role.User, Content = "Where is my order 1234?", Timestamp = new DateTimeOffset(2026, 11, 1, 10, 0, 1, TimeSpan.Zero) },
            new Message
            {
                Role = Role.Assistant,
                Reasoning = "I should look the order up.",
                ToolCalls = [new ToolCall { Id = "call_1", Name = "lookup_order", Arguments = Json("""{"order_id":"1234"}""") }],
            },
            new Message { Role = Role.Tool, ToolCallId = "call_1", Name = "lookup_order", Content = """{"status":"shipped"}""", IsError = false },
            new Message { Role = Role.Assistant, Content = "Your order 1234 has shipped." },
        ],
        Outcome = new Outcome
        {
            Status = OutcomeStatus.Completed,
            GoalsMet = true,
            Delivered = true,
            UnresolvedFailures = 0,
            StatusOnly = false,
            Reward = 0.9,
            Notes = "delivered",
            Feedback = [new Feedback { Rating = "positive", Score = 1, Comment = "thanks!", From = "user", At = new DateTimeOffset(2026, 11, 1, 10, 1, 0, TimeSpan.Zero) }],
        },
        Metadata = new Dictionary<string, JsonElement> { ["lane"] = Json("\"fast\""), ["attempt"] = Json("2") },
    };

    public static StoredTrajectory Stored(Trajectory t, bool accepted = true, params string[] reasons) => new()
    {
        Trajectory = t,
        Verdict = new QualityVerdict
        {
            Accepted = accepted,
            Score = accepted ? 0.9 : 0.2,
            Reasons = reasons.Length > 0 ? reasons : accepted ? [] : ["goals_not_met"],
            PolicyVersion = "test",
            TurnWeights = Enumerable.Repeat(1, t.Messages.Count(m => m.Role == Role.Assistant)).ToArray(),
        },
        IngestedAt = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero),
    };
}
