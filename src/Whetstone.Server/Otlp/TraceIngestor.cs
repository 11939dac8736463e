using Whetstone.Configuration;
using Whetstone.Server.Ingest;
using Whetstone.Server.Otlp.Proto;
using Whetstone.Trajectories;

namespace Whetstone.Server.Otlp;

/// <summary>Counters of the OTLP receiver since the service started.</summary>
public sealed record TraceCounters(long SpansReceived, long RunsStored, long SpansRejected, long PendingTraces, long PendingSpans,
    long SpansDropped);

/// <summary>Turns exported spans into runs. A run is stored (redacted, scored, committed) before the export request
/// that completes it is answered, so an acknowledged complete run survives a crash. Spans of runs whose root span has
/// not ended yet wait in memory only — they are not redacted yet, and nothing unredacted is written to disk — under a
/// bounded policy: at most <c>Whetstone:Server:MaxPendingSpans</c> spans and <c>MaxPendingMegabytes</c>, each trace
/// at most <c>PendingTraceMinutes</c>; past a bound the oldest traces are dropped and counted. A crash loses the
/// spans of runs still open (their exporter is not told; such runs are never stored).</summary>
internal sealed partial class TraceIngestor(RunIngestor ingestor, WhetstoneOptions options, TimeProvider time, ILogger<TraceIngestor> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, PendingTrace> _pending = new(StringComparer.Ordinal);
    private long _pendingSpans;
    private long _pendingBytes;
    private long _received;
    private long _stored;
    private long _rejected;
    private long _dropped;

    public TraceCounters Counters() => new(Interlocked.Read(ref _received), Interlocked.Read(ref _stored), Interlocked.Read(ref _rejected),
        _pending.Count, Interlocked.Read(ref _pendingSpans), Interlocked.Read(ref _dropped));

    public async Task<ExportTraceServiceResponse> IngestAsync(ExportTraceServiceRequest request)
    {
        var incoming = new Dictionary<string, List<SpanView>>(StringComparer.Ordinal);
        var count = 0;
        foreach (var rs in request.ResourceSpans)
        {
            var service = rs.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue;
            foreach (var ss in rs.ScopeSpans)
            {
                foreach (var span in ss.Spans)
                {
                    var view = new SpanView(span, string.IsNullOrEmpty(service) ? null : service);
                    (incoming.TryGetValue(view.TraceId, out var list) ? list : incoming[view.TraceId] = []).Add(view);
                    count++;
                }
            }
        }

        Interlocked.Add(ref _received, count);
        var runs = new List<Trajectory>();
        long rejected = 0;
        var problems = new List<string>();
        await _gate.WaitAsync();
        try
        {
            var now = time.GetUtcNow();
            foreach (var (traceId, spans) in incoming)
            {
                var trace = _pending.GetValueOrDefault(traceId) ?? new PendingTrace(now);
                foreach (var s in spans)
                {
                    trace.Add(s, ref _pendingSpans, ref _pendingBytes);
                }

                var decision = GenAiRunBuilder.Decide(trace.Spans.Values);
                foreach (var run in decision.Runs)
                {
                    var (trajectory, problem) = GenAiRunBuilder.Build(run);
                    if (trajectory is not null && trajectory.Messages.Count > options.Server.MaxMessagesPerRun)
                    {
                        problem = $"has {trajectory.Messages.Count} messages; the limit is {options.Server.MaxMessagesPerRun} (Whetstone:Server:MaxMessagesPerRun)";
                        trajectory = null;
                    }

                    if (trajectory is null)
                    {
                        rejected += run.Members.Count;
                        if (problems.Count < 5)
                        {
                            problems.Add($"run {run.Root.TraceId}/{run.Root.SpanId}: {problem}");
                        }

                        continue;
                    }

                    runs.Add(trajectory);
                }

                foreach (var id in decision.Consumed)
                {
                    trace.Remove(id, ref _pendingSpans, ref _pendingBytes);
                }

                if (trace.Spans.Count == 0 || decision.TraceFinished)
                {
                    trace.Clear(ref _pendingSpans, ref _pendingBytes);
                    _pending.Remove(traceId);
                }
                else
                {
                    _pending[traceId] = trace;
                }
            }

            Enforce(now);

            if (runs.Count > 0)
            {
                // Committed before the exporter hears back: an acknowledged complete run is durable.
                await ingestor.StoreAsync(runs, "otlp");
                Interlocked.Add(ref _stored, runs.Count);
            }
        }
        finally
        {
            _gate.Release();
        }

        Interlocked.Add(ref _rejected, rejected);
        if (rejected > 0)
        {
            LogRejected(logger, rejected, problems.Count);
        }

        var response = new ExportTraceServiceResponse();
        if (rejected > 0)
        {
            response.PartialSuccess = new ExportTracePartialSuccess
            {
                RejectedSpans = rejected,
                ErrorMessage = string.Join("; ", problems),
            };
        }

        return response;
    }

    /// <summary>Drops traces past their time, then the oldest until the span and byte bounds hold.</summary>
    private void Enforce(DateTimeOffset now)
    {
        var maxAge = TimeSpan.FromMinutes(options.Server.PendingTraceMinutes);
        var maxBytes = (long)options.Server.MaxPendingMegabytes * 1024 * 1024;
        if (_pending.Count == 0)
        {
            return;
        }

        foreach (var (id, trace) in _pending.Where(kv => now - kv.Value.FirstSeen > maxAge).ToList())
        {
            Drop(id, trace, "expired");
        }

        if (_pendingSpans <= options.Server.MaxPendingSpans && _pendingBytes <= maxBytes)
        {
            return;
        }

        foreach (var (id, trace) in _pending.OrderBy(kv => kv.Value.FirstSeen).ToList())
        {
            if (_pendingSpans <= options.Server.MaxPendingSpans && _pendingBytes <= maxBytes)
            {
                break;
            }

            Drop(id, trace, "over the pending bound");
        }
    }

    private void Drop(string id, PendingTrace trace, string why)
    {
        var n = trace.Spans.Count;
        trace.Clear(ref _pendingSpans, ref _pendingBytes);
        _pending.Remove(id);
        Interlocked.Add(ref _dropped, n);
        LogDropped(logger, id, n, why);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OTLP: {Spans} spans rejected ({Problems} runs could not be built)")]
    private static partial void LogRejected(ILogger logger, long spans, int problems);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OTLP: dropped trace {TraceId} ({Spans} spans): {Why}")]
    private static partial void LogDropped(ILogger logger, string traceId, int spans, string why);

    private sealed class PendingTrace(DateTimeOffset firstSeen)
    {
        public DateTimeOffset FirstSeen { get; } = firstSeen;

        public Dictionary<string, SpanView> Spans { get; } = new(StringComparer.Ordinal);

        public void Add(SpanView span, ref long spans, ref long bytes)
        {
            if (Spans.Remove(span.SpanId, out var old))
            {
                spans--;
                bytes -= old.Size;
            }

            Spans[span.SpanId] = span;
            spans++;
            bytes += span.Size;
        }

        public void Remove(string id, ref long spans, ref long bytes)
        {
            if (Spans.Remove(id, out var old))
            {
                spans--;
                bytes -= old.Size;
            }
        }

        public void Clear(ref long spans, ref long bytes)
        {
            foreach (var s in Spans.Values)
            {
                spans--;
                bytes -= s.Size;
            }

            Spans.Clear();
        }
    }
}
