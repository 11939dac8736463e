using Whetstone.Configuration;
using Whetstone.Evaluation;
using Whetstone.Models.Tests.Support;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Models.Tests;

public sealed class OpenAiModelClientTests
{
    private static readonly ModelClientOptions Fast = new()
    {
        Model = "tiny-ft",
        ApiKey = "sk-test-key",
        Timeout = TimeSpan.FromSeconds(10),
        MaxRetries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
    };

    private static ModelRequest Request(string id = "run-1#0")
    {
        var t = Some.FullTrajectory();
        return new ModelRequest(id, t.Messages.Take(2).ToArray(), t.Tools);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompleteAsync_ToolCallAnswer_ParsedWithUsage_RequestCarriesMessagesToolsAndKey()
    {
        await using var server = await LoopbackChatServer.StartAsync();
        var client = ModelClients.Create(server.Spec, Fast);
        try
        {
            var result = await client.CompleteAsync(Request(), Ct);

            Assert.Null(result.Error);
            var call = Assert.Single(result.Message!.ToolCalls!);
            Assert.Equal("lookup_order", call.Name);
            Assert.Equal("1234", call.Arguments!.Value.GetProperty("order_id").GetString());
            Assert.Equal(12, result.Usage!.PromptTokens);
            Assert.Equal(6, result.Usage.CompletionTokens);
            Assert.Equal(1, result.Attempts);

            var sent = Assert.Single(server.Requests);
            Assert.Equal("/v1/chat/completions", sent.Path);
            Assert.Equal("Bearer sk-test-key", sent.Authorization);
            Assert.Equal("tiny-ft", sent.Body.GetProperty("model").GetString());
            Assert.Equal(2, sent.Body.GetProperty("messages").GetArrayLength());
            Assert.Equal("lookup_order", sent.Body.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
            Assert.Equal(0, sent.Body.GetProperty("temperature").GetDouble());
        }
        finally
        {
            ModelClients.Release(client);
        }
    }

    [Fact]
    public async Task CompleteAsync_FullChatCompletionsUrl_IsAccepted()
    {
        await using var server = await LoopbackChatServer.StartAsync();
        var client = ModelClients.Create("openai:" + server.BaseUrl + "/chat/completions", Fast);
        var result = await client.CompleteAsync(Request(), Ct);
        ModelClients.Release(client);
        Assert.Null(result.Error);
        Assert.Equal("/v1/chat/completions", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task CompleteAsync_ServerErrorThenSuccess_IsRetried()
    {
        await using var server = await LoopbackChatServer.StartAsync((n, _) => n == 1 ? new Reply(500, """{"error":{"message":"overloaded"}}""") : null);
        var client = ModelClients.Create(server.Spec, Fast);
        var result = await client.CompleteAsync(Request(), Ct);
        ModelClients.Release(client);

        Assert.Null(result.Error);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(2, server.Count);
    }

    [Fact]
    public async Task CompleteAsync_TooManyRequestsWithRetryAfter_IsRetried()
    {
        await using var server = await LoopbackChatServer.StartAsync((n, _) =>
            n == 1 ? new Reply(429, """{"error":{"message":"slow down"}}""", new Dictionary<string, string> { ["Retry-After"] = "0" }) : null);
        var client = ModelClients.Create(server.Spec, Fast);
        var result = await client.CompleteAsync(Request(), Ct);
        ModelClients.Release(client);
        Assert.Null(result.Error);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task CompleteAsync_PersistentServerError_IsTheItemsErrorAfterAllAttempts()
    {
        await using var server = await LoopbackChatServer.StartAsync((_, _) => new Reply(503, """{"error":{"message":"down"}}"""));
        var client = ModelClients.Create(server.Spec, Fast);
        var result = await client.CompleteAsync(Request(), Ct);
        ModelClients.Release(client);

        Assert.Null(result.Message);
        Assert.Equal("http_503", result.Error!.Code);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, server.Count);
    }

    [Fact]
    public async Task CompleteAsync_BadRequest_IsNotRetried()
    {
        await using var server = await LoopbackChatServer.StartAsync((_, _) => new Reply(400, """{"error":{"message":"unknown model"}}"""));
        var client = ModelClients.Create(server.Spec, Fast);
        var result = await client.CompleteAsync(Request(), Ct);
        ModelClients.Release(client);

        Assert.Equal("http_400", result.Error!.Code);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(1, server.Count);
    }

    [Fact]
    public async Task CompleteAsync_ServerHangs_TimesOutEachAttempt()
    {
        await using var server = await LoopbackChatServer.StartAsync((_, _) => new Reply(200, "{}", Hang: true));
        var client = ModelClients.Create(server.Spec, Fast with { Timeout = TimeSpan.FromSeconds(1), MaxRetries = 1 });
        var result = await client.CompleteAsync(Request(), Ct);
        ModelClients.Release(client);

        Assert.Equal("timeout", result.Error!.Code);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(2, server.Count);
    }

    [Fact]
    public async Task CompleteAsync_UnparseableBody_IsInvalidResponse()
    {
        await using var server = await LoopbackChatServer.StartAsync((_, _) => Reply.Json("""{"choices":[]}"""));
        var client = ModelClients.Create(server.Spec, Fast);
        var result = await client.CompleteAsync(Request(), Ct);
        ModelClients.Release(client);
        Assert.Equal("invalid_response", result.Error!.Code);
        Assert.Equal(1, result.Attempts);
    }

    [Fact]
    public async Task CompleteAsync_NothingListening_IsConnectionFailed()
    {
        var server = await LoopbackChatServer.StartAsync();
        var spec = server.Spec;
        await server.DisposeAsync();
        var client = ModelClients.Create(spec, Fast with { MaxRetries = 1 });
        var result = await client.CompleteAsync(Request(), Ct);
        ModelClients.Release(client);

        Assert.Equal("connection_failed", result.Error!.Code);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public void Create_WithoutModelName_IsBadInput()
    {
        var e = Assert.Throws<WhetstoneException>(() => ModelClients.Create("openai:http://127.0.0.1:1/v1", Fast with { Model = null }));
        Assert.Equal("model_name_required", e.Reason);
    }

    [Fact]
    public void Create_None_IsRefusedWithShadowHint()
    {
        var e = Assert.Throws<WhetstoneException>(() => ModelClients.Create("none", Fast));
        Assert.Equal("no_callable_model", e.Reason);
        Assert.Contains("shadow", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluation_OpenAiCandidateVsReplayBaseline_EndToEnd_KeyNeverInReport()
    {
        // The endpoint always calls lookup_order(order_id=1234): right on run-1234's tool step only, wrong on answer steps.
        await using var server = await LoopbackChatServer.StartAsync();
        var runs = Enumerable.Range(1230, 6).Select(i => Some.FullTrajectory($"run-{i}") with
        {
            Messages =
            [
                new Message { Role = Role.User, Content = $"Where is order {i}?" },
                new Message { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = "call_1", Name = "lookup_order", Arguments = Some.Json($$"""{"order_id":"{{i}}"}""") }] },
                new Message { Role = Role.Tool, ToolCallId = "call_1", Content = "shipped" },
                new Message { Role = Role.Assistant, Content = "Your order has shipped." },
            ],
        }).ToList();
        var cases = EvalCases.FromTrajectories(runs);
        using var dir = new TempDir();
        var replay = dir.Write("baseline.jsonl", string.Join('\n', cases.Select(c =>
            $$$"""{"case_id":"{{{c.CaseId}}}","message":{"role":"assistant","content":"I do not know."}}""")));

        var options = ModelClientOptions.From(new EvaluationOptions { ApiKey = "sk-secret-42", MaxRetries = 0 }, "tiny-ft");
        var candidate = ModelClients.Create(server.Spec, options);
        var baseline = ModelClients.Create("replay:" + replay, options);
        var report = await new EvaluationRunner(new EvaluationOptions()).RunAsync(cases, candidate, baseline, new ReplayRunOptions
        {
            Candidate = new ModelRef { Model = "tiny-ft", Client = server.Spec },
            Baseline = new ModelRef { Model = "live", Client = "replay:" + replay },
            Concurrency = 4,
        }, Ct);
        ModelClients.Release(candidate);

        Assert.Equal(12, server.Count);
        Assert.Equal(1.0, report.Metrics.Candidate[MetricCatalog.ToolNameAccuracy]);
        Assert.Equal(1.0 / 6, report.Metrics.Candidate[MetricCatalog.ArgumentMatch]!.Value, 5);
        Assert.Equal(0.0, report.Metrics.Candidate[MetricCatalog.AnswerSimilarity]); // it calls a tool where the run answered
        Assert.Equal(0.5, report.Metrics.Candidate[MetricCatalog.CallDecisionAccuracy]);
        Assert.Equal(0.0, report.Metrics.Baseline[MetricCatalog.ToolNameAccuracy]);
        Assert.Equal(18, report.Cases[0].Candidate.PromptTokens + report.Cases[0].Candidate.CompletionTokens);
        Assert.All(server.Requests, r => Assert.Equal("Bearer sk-secret-42", r.Authorization));
        Assert.DoesNotContain("sk-secret-42", report.ToJson(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret-42", EvaluationHtml.Render(report), StringComparison.Ordinal);
    }
}
