using System.ComponentModel;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Whetstone.Capture.Chat;
using Whetstone.Server.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Capture.Tests.Chat;

/// <summary>A model that calls <c>get_weather</c> once, then answers.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    public int Calls { get; private set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        var answered = messages.Any(m => m.Contents.OfType<FunctionResultContent>().Any());
        var message = answered
            ? new ChatMessage(ChatRole.Assistant, "It is 21 °C in Paris.")
            : new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_w1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]);
        return Task.FromResult(new ChatResponse(message) { ModelId = "scripted-1" });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted-provider", null, "scripted-1") : null;

    public void Dispose()
    {
    }
}

public sealed class WhetstoneCaptureChatClientTests
{
    [Description("Gets the weather of a city")]
    private static string GetWeather(string city) => $"{city}: 21 °C, sunny";

    private static WhetstoneCaptureClient Capture(RunningServer server) => new(new WhetstoneCaptureOptions
    {
        Endpoint = server.BaseAddress,
        Token = RunningServer.CaptureToken,
        BatchDelay = TimeSpan.Zero,
        AgentId = "weather-bot",
    });

    private static IChatClient Chat(ScriptedChatClient model, bool captureOutside, WhetstoneCaptureClient? unscoped = null) =>
        captureOutside
            ? new ChatClientBuilder(model).UseWhetstoneCapture(unscoped, unscoped is not null).UseFunctionInvocation().Build()
            : new ChatClientBuilder(model).UseFunctionInvocation().UseWhetstoneCapture(unscoped, unscoped is not null).Build();

    private static readonly ChatOptions WithTool = new() { Tools = [AIFunctionFactory.Create(GetWeather, "get_weather")] };

    [Theory(Timeout = 60_000)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task FinishedRun_RecordsMessagesToolCallsAndOutcome(bool captureOutsideFunctionInvocation, bool streaming)
    {
        await using var server = await RunningServer.StartAsync();
        await using var capture = Capture(server);
        var model = new ScriptedChatClient();
        using var chat = Chat(model, captureOutsideFunctionInvocation);
        List<ChatMessage> history = [new(ChatRole.System, "You report the weather."), new(ChatRole.User, "Weather in Paris? I'm lee@example.com")];

        string id;
        using (var run = capture.BeginRun(sessionId: "s-1"))
        {
            id = run.Id;
            if (streaming)
            {
                await foreach (var _ in chat.GetStreamingResponseAsync(history, WithTool, TestContext.Current.CancellationToken))
                {
                }
            }
            else
            {
                await chat.GetResponseAsync(history, WithTool, TestContext.Current.CancellationToken);
            }

            Assert.True(run.Finish(RunOutcome.Completed(reward: 0.9)));
        }

        Assert.True(await capture.FlushAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, model.Calls);
        var stored = await server.Services.Store.Trajectories.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.NotNull(stored);
        var t = stored.Trajectory;
        Assert.Equal([Role.System, Role.User, Role.Assistant, Role.Tool, Role.Assistant], t.Messages.Select(m => m.Role));
        Assert.DoesNotContain("lee@example.com", t.Messages[1].Content, StringComparison.Ordinal);
        var call = Assert.Single(t.Messages[2].ToolCalls!);
        Assert.Equal(("call_w1", "get_weather", "Paris"), (call.Id, call.Name, call.Arguments!.Value.GetProperty("city").GetString()));
        Assert.Equal("call_w1", t.Messages[3].ToolCallId);
        Assert.Equal("get_weather", t.Messages[3].Name);
        Assert.Contains("21 °C", t.Messages[3].Content, StringComparison.Ordinal);
        Assert.Equal("It is 21 °C in Paris.", t.Messages[4].Content);
        Assert.Equal(OutcomeStatus.Completed, t.Outcome.Status);
        Assert.Equal(0.9, t.Outcome.Reward);
        Assert.Equal("weather-bot", t.AgentId);
        Assert.Equal(new ModelInfo { Provider = "scripted-provider", Name = "scripted-1" }, t.Model);
        Assert.Equal("object", Assert.Single(t.Tools).Parameters!.Value.GetProperty("type").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task CallsOutsideARun_AreNotRecordedUnlessAsked()
    {
        await using var server = await RunningServer.StartAsync();
        await using var capture = Capture(server);
        using var plain = Chat(new ScriptedChatClient(), captureOutside: true);
        using var recording = Chat(new ScriptedChatClient(), captureOutside: true, unscoped: capture);

        await plain.GetResponseAsync("Weather in Oslo?", WithTool, TestContext.Current.CancellationToken);
        Assert.True(await capture.FlushAsync(TestContext.Current.CancellationToken));
        var before = await server.CountAsync();
        await recording.GetResponseAsync("Weather in Rome?", WithTool, TestContext.Current.CancellationToken);
        Assert.True(await capture.FlushAsync(TestContext.Current.CancellationToken));

        Assert.Equal(0, before);
        Assert.Equal(1, await server.CountAsync());
        Assert.Null(CaptureRun.Current);
    }

    [Fact(Timeout = 60_000)]
    public async Task TwoTurnsOfOneConversation_AreOneTranscriptWithoutRepeats()
    {
        await using var server = await RunningServer.StartAsync();
        await using var capture = Capture(server);
        using var chat = Chat(new ScriptedChatClient(), captureOutside: false);
        List<ChatMessage> history = [new(ChatRole.User, "Weather in Paris?")];

        string id;
        using (var run = capture.BeginRun())
        {
            id = run.Id;
            var first = await chat.GetResponseAsync(history, WithTool, TestContext.Current.CancellationToken);
            history.AddRange(first.Messages);
            history.Add(new ChatMessage(ChatRole.User, "Thanks! And tomorrow?"));
            await chat.GetResponseAsync(history, WithTool, TestContext.Current.CancellationToken);
            run.Finish(RunOutcome.Completed());
        }

        Assert.True(await capture.FlushAsync(TestContext.Current.CancellationToken));
        var t = (await server.Services.Store.Trajectories.GetAsync(id, TestContext.Current.CancellationToken))!.Trajectory;
        Assert.Equal(1, t.Messages.Count(m => m.Content == "Weather in Paris?"));
        Assert.Equal(1, t.Messages.Count(m => m.Content == "Thanks! And tomorrow?"));
        Assert.Equal(Role.Assistant, t.Messages[^1].Role);
    }

    [Fact(Timeout = 60_000)]
    public async Task DisposedWithoutFinish_IsSubmittedWithUnknownOutcome()
    {
        await using var server = await RunningServer.StartAsync();
        await using var capture = Capture(server);
        using var chat = Chat(new ScriptedChatClient(), captureOutside: true);

        string id;
        using (var run = capture.BeginRun(task: "weather"))
        {
            id = run.Id;
            await chat.GetResponseAsync("Weather in Lima?", WithTool, TestContext.Current.CancellationToken);
        }

        Assert.True(await capture.FlushAsync(TestContext.Current.CancellationToken));
        var t = (await server.Services.Store.Trajectories.GetAsync(id, TestContext.Current.CancellationToken))!.Trajectory;
        Assert.Equal(OutcomeStatus.Unknown, t.Outcome.Status);
        Assert.Equal("weather", t.Task);
    }
}
