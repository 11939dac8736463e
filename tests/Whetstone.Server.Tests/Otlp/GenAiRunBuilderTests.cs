using Google.Protobuf;
using Whetstone.Server.Otlp;
using Whetstone.Server.Otlp.Proto;
using Whetstone.Trajectories;

namespace Whetstone.Server.Tests.Otlp;

public sealed class GenAiRunBuilderTests
{
    private static readonly byte[] Trace = Convert.FromHexString("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

    private static SpanView Span(int id, int? parent, string name, params (string Key, string Value)[] attributes)
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(Trace),
            SpanId = ByteString.CopyFrom(Convert.FromHexString(id.ToString("x16", System.Globalization.CultureInfo.InvariantCulture))),
            Name = name,
            StartTimeUnixNano = (ulong)(1_760_000_000_000_000_000 + id * 1000),
        };
        if (parent is { } p)
        {
            span.ParentSpanId = ByteString.CopyFrom(Convert.FromHexString(p.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)));
        }

        foreach (var (k, v) in attributes)
        {
            span.Attributes.Add(new KeyValue { Key = k, Value = new AnyValue { StringValue = v } });
        }

        return new SpanView(span, "svc");
    }

    private static (string, string) Op(string op) => ("gen_ai.operation.name", op);

    [Fact]
    public void Decide_NestedAgents_AreOneRunOfTheOutermost()
    {
        var spans = new[]
        {
            Span(1, null, "request"),
            Span(2, 1, "invoke_agent Planner", Op("invoke_agent")),
            Span(3, 2, "invoke_agent Researcher", Op("invoke_agent")),
            Span(4, 3, "chat m", Op("chat")),
        };

        var decision = GenAiRunBuilder.Decide(spans);

        var run = Assert.Single(decision.Runs);
        Assert.Equal(spans[1].SpanId, run.Root.SpanId);
        Assert.Equal(3, run.Members.Count);
        Assert.True(decision.TraceFinished);
        Assert.Equal(4, decision.Consumed.Count);
    }

    [Fact]
    public void Decide_SiblingAgents_AreTwoRuns()
    {
        var decision = GenAiRunBuilder.Decide(
        [
            Span(2, 1, "invoke_agent A", Op("invoke_agent")),
            Span(3, 1, "invoke_agent B", Op("invoke_agent")),
        ]);

        Assert.Equal(2, decision.Runs.Count);
        Assert.False(decision.TraceFinished);
    }

    [Fact]
    public void Decide_ChildrenWithoutRoot_WaitForIt()
    {
        var decision = GenAiRunBuilder.Decide([Span(4, 1, "chat m", Op("chat"))]);

        Assert.Empty(decision.Runs);
        Assert.Empty(decision.Consumed);
    }

    [Fact]
    public void Build_ToolSpanWithoutChatContent_AddsCallAndResult()
    {
        var root = Span(1, null, "agent run");
        var chat = Span(2, 1, "chat m", Op("chat"),
            ("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"add 2 and 3"}]}]"""),
            ("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"5"}]}]"""));
        var tool = Span(3, 1, "execute_tool add", Op("execute_tool"), ("gen_ai.tool.name", "add"), ("gen_ai.tool.call.id", "c7"),
            ("gen_ai.tool.call.arguments", """{"a":2,"b":3}"""), ("gen_ai.tool.call.result", "5"));

        var (run, problem) = GenAiRunBuilder.Build(new RunSpans(root, [root, chat, tool]));

        Assert.Null(problem);
        Assert.Equal([Role.User, Role.Assistant, Role.Tool, Role.Assistant], run!.Messages.Select(m => m.Role));
        Assert.Equal(3, run.Messages[1].ToolCalls![0].Arguments!.Value.GetProperty("b").GetInt32());
        Assert.Equal("5", run.Messages[2].Content);
        Assert.Equal("5", run.Messages[3].Content);
    }

    [Fact]
    public void Build_ResultOfNoKnownCall_IsLeftOutAndCounted()
    {
        var root = Span(1, null, "chat m", Op("chat"),
            ("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"hi"}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"ghost","response":"x"}]}]"""),
            ("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"hello"}]}]"""));

        var (run, _) = GenAiRunBuilder.Build(new RunSpans(root, [root]));

        Assert.Equal([Role.User, Role.Assistant], run!.Messages.Select(m => m.Role));
        Assert.Equal("1", run.Metadata!["otel_unmatched_tool_results"].GetString());
    }
}
