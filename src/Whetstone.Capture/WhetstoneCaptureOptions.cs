namespace Whetstone.Capture;

/// <summary>Where and how the capture client sends runs.</summary>
public sealed class WhetstoneCaptureOptions
{
    /// <summary>The sidecar's base address (runs go to <c>/v1/trajectories</c>).</summary>
    public Uri Endpoint { get; set; } = new("http://127.0.0.1:8080");

    /// <summary>A token with the <c>capture</c> scope.</summary>
    public string? Token { get; set; }

    /// <summary>Runs waiting to be sent; when full, a new run is dropped (and counted), never waited for.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Most runs in one request.</summary>
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>How long the sender waits for more runs before sending a partial batch.</summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>First delay between attempts when the sidecar is unreachable or answers 5xx/429; it doubles (with
    /// jitter) up to <see cref="MaxRetryDelay"/>. A batch is retried until it is sent or the client is disposed.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long disposing waits for queued runs to be sent.</summary>
    public TimeSpan DisposeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Default agent id of runs begun with <see cref="WhetstoneCaptureClient.BeginRun"/>.</summary>
    public string? AgentId { get; set; }
}

/// <summary>What the client did since it was created. <c>Submitted = Sent + Rejected + Abandoned + Pending</c>;
/// <see cref="Dropped"/> runs never entered the queue.</summary>
public sealed record CaptureCounters
{
    /// <summary>Runs accepted into the queue.</summary>
    public long Submitted { get; init; }

    /// <summary>Runs the sidecar acknowledged (stored, or already stored).</summary>
    public long Sent { get; init; }

    /// <summary>Runs not queued because the queue was full (or the client disposed).</summary>
    public long Dropped { get; init; }

    /// <summary>Runs the sidecar refused for good (bad run 400, 401/403, 413 for a single run).</summary>
    public long Rejected { get; init; }

    /// <summary>Runs still queued or in flight when the client was disposed.</summary>
    public long Abandoned { get; init; }

    /// <summary>Attempts retried after a failure.</summary>
    public long Retries { get; init; }

    public long Pending { get; init; }

    /// <summary>The last failure (status or exception type and message), for diagnostics.</summary>
    public string? LastError { get; init; }
}
