using Whetstone.Evaluation;
using Whetstone.Models.Tests.Support;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Models.Tests;

/// <summary>Runs a tiny llama model with random weights, written by <see cref="GgufWriter"/>, through <c>gguf:</c>.</summary>
public sealed class GgufModelClientTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    private static ModelClientOptions Options => new() { MaxOutputTokens = 12, GgufContextSize = 2048, GgufThreads = 1, Timeout = TimeSpan.FromMinutes(2) };

    [Fact]
    public async Task CompleteAsync_TinyRandomModel_GeneratesDeterministicallyWithTokenCounts()
    {
        var path = TinyLlama.Create(_dir.File("tiny.gguf"));
        var client = ModelClients.Create("gguf:" + path, Options);
        try
        {
            var t = Some.FullTrajectory();
            var request = new ModelRequest("run-1#0", t.Messages.Take(2).ToArray(), t.Tools);
            var first = await client.CompleteAsync(request, Ct);
            var second = await client.CompleteAsync(request, Ct);

            Assert.Null(first.Error);
            Assert.Equal(Role.Assistant, first.Message!.Role);
            Assert.InRange(first.Usage!.CompletionTokens!.Value, 1, 12);
            Assert.True(first.Usage.PromptTokens > 100, $"prompt tokens {first.Usage.PromptTokens}");
            Assert.Equal(first.Message.Content, second.Message!.Content);
            Assert.Equal(first.Usage.CompletionTokens, second.Usage!.CompletionTokens);
        }
        finally
        {
            ModelClients.Release(client);
        }
    }

    [Theory]
    [InlineData("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}", true)]
    [InlineData("{{ this is no template llama.cpp knows }}", false)]
    public async Task CompleteAsync_ModelChatTemplate_UsedWhenKnown_ElseChatMl(string template, bool known)
    {
        var path = TinyLlama.Create(_dir.File("templated.gguf"), chatTemplate: template);
        var client = ModelClients.Create("gguf:" + path, Options with { MaxOutputTokens = 2 });
        try
        {
            var t = Some.FullTrajectory();
            var result = await client.CompleteAsync(new ModelRequest("x", t.Messages.Take(2).ToArray(), t.Tools), Ct);
            Assert.Null(result.Error);
            Assert.Equal(known, Assert.IsType<GgufModelClient>(client).UsesModelTemplate);
        }
        finally
        {
            ModelClients.Release(client);
        }
    }

    [Fact]
    public async Task CompleteAsync_PromptLongerThanContext_IsContextOverflow()
    {
        var path = TinyLlama.Create(_dir.File("tiny.gguf"));
        var client = ModelClients.Create("gguf:" + path, Options with { GgufContextSize = 64 });
        try
        {
            var t = Some.FullTrajectory();
            var result = await client.CompleteAsync(new ModelRequest("x", t.Messages, t.Tools), Ct);
            Assert.Equal("context_overflow", result.Error!.Code);
        }
        finally
        {
            ModelClients.Release(client);
        }
    }

    [Fact]
    public async Task Evaluation_GgufCandidate_RunsEveryCaseThroughTheModel()
    {
        var path = TinyLlama.Create(_dir.File("tiny.gguf"));
        var candidate = ModelClients.Create("gguf:" + path, Options with { MaxOutputTokens = 4 });
        var cases = EvalCases.FromTrajectories([Some.FullTrajectory("r1")]);
        var reference = new ReferenceClient(cases);
        try
        {
            var report = await new EvaluationRunner(new Whetstone.Configuration.EvaluationOptions()).RunAsync(cases, candidate, reference,
                new ReplayRunOptions { Candidate = new ModelRef { Client = "gguf:tiny.gguf" }, Baseline = new ModelRef { Model = "reference" } }, Ct);
            Assert.Equal(2, report.Cases.Count);
            Assert.All(report.Cases, c => Assert.Null(c.Candidate.Error));
            Assert.All(report.Cases, c => Assert.NotNull(c.Candidate.CompletionTokens));
            Assert.Equal(1.0, report.Metrics.Baseline[MetricCatalog.ActionScore]);
        }
        finally
        {
            ModelClients.Release(candidate);
        }
    }

    [Fact]
    public void Create_MissingOrCorruptFile_IsAnError()
    {
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<WhetstoneException>(() => ModelClients.Create("gguf:" + _dir.File("none.gguf"), Options)).Code);
        var junk = _dir.Write("junk.gguf", "this is not a gguf file at all");
        Assert.Equal("gguf_load_failed", Assert.Throws<WhetstoneException>(() => ModelClients.Create("gguf:" + junk, Options)).Reason);
    }

    [Fact]
    public void ToolPrompt_ParsesToolCallBlocksAndText()
    {
        var m = ToolPrompt.Parse("""Let me check.<tool_call>{"name": "lookup_order", "arguments": {"order_id": "7"}}</tool_call><tool_call>{"name": "x", "arguments": "{bad"}</tool_call>""");
        Assert.Equal("Let me check.", m.Content);
        Assert.Equal("lookup_order", m.ToolCalls![0].Name);
        Assert.Equal("7", m.ToolCalls[0].Arguments!.Value.GetProperty("order_id").GetString());
        Assert.Null(m.ToolCalls[1].Arguments);
        Assert.Equal("{bad", m.ToolCalls[1].RawArguments);
        Assert.Null(ToolPrompt.Parse("Just text.").ToolCalls);
    }

    [Fact]
    public void ToolPrompt_RendersToolsCallsAndResults()
    {
        var t = Some.FullTrajectory();
        var prompt = ToolPrompt.ChatMl(ToolPrompt.Turns(t.Messages, t.Tools));
        Assert.Contains("<tools>\n{\"type\":\"function\",\"function\":{\"name\":\"lookup_order\"", prompt, StringComparison.Ordinal);
        Assert.Contains("<tool_call>\n{\"name\": \"lookup_order\", \"arguments\": {\"order_id\":\"1234\"}}\n</tool_call>", prompt, StringComparison.Ordinal);
        Assert.Contains("<tool_response>\n{\"status\":\"shipped\"}\n</tool_response>", prompt, StringComparison.Ordinal);
        Assert.EndsWith("<|im_start|>assistant\n", prompt, StringComparison.Ordinal);
    }

    private sealed class ReferenceClient(IReadOnlyList<EvalCase> cases) : IModelClient
    {
        public Task<ModelResult> CompleteAsync(ModelRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(ModelResult.Ok(cases.Single(c => c.CaseId == request.CaseId).Reference));
    }
}
