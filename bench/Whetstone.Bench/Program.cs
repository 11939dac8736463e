using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Whetstone.Configuration;
using Whetstone.Evaluation;
using Whetstone.Models;
using Whetstone.Trajectories;

// Evaluation harness throughput: step replay of N cases against an instant OpenAI-compatible endpoint, candidate and
// baseline both through the real openai: client (OpenAI SDK + Polly), at a given concurrency. Prints requests/s of
// the whole EvaluationRunner.RunAsync (requests, scoring, statistics, gate), of its request phase, and — for
// comparison — of a bare HttpClient loop against the same endpoint (the endpoint's ceiling on this machine).
// usage: Whetstone.Bench [--cases N=20000] [--concurrency C=64] [--server URL] [--raw-seconds S=5]
//        Whetstone.Bench redaction [--texts FILE] [--runs FILE] …   (see RedactionBench.cs: where redaction spends its time)
if (args.Length > 0 && args[0] == "redaction")
{
    return Whetstone.Bench.RedactionBench.Run(args[1..]);
}

var cases = Arg("--cases", 20000);
var concurrency = Arg("--concurrency", 64);
var rawSeconds = Arg("--raw-seconds", 5);
var external = ArgText("--server");

await using var server = external is null ? await InstantServer.StartAsync() : null;
var baseUrl = external ?? server!.BaseUrl;
Console.WriteLine($"endpoint: {baseUrl} ({(external is null ? "in-process Kestrel, instant answers" : "external")})");
Console.WriteLine($"cores: {Environment.ProcessorCount}  concurrency: {concurrency}  cases: {cases} ({cases * 2} requests)");

var evalCases = EvalCases.FromTrajectories(Runs(cases / 2));
var options = new ModelClientOptions { Model = "bench", Timeout = TimeSpan.FromSeconds(30), MaxRetries = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(50) };

// Warm-up (JIT, connections).
await RunOnce(evalCases.Take(2000).ToList(), options, baseUrl, concurrency);
var (total, requestPhase, report) = await RunOnce(evalCases, options, baseUrl, concurrency);
var requests = evalCases.Count * 2;
Console.WriteLine($"harness: {requests} requests in {total.TotalSeconds:0.00} s = {requests / total.TotalSeconds:N0} requests/s (whole run: requests, scoring, statistics, gate)");
Console.WriteLine($"harness request phase: {requestPhase.TotalSeconds:0.00} s = {requests / requestPhase.TotalSeconds:N0} requests/s");
Console.WriteLine($"errors: candidate {report.Counts.CandidateErrors}, baseline {report.Counts.BaselineErrors}; latency p50 {report.Metrics.Candidate[MetricCatalog.LatencyP50Ms]} ms, p95 {report.Metrics.Candidate[MetricCatalog.LatencyP95Ms]} ms");

var (raw, rawErrors) = await RawLoop(baseUrl, concurrency, TimeSpan.FromSeconds(rawSeconds));
Console.WriteLine($"bare HttpClient loop (same endpoint, same concurrency): {raw:N0} requests/s, {rawErrors} failed");
return 0;

static async Task<(TimeSpan Total, TimeSpan RequestPhase, EvaluationReport Report)> RunOnce(IReadOnlyList<EvalCase> cases, ModelClientOptions options, string baseUrl, int concurrency)
{
    var candidate = ModelClients.Create("openai:" + baseUrl, options);
    var baseline = ModelClients.Create("openai:" + baseUrl, options);
    var progress = new LastRequest(cases.Count * 2);
    var runner = new EvaluationRunner(new EvaluationOptions());
    var sw = Stopwatch.StartNew();
    var report = await runner.RunAsync(cases, candidate, baseline, new ReplayRunOptions
    {
        Candidate = new ModelRef { Model = "bench", Client = "openai:" + baseUrl },
        Baseline = new ModelRef { Model = "bench", Client = "openai:" + baseUrl },
        Concurrency = concurrency,
        Progress = progress,
    });
    var total = sw.Elapsed;
    ModelClients.Release(candidate);
    ModelClients.Release(baseline);
    return (total, progress.At ?? total, report);
}

static async Task<(double Rate, long Errors)> RawLoop(string baseUrl, int concurrency, TimeSpan duration)
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 });
    var t = Runs(1)[0];
    var body = OpenAiChatFormat.RequestBytes("bench", t.Messages.Take(1).ToArray(), t.Tools);
    var url = baseUrl.TrimEnd('/') + "/chat/completions";
    var count = 0L;
    var errors = 0L;
    var sw = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, concurrency), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (worker, ct) =>
    {
        while (sw.Elapsed < duration)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            try
            {
                using var response = await http.PostAsync(url, content, ct);
                _ = await response.Content.ReadAsByteArrayAsync(ct);
                Interlocked.Increment(ref count);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    });
    return (count / sw.Elapsed.TotalSeconds, errors);
}

// Support-agent runs: the user asks about an order, the agent looks it up, then answers.
static List<Trajectory> Runs(int n)
{
    var tool = new ToolSpec
    {
        Name = "lookup_order",
        Description = "Find an order by id",
        Parameters = JsonDocument.Parse("""{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}""").RootElement.Clone(),
    };
    return Enumerable.Range(0, n).Select(i => new Trajectory
    {
        Id = $"bench-{i}",
        Tools = [tool],
        Messages =
        [
            new Message { Role = Role.System, Content = "You are a support agent for an online shop. Be brief." },
            new Message { Role = Role.User, Content = $"Hi, where is my order {1000 + i}? It was due yesterday." },
            new Message { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = "call_1", Name = "lookup_order", Arguments = JsonDocument.Parse($$"""{"order_id":"{{1000 + i}}"}""").RootElement.Clone() }] },
            new Message { Role = Role.Tool, ToolCallId = "call_1", Name = "lookup_order", Content = """{"status":"shipped","eta":"tomorrow"}""" },
            new Message { Role = Role.Assistant, Content = $"Order {1000 + i} has shipped and arrives tomorrow." },
        ],
    }).ToList();
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string? ArgText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>Records when the last request finished (synchronously, unlike <see cref="Progress{T}"/>).</summary>
internal sealed class LastRequest(int total) : IProgress<int>
{
    private readonly Stopwatch _sw = Stopwatch.StartNew();

    public TimeSpan? At { get; private set; }

    public void Report(int value)
    {
        if (value == total)
        {
            At = _sw.Elapsed;
        }
    }
}

/// <summary>An OpenAI-compatible endpoint that answers every chat completion at once with the same tool call.</summary>
internal sealed class InstantServer : IAsyncDisposable
{
    private static readonly byte[] Answer = Encoding.UTF8.GetBytes("""
        {"id":"chatcmpl-bench","object":"chat.completion","created":0,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_b","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"1000\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":60,"completion_tokens":12,"total_tokens":72}}
        """);

    private readonly WebApplication _app;

    private InstantServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static async Task<InstantServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            // Read the request as a real server must, then answer.
            var buffer = new byte[16 * 1024];
            while (await context.Request.Body.ReadAsync(buffer) > 0)
            {
            }

            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Answer.Length;
            await context.Response.Body.WriteAsync(Answer);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InstantServer(app, address.TrimEnd('/') + "/v1");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
