using System.Net;
using System.Text;
using System.Text.Json;
using Whetstone.Server.Otlp;
using Whetstone.Trajectories;

namespace Whetstone.Server.Tests.Otlp;

/// <summary>OTLP/JSON bodies written by hand from the OTLP specification (hex ids, integer enums, int64 as
/// strings) with GenAI spans of semantic conventions v1.41.0, and the event form of v1.28.</summary>
public sealed class OtlpJsonTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Otlp", "Fixtures", name));

    private static Task<HttpResponseMessage> PostAsync(RunningServer server, string json) =>
        server.Client().PostAsync("/v1/traces", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Traces_InvokeAgentRun_MapsMessagesToolsAndOutcome()
    {
        await using var server = await RunningServer.StartAsync();

        var response = await PostAsync(server, Fixture("agent-run.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await response.JsonAsync()).TryGetProperty("partialSuccess", out _));
        var stored = await server.Services.Store.Trajectories.GetAsync("otel-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b173", TestContext.Current.CancellationToken);
        Assert.NotNull(stored);
        var t = stored.Trajectory;
        Assert.Equal("order-helper", t.AgentId);
        Assert.NotNull(t.SessionId);
        Assert.Equal(new ModelInfo { Provider = "openai", Name = "gpt-4o-mini-2024-07-18" }, t.Model);
        Assert.Equal(OutcomeStatus.Completed, t.Outcome.Status);
        Assert.Equal([Role.System, Role.User, Role.Assistant, Role.Tool, Role.Assistant], t.Messages.Select(m => m.Role));
        Assert.Equal("You are a support agent.", t.Messages[0].Content);
        Assert.DoesNotContain("kim@example.com", t.Messages[1].Content, StringComparison.Ordinal);
        Assert.Equal("I should look it up.", t.Messages[2].Reasoning);
        Assert.Equal("1234", t.Messages[2].ToolCalls![0].Arguments!.Value.GetProperty("order_id").GetString());
        Assert.Equal("call_9", t.Messages[3].ToolCallId);
        Assert.Contains("Friday", t.Messages[3].Content, StringComparison.Ordinal);
        Assert.Equal("Order 1234 has shipped and arrives Friday.", t.Messages[4].Content);
        var tool = Assert.Single(t.Tools);
        Assert.Equal("lookup_order", tool.Name);
        Assert.Equal("object", tool.Parameters!.Value.GetProperty("type").GetString());
        Assert.Equal(new DateTimeOffset(2025, 10, 9, 8, 53, 20, 900, TimeSpan.Zero), t.StartedAt);
        Assert.Equal(0, server.Get<TraceIngestor>().Counters().PendingSpans);
    }

    [Fact]
    public async Task Traces_RootArrivesLater_RunIsStoredOnlyWhenTheRootEnds()
    {
        await using var server = await RunningServer.StartAsync();

        await PostAsync(server, Fixture("split-children.json"));
        var before = await server.CountAsync();
        var pending = server.Get<TraceIngestor>().Counters().PendingSpans;
        var response = await PostAsync(server, Fixture("split-root.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, before);
        Assert.Equal(1, pending);
        var stored = await server.Services.Store.Trajectories.GetAsync("slow-run-1", TestContext.Current.CancellationToken);
        Assert.NotNull(stored);
        Assert.Equal(OutcomeStatus.Failed, stored.Trajectory.Outcome.Status);
        Assert.Equal("user hung up", stored.Trajectory.Outcome.Notes);
        Assert.Equal(["Be brief.", "Name a prime above 10.", "11."], stored.Trajectory.Messages.Select(m => m.Content));
        Assert.Equal("ollama", stored.Trajectory.Model?.Provider);
        Assert.Equal(0, server.Get<TraceIngestor>().Counters().PendingSpans);
    }

    [Fact]
    public async Task Traces_SameExportTwice_StoresTheRunOnce()
    {
        await using var server = await RunningServer.StartAsync();

        await PostAsync(server, Fixture("agent-run.json"));
        await PostAsync(server, Fixture("agent-run.json"));

        Assert.Equal(1, await server.CountAsync());
    }

    [Fact]
    public async Task Traces_EventFormOfOlderConventions_IsRead()
    {
        await using var server = await RunningServer.StartAsync();

        await PostAsync(server, Fixture("events-v1_28.json"));

        var stored = await server.Services.Store.Trajectories.GetAsync("otel-4bf92f3577b34da6a3ce929d0e0e4736-53995c3f42cd8ad8", TestContext.Current.CancellationToken);
        Assert.Equal(["You convert units.", "How many cm in 2 inches?", "5.08 cm."], stored!.Trajectory.Messages.Select(m => m.Content));
        Assert.Equal("openai", stored.Trajectory.Model?.Provider);
        Assert.Equal("legacy-agent", stored.Trajectory.AgentId);
    }

    [Fact]
    public async Task Traces_TraceWithoutGenAiSpans_IsNotARunAndIsNotKept()
    {
        await using var server = await RunningServer.StartAsync();
        const string http = """
            {"resourceSpans":[{"scopeSpans":[{"spans":[
              {"traceId":"11111111111111111111111111111111","spanId":"2222222222222222","name":"GET /","kind":2,
               "startTimeUnixNano":"1760000000000000000","endTimeUnixNano":"1760000000100000000"}]}]}]}
            """;

        var response = await PostAsync(server, http);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await server.CountAsync());
        Assert.Equal(0, server.Get<TraceIngestor>().Counters().PendingTraces);
    }

    [Fact]
    public async Task Traces_RunWithoutContent_IsRejectedAsPartialSuccess()
    {
        await using var server = await RunningServer.StartAsync();
        const string noContent = """
            {"resourceSpans":[{"scopeSpans":[{"spans":[
              {"traceId":"33333333333333333333333333333333","spanId":"4444444444444444","name":"chat gpt-4o","kind":3,
               "startTimeUnixNano":"1760000000000000000","endTimeUnixNano":"1760000000100000000",
               "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}}]}]}]}]}
            """;

        var response = await PostAsync(server, noContent);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("1", body.GetProperty("partialSuccess").GetProperty("rejectedSpans").GetString());
        Assert.Contains("no message content", body.GetProperty("partialSuccess").GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await server.CountAsync());
    }

    [Theory]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"2222222222222222","name":"x"}]}]}]}""", "$.resourceSpans[0].scopeSpans[0].spans[0].traceId")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"11111111111111111111111111111111","spanId":"22","name":"x"}]}]}]}""", "$.resourceSpans[0].scopeSpans[0].spans[0].spanId")]
    [InlineData("""{"resourceSpans":{"scopeSpans":[]}}""", "$.resourceSpans")]
    [InlineData("""{"resourceSpans":[ """, "$")]
    public async Task Traces_BadBody_Returns400NamingThePath(string body, string path)
    {
        await using var server = await RunningServer.StartAsync();

        var response = await PostAsync(server, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith(path, problem.GetProperty("path").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Traces_ProtobufGarbage_Returns400()
    {
        await using var server = await RunningServer.StartAsync();
        using var content = new ByteArrayContent([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]);
        content.Headers.ContentType = new("application/x-protobuf");

        var response = await server.Client().PostAsync("/v1/traces", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_otlp", (await response.JsonAsync()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Traces_Gzip_IsAccepted()
    {
        await using var server = await RunningServer.StartAsync();
        using var buffer = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(Fixture("agent-run.json")), TestContext.Current.CancellationToken);
        }

        using var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        var response = await server.Client().PostAsync("/v1/traces", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await server.CountAsync());
    }

    [Fact]
    public async Task Traces_PendingOverTheBound_DropsTheOldestTraceAndCountsIt()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Whetstone:Server:MaxPendingSpans"] = "100" });
        string Open(int i) => $$"""
            {"resourceSpans":[{"scopeSpans":[{"spans":[
            {{string.Join(",", Enumerable.Range(0, 60).Select(j => $$"""{"traceId":"{{i:x32}}","spanId":"{{(j + 1):x16}}","parentSpanId":"ffffffffffffffff","name":"step"}"""))}}
            ]}]}]}
            """;

        await PostAsync(server, Open(1));
        await PostAsync(server, Open(2));

        var counters = server.Get<TraceIngestor>().Counters();
        Assert.Equal(1, counters.PendingTraces);
        Assert.Equal(60, counters.PendingSpans);
        Assert.Equal(60, counters.SpansDropped);
    }
}
