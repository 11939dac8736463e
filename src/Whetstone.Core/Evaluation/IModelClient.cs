using Whetstone.Trajectories;

namespace Whetstone.Evaluation;

/// <summary>A model that can be asked for its next action. Implementations (OpenAI-compatible HTTP, in-process GGUF,
/// recorded replay files) live in <c>Whetstone.Models</c>; this port is all the evaluation engine knows.
/// A failure of one item is returned as <see cref="ModelResult.Error"/>, never answered by another model and never
/// thrown (cancellation of the whole run is the only exception).</summary>
public interface IModelClient
{
    Task<ModelResult> CompleteAsync(ModelRequest request, CancellationToken cancellationToken);
}

/// <summary>One item to answer: the conversation so far and the tools the agent had.</summary>
public sealed record ModelRequest(string CaseId, IReadOnlyList<Message> Messages, IReadOnlyList<ToolSpec> Tools);

/// <summary>What a model returned for one item: an assistant message, or an error; token usage when known.</summary>
public sealed record ModelResult
{
    public Message? Message { get; init; }

    public ModelError? Error { get; init; }

    public TokenUsage? Usage { get; init; }

    /// <summary>Attempts made (1 + retries).</summary>
    public int Attempts { get; init; } = 1;

    public bool IsError => Error is not null;

    public static ModelResult Ok(Message message, TokenUsage? usage = null, int attempts = 1) =>
        new() { Message = message, Usage = usage, Attempts = attempts };

    public static ModelResult Failed(string code, string message, int attempts = 1) =>
        new() { Error = new ModelError(code, message), Attempts = attempts };
}

/// <summary>Why an item has no answer. <see cref="Code"/> is a stable snake_case code (<c>timeout</c>,
/// <c>http_503</c>, <c>connection_failed</c>, <c>invalid_response</c>, <c>replay_missing_case</c>, …).</summary>
public sealed record ModelError(string Code, string Message)
{
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>Token counts reported by the model server (or counted in-process).</summary>
public sealed record TokenUsage(int? PromptTokens, int? CompletionTokens)
{
    public int? TotalTokens => PromptTokens is null && CompletionTokens is null ? null : (PromptTokens ?? 0) + (CompletionTokens ?? 0);
}
