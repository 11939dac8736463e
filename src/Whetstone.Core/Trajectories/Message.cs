using System.Text.Json;
using System.Text.Json.Serialization;

namespace Whetstone.Trajectories;

public enum Role
{
    [JsonStringEnumMemberName("system")] System,
    [JsonStringEnumMemberName("user")] User,
    [JsonStringEnumMemberName("assistant")] Assistant,
    [JsonStringEnumMemberName("tool")] Tool,
}

/// <summary>One message of a run. Assistant messages may carry tool calls and the model's reasoning text; tool
/// messages carry the result of the call named by <see cref="ToolCallId"/>.</summary>
public sealed record Message
{
    public required Role Role { get; init; }

    public string? Content { get; init; }

    /// <summary>The assistant's exposed reasoning (<c>reasoning_content</c>, a ReAct Thought), kept apart from
    /// the content.</summary>
    public string? Reasoning { get; init; }

    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }

    /// <summary>On a tool message: the id of the call this message answers.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>On a tool message: the tool's name; on other roles an optional participant name.</summary>
    public string? Name { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>On a tool message: the tool reported an error (when the source says so explicitly).</summary>
    public bool? IsError { get; init; }

    [JsonIgnore]
    public bool HasToolCalls => ToolCalls is { Count: > 0 };
}

/// <summary>An assistant's call of a tool. <see cref="Arguments"/> holds the parsed JSON arguments; when the model
/// produced text that is not valid JSON, <see cref="Arguments"/> is null and <see cref="RawArguments"/> keeps the
/// text as produced (the quality stage rejects such calls, but the record of what happened is kept).</summary>
public sealed record ToolCall
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public JsonElement? Arguments { get; init; }

    public string? RawArguments { get; init; }

    [JsonIgnore]
    public bool HasValidArguments => Arguments is not null;

    /// <summary>The arguments as compact JSON text (or the raw text when they were not valid JSON).</summary>
    public string ArgumentsText() =>
        Arguments is { } a ? a.GetRawText() : RawArguments ?? "{}";
}
