using System.ClientModel;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Server.Tests.Otlp;

/// <summary>Protobuf payloads made by the real OpenTelemetry .NET OTLP exporter from a Microsoft.Extensions.AI chat
/// client with <c>UseOpenTelemetry()</c> (sensitive data on) and function invocation, talking to a loopback
/// OpenAI-compatible server.</summary>
public sealed class OtlpExporterTests
{
    [Description("Gets the weather of a city")]
    private static string GetWeather([Description("The city")] string city) => $"{{\"city\":\"{city}\",\"sky\":\"sunny\",\"celsius\":21}}";

    private static async Task<StoredTrajectory> RunAgentAsync(RunningServer server, bool simpleProcessor, bool agentSpan)
    {
        await using var model = await FakeOpenAiServer.StartAsync();
        var sourceName = "whetstone-test-" + Guid.NewGuid().ToString("N");
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("weather-agent"))
            .AddSource(sourceName)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(server.BaseAddress, "/v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Headers = "Authorization=Bearer " + RunningServer.CaptureToken;
                o.ExportProcessorType = simpleProcessor ? ExportProcessorType.Simple : ExportProcessorType.Batch;
            })
            .Build();
        var openai = new OpenAIClient(new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = model.Endpoint });
        using IChatClient chat = new ChatClientBuilder(openai.GetChatClient("fake-model-1").AsIChatClient())
            .UseFunctionInvocation()
            .UseOpenTelemetry(sourceName: sourceName, configure: c => c.EnableSensitiveData = true)
            .Build();
        using var agentSource = new ActivitySource(sourceName);
        string traceId;
        using (var agent = agentSpan ? agentSource.StartActivity("invoke_agent weather-agent") : null)
        {
            agent?.SetTag("gen_ai.operation.name", "invoke_agent");
            agent?.SetTag("gen_ai.agent.name", "weather-agent");
            var response = await chat.GetResponseAsync(
                [new ChatMessage(ChatRole.System, "You answer weather questions."), new ChatMessage(ChatRole.User, "What is the weather in Paris? I am ann@example.com")],
                new ChatOptions { Tools = [AIFunctionFactory.Create(GetWeather, "get_weather")] },
                TestContext.Current.CancellationToken);
            Assert.Contains("sunny", response.Text, StringComparison.Ordinal);
            traceId = Activity.Current?.TraceId.ToString() ?? agent?.TraceId.ToString() ?? "";
        }

        Assert.True(tracing.ForceFlush(10_000));
        Assert.Equal(2, model.Calls);
        StoredTrajectory? stored = null;
        await foreach (var t in server.Services.Store.Trajectories.StreamAsync(cancellationToken: TestContext.Current.CancellationToken))
        {
            stored = stored is null ? t : throw new InvalidOperationException("more than one run stored: " + t.Id);
        }

        return stored ?? throw new InvalidOperationException("no run stored; OTLP counters: " + server.Get<Whetstone.Server.Otlp.TraceIngestor>().Counters());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Export_ChatWithToolCall_BecomesOneRedactedRun(bool simpleProcessor, bool agentSpan)
    {
        await using var server = await RunningServer.StartAsync();

        var stored = await RunAgentAsync(server, simpleProcessor, agentSpan);

        var t = stored.Trajectory;
        var dump = JsonSerializer.Serialize(t, WhetstoneJson.Indented.Trajectory);
        Assert.StartsWith("otel-", t.Id, StringComparison.Ordinal);
        Assert.Equal("otlp", t.Source);
        Assert.Equal("fake-model-1", t.Model?.Name);
        Assert.Equal([Role.System, Role.User, Role.Assistant, Role.Tool, Role.Assistant], t.Messages.Select(m => m.Role));
        Assert.Contains("weather in Paris", t.Messages[1].Content, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@example.com", dump, StringComparison.Ordinal);
        var call = Assert.Single(t.Messages[2].ToolCalls!);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("call_weather_1", call.Id);
        Assert.Equal("Paris", call.Arguments!.Value.GetProperty("city").GetString());
        Assert.Equal("call_weather_1", t.Messages[3].ToolCallId);
        Assert.Contains("sunny", t.Messages[3].Content, StringComparison.Ordinal);
        Assert.Contains("sunny in Paris", t.Messages[4].Content, StringComparison.Ordinal);
        Assert.Contains(t.Tools, tool => tool.Name == "get_weather");
        Assert.Equal("weather-agent", t.AgentId);
    }
}
