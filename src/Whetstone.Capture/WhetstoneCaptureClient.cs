using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Polly;
using Polly.Retry;

namespace Whetstone.Capture;

/// <summary>Sends completed runs to a Whetstone sidecar without ever slowing or breaking the agent:
/// <see cref="Submit"/> only puts the run in a bounded in-memory queue (a full queue drops the run and counts it);
/// a background sender batches queued runs, posts them, and retries with exponential backoff and jitter (Polly) while
/// the sidecar is unreachable or answers 5xx/429. Nothing here throws into the agent. Runs still queued when the
/// process dies are lost: the queue is memory only.</summary>
public sealed class WhetstoneCaptureClient : IAsyncDisposable
{
    private readonly WhetstoneCaptureOptions _options;
    private readonly HttpClient _http;
    private readonly Channel<CapturedRun> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly Task _sender;
    private readonly TimeProvider _time;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _submitted;
    private long _sent;
    private long _dropped;
    private long _rejected;
    private long _abandoned;
    private long _retries;
    private long _completed;
    private string? _lastError;
    private int _disposed;

    public WhetstoneCaptureClient(WhetstoneCaptureOptions options, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.QueueCapacity < 1 || options.MaxBatchSize < 1)
        {
            throw new ArgumentException("QueueCapacity and MaxBatchSize must be at least 1", nameof(options));
        }

        _options = options;
        _time = time ?? TimeProvider.System;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        // A base address with a path (http://host/whetstone) keeps it: relative requests resolve under it.
        _http.BaseAddress = new Uri(options.Endpoint.AbsoluteUri.TrimEnd('/') + "/");
        _http.Timeout = Timeout.InfiniteTimeSpan;
        if (!string.IsNullOrEmpty(options.Token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        }

        _queue = Channel.CreateBounded<CapturedRun>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutException>()
                    .Handle<OperationCanceledException>(_ => !_stop.IsCancellationRequested)
                    .HandleResult(r => IsTransient(r.StatusCode)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                OnRetry = args =>
                {
                    Interlocked.Increment(ref _retries);
                    _lastError = args.Outcome.Exception is { } e ? $"{e.GetType().Name}: {e.Message}" : $"HTTP {(int)args.Outcome.Result!.StatusCode}";
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .Build();
        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>Queues a run for sending. Never blocks and never throws: false when the run was dropped (queue
    /// full, client disposed, or no run).</summary>
    public bool Submit(CapturedRun run)
    {
        if (run is not null && _queue.Writer.TryWrite(run))
        {
            Interlocked.Increment(ref _submitted);
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Starts recording a run for the <see cref="Chat.WhetstoneCaptureChatClient"/> middleware: chat calls
    /// made in this async flow until the run is finished or disposed are its messages.</summary>
    public Chat.CaptureRun BeginRun(string? task = null, string? id = null, string? agentId = null, string? sessionId = null) =>
        new(this, _time, id, task, agentId ?? _options.AgentId, sessionId);

    public CaptureCounters Counters => new()
    {
        Submitted = Interlocked.Read(ref _submitted),
        Sent = Interlocked.Read(ref _sent),
        Dropped = Interlocked.Read(ref _dropped),
        Rejected = Interlocked.Read(ref _rejected),
        Abandoned = Interlocked.Read(ref _abandoned),
        Retries = Interlocked.Read(ref _retries),
        Pending = Interlocked.Read(ref _submitted) - Interlocked.Read(ref _completed),
        LastError = _lastError,
    };

    /// <summary>Waits until every run submitted before this call was sent or given up. Returns false when
    /// <paramref name="cancellationToken"/> ends the wait first (never throws).</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = Interlocked.Read(ref _submitted);
        while (true)
        {
            var progress = Volatile.Read(ref _progress).Task;
            if (Interlocked.Read(ref _completed) >= target)
            {
                return true;
            }

            try
            {
                await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private void Complete(int runs, ref long counter)
    {
        Interlocked.Add(ref counter, runs);
        Interlocked.Add(ref _completed, runs);
        Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private async Task SendLoopAsync()
    {
        var batch = new List<CapturedRun>(_options.MaxBatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (batch.Count < _options.MaxBatchSize && _queue.Reader.TryRead(out var run))
                {
                    batch.Add(run);
                }

                if (batch.Count < _options.MaxBatchSize && _options.BatchDelay > TimeSpan.Zero)
                {
                    await Task.Delay(_options.BatchDelay, _time, _stop.Token).ConfigureAwait(false);
                    while (batch.Count < _options.MaxBatchSize && _queue.Reader.TryRead(out var run))
                    {
                        batch.Add(run);
                    }
                }

                await SendAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed: what is left is counted as abandoned below.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _lastError = $"{e.GetType().Name}: {e.Message}";
        }

        var left = batch.Count;
        while (_queue.Reader.TryRead(out _))
        {
            left++;
        }

        if (left > 0)
        {
            Complete(left, ref _abandoned);
        }
    }

    /// <summary>Sends a batch; a batch the sidecar refuses as bad (400) or too large (413) is split so one bad run
    /// loses only itself.</summary>
    private async Task SendAsync(List<CapturedRun> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        HttpStatusCode status;
        try
        {
            status = await PostAsync(batch).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or InvalidOperationException)
        {
            _lastError = $"{e.GetType().Name}: {e.Message}";
            Complete(batch.Count, ref _rejected);
            return;
        }

        if ((int)status is >= 200 and < 300)
        {
            Complete(batch.Count, ref _sent);
            return;
        }

        _lastError = $"HTTP {(int)status}";
        if (status is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge && batch.Count > 1)
        {
            var half = batch.Count / 2;
            await SendAsync(batch.GetRange(0, half)).ConfigureAwait(false);
            await SendAsync(batch.GetRange(half, batch.Count - half)).ConfigureAwait(false);
            return;
        }

        Complete(batch.Count, ref _rejected);
    }

    private async Task<HttpStatusCode> PostAsync(List<CapturedRun> batch)
    {
        var buffer = new ArrayBufferWriter<byte>(batch.Count * 4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("trajectories");
            foreach (var run in batch)
            {
                run.WriteTo(w);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        var body = buffer.WrittenMemory;
        using var response = await _pipeline.ExecuteAsync(async token =>
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
            attempt.CancelAfter(_options.RequestTimeout);
            using var content = new ReadOnlyMemoryContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            try
            {
                return await _http.PostAsync(new Uri("v1/trajectories", UriKind.Relative), content, attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new TimeoutException($"no answer within {_options.RequestTimeout}");
            }
        }, _stop.Token).ConfigureAwait(false);
        return response.StatusCode;
    }

    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    /// <summary>Sends what is queued (up to <see cref="WhetstoneCaptureOptions.DisposeTimeout"/>), then stops; runs
    /// still unsent are counted as abandoned.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        using (var wait = new CancellationTokenSource(_options.DisposeTimeout))
        {
            await FlushAsync(wait.Token).ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _sender.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _http.Dispose();
        _stop.Dispose();
    }
}
