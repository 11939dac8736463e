using System.Diagnostics;
using System.Globalization;
using Whetstone.Capture;

// Capture client enqueue latency while the sidecar is down: every Submit is timed; the queue fills, then every
// further run is dropped (counted). usage: Whetstone.Bench.Capture [RUNS=200000] [QUEUE=10000]
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
var capacity = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var filler = new string('x', 5_500);
var prepared = Enumerable.Range(0, runs).Select(i =>
{
    var run = new CapturedRun { Id = $"bench-{i}", AgentId = "bench" };
    run.Messages.Add(new CapturedMessage { Role = "user", Content = "question " + i });
    run.Messages.Add(new CapturedMessage { Role = "assistant", Content = filler });
    run.Outcome = RunOutcome.Completed();
    return run;
}).ToArray();

// Port 9 (discard) on loopback: nothing listens, every attempt is refused and retried with backoff.
await using var client = new WhetstoneCaptureClient(new WhetstoneCaptureOptions
{
    Endpoint = new Uri("http://127.0.0.1:9"),
    Token = "bench-token-0123456789",
    QueueCapacity = capacity,
    DisposeTimeout = TimeSpan.Zero,
});
// Wait until the sender is retrying against the down sidecar, so the measurement runs beside a live retry loop.
client.Submit(prepared[0]);
for (var wait = 0; wait < 100 && client.Counters.Retries < 2; wait++)
{
    await Task.Delay(50);
}

var accepted = new List<long>();
var dropped = new List<long>();
for (var i = 1; i < runs; i++)
{
    var t0 = Stopwatch.GetTimestamp();
    var ok = client.Submit(prepared[i]);
    var dt = Stopwatch.GetTimestamp() - t0;
    (ok ? accepted : dropped).Add(dt);
}

var c = client.Counters;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"runs {runs}, queue {capacity}, sidecar down: queued {c.Submitted}, dropped {c.Dropped}, retries so far {c.Retries}, sent {c.Sent}"));
Report("queued submits ", accepted);
Report("dropped submits", dropped);
Report("all submits    ", [.. accepted, .. dropped]);

static void Report(string what, List<long> ticks)
{
    if (ticks.Count == 0)
    {
        return;
    }

    ticks.Sort();
    double Us(double q) => ticks[(int)Math.Min(ticks.Count - 1, q * ticks.Count)] * 1e6 / Stopwatch.Frequency;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what}: n {ticks.Count}, p50 {Us(0.50):F2} us, p99 {Us(0.99):F2} us, p99.9 {Us(0.999):F2} us, max {Us(1.0):F0} us"));
}
