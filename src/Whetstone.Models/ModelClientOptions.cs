using Whetstone.Configuration;

namespace Whetstone.Models;

/// <summary>How a model client calls its model. Built by the host from <see cref="EvaluationOptions"/> and the
/// candidate record (model name); the API key comes from configuration or the environment and is never written to
/// a report or a candidate record.</summary>
public sealed record ModelClientOptions
{
    /// <summary>Model name sent to <c>openai:</c> endpoints (the candidate's <c>--model</c>).</summary>
    public string? Model { get; init; }

    public string? ApiKey { get; init; }

    /// <summary>Time allowed for one attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries after a transient failure (timeout, connection failure, HTTP 408/409/429/5xx).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First backoff delay, doubled per retry with jitter; a server's Retry-After wins when it is longer.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Sampling temperature (0: the most likely action, as an evaluation wants).</summary>
    public double? Temperature { get; init; } = 0;

    public int? MaxOutputTokens { get; init; }

    /// <summary>Upper bound of open connections to one endpoint.</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>Folder that relative <c>gguf:</c> and <c>replay:</c> paths are resolved against (default: the
    /// current folder).</summary>
    public string? BaseDirectory { get; init; }

    /// <summary><c>gguf:</c> context window in tokens.</summary>
    public int GgufContextSize { get; init; } = 4096;

    /// <summary><c>gguf:</c> most tokens generated per answer when <see cref="MaxOutputTokens"/> is not set.</summary>
    public int GgufDefaultMaxTokens { get; init; } = 512;

    /// <summary><c>gguf:</c> CPU threads (null: llama.cpp's default).</summary>
    public int? GgufThreads { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Options from the <c>Whetstone:Evaluation</c> section plus the model name.</summary>
    public static ModelClientOptions From(EvaluationOptions evaluation, string? model, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return new ModelClientOptions
        {
            Model = model,
            ApiKey = evaluation.ApiKey,
            Timeout = TimeSpan.FromSeconds(evaluation.TimeoutSeconds),
            MaxRetries = evaluation.MaxRetries,
            RetryBaseDelay = TimeSpan.FromSeconds(evaluation.RetryBaseDelaySeconds),
            MaxOutputTokens = evaluation.MaxOutputTokens,
            BaseDirectory = baseDirectory,
        };
    }

    internal string ResolvePath(string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(BaseDirectory ?? Directory.GetCurrentDirectory(), path));

    internal void Validate()
    {
        if (Timeout <= TimeSpan.Zero)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, "model client timeout must be positive");
        }

        if (MaxRetries < 0)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, "model client retries must not be negative");
        }
    }
}
