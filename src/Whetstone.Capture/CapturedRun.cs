using System.Text.Json;

namespace Whetstone.Capture;

/// <summary>One completed run of the agent, as sent to the sidecar (Whetstone's canonical trajectory JSON, schema
/// version 1). The sidecar redacts it before storing anything.</summary>
public sealed class CapturedRun
{
    /// <summary>Stable id: re-sending the same run never duplicates it. Default: <c>run-</c> + a new GUID.</summary>
    public string Id { get; set; } = "run-" + Guid.NewGuid().ToString("N");

    public string? AgentId { get; set; }

    public string? SessionId { get; set; }

    /// <summary>The user's request that started the run (default: the first user message).</summary>
    public string? Task { get; set; }

    /// <summary>Groups runs of the same task (for example across models).</summary>
    public string? TaskKey { get; set; }

    public string? ModelProvider { get; set; }

    public string? ModelName { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public List<CapturedTool> Tools { get; } = [];

    public List<CapturedMessage> Messages { get; } = [];

    public RunOutcome? Outcome { get; set; }

    /// <summary>Free string metadata kept with the run.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    internal void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("schema_version", 1);
        w.WriteString("id", Id);
        Optional(w, "agent_id", AgentId);
        Optional(w, "session_id", SessionId);
        w.WriteString("source", "whetstone-capture");
        Optional(w, "task", Task ?? Messages.FirstOrDefault(m => m.Role == "user" && !string.IsNullOrWhiteSpace(m.Content))?.Content);
        Optional(w, "task_key", TaskKey);
        if (ModelProvider is not null || ModelName is not null)
        {
            w.WriteStartObject("model");
            Optional(w, "provider", ModelProvider);
            Optional(w, "name", ModelName);
            w.WriteEndObject();
        }

        if (StartedAt is { } s)
        {
            w.WriteString("started_at", s);
        }

        if (EndedAt is { } e)
        {
            w.WriteString("ended_at", e);
        }

        w.WriteStartArray("tools");
        foreach (var t in Tools)
        {
            w.WriteStartObject();
            w.WriteString("name", t.Name);
            Optional(w, "description", t.Description);
            if (t.Parameters is { ValueKind: JsonValueKind.Object } p)
            {
                w.WritePropertyName("parameters");
                p.WriteTo(w);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("messages");
        foreach (var m in Messages)
        {
            m.WriteTo(w);
        }

        w.WriteEndArray();
        (Outcome ?? RunOutcome.Unknown).WriteTo(w);
        if (Metadata.Count > 0)
        {
            w.WriteStartObject("metadata");
            foreach (var (k, v) in Metadata)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    internal static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}

/// <summary>One message: role <c>system</c>, <c>user</c>, <c>assistant</c> (content and/or tool calls) or
/// <c>tool</c> (the result of the call named by <see cref="ToolCallId"/>).</summary>
public sealed class CapturedMessage
{
    public required string Role { get; init; }

    public string? Content { get; init; }

    public string? Reasoning { get; init; }

    public List<CapturedToolCall>? ToolCalls { get; init; }

    public string? ToolCallId { get; init; }

    public string? Name { get; init; }

    public bool? IsError { get; init; }

    internal void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("role", Role);
        CapturedRun.Optional(w, "content", Content);
        CapturedRun.Optional(w, "reasoning", Reasoning);
        if (ToolCalls is { Count: > 0 })
        {
            w.WriteStartArray("tool_calls");
            foreach (var c in ToolCalls)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteString("name", c.Name);
                if (c.Arguments is { } a)
                {
                    w.WritePropertyName("arguments");
                    a.WriteTo(w);
                }
                else if (c.RawArguments is not null)
                {
                    w.WriteString("raw_arguments", c.RawArguments);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        CapturedRun.Optional(w, "tool_call_id", ToolCallId);
        CapturedRun.Optional(w, "name", Name);
        if (IsError is { } e)
        {
            w.WriteBoolean("is_error", e);
        }

        w.WriteEndObject();
    }
}

/// <summary>A call of a tool: JSON <see cref="Arguments"/>, or <see cref="RawArguments"/> when the model produced
/// text that is not JSON.</summary>
public sealed class CapturedToolCall
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public JsonElement? Arguments { get; init; }

    public string? RawArguments { get; init; }
}

/// <summary>A tool the agent offered the model.</summary>
public sealed class CapturedTool
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public JsonElement? Parameters { get; init; }
}

/// <summary>How the run ended, as the agent (or its user) reports it.</summary>
public sealed record RunOutcome
{
    public static readonly RunOutcome Unknown = new() { Status = "unknown" };

    /// <summary><c>completed</c>, <c>failed</c>, <c>abandoned</c> or <c>unknown</c>.</summary>
    public string Status { get; init; } = "unknown";

    /// <summary>0..1.</summary>
    public double? Reward { get; init; }

    public bool? GoalsMet { get; init; }

    /// <summary>A substantive answer reached the user.</summary>
    public bool? Delivered { get; init; }

    public string? Notes { get; init; }

    public static RunOutcome Completed(double? reward = null, bool? goalsMet = null) =>
        new() { Status = "completed", Reward = reward, GoalsMet = goalsMet };

    public static RunOutcome Failed(string? notes = null) => new() { Status = "failed", Notes = notes };

    public static RunOutcome Abandoned(string? notes = null) => new() { Status = "abandoned", Notes = notes };

    internal void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject("outcome");
        w.WriteString("status", Status);
        if (Reward is { } r && !double.IsNaN(r))
        {
            w.WriteNumber("reward", Math.Clamp(r, 0, 1));
        }

        if (GoalsMet is { } g)
        {
            w.WriteBoolean("goals_met", g);
        }

        if (Delivered is { } d)
        {
            w.WriteBoolean("delivered", d);
        }

        CapturedRun.Optional(w, "notes", Notes);
        w.WriteEndObject();
    }
}
