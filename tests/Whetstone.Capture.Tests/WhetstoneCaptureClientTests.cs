using Whetstone.Server.Tests;

namespace Whetstone.Capture.Tests;

public sealed class WhetstoneCaptureClientTests
{
    internal static CapturedRun Run(string id, string? role = null) => new()
    {
        Id = id,
        AgentId = "test-agent",
        Messages =
        {
            new CapturedMessage { Role = role ?? "user", Content = "What is 2+2?" },
            new CapturedMessage { Role = "assistant", Content = "4" },
        },
        Outcome = RunOutcome.Completed(reward: 1),
    };

    private static WhetstoneCaptureOptions Options(RunningServer? server, int capacity = 1000, Action<WhetstoneCaptureOptions>? change = null)
    {
        var options = Defaults(server, capacity);
        change?.Invoke(options);
        return options;
    }

    private static WhetstoneCaptureOptions Defaults(RunningServer? server, int capacity) => new()
    {
        Endpoint = server?.BaseAddress ?? new Uri("http://127.0.0.1:9"),
        Token = RunningServer.CaptureToken,
        QueueCapacity = capacity,
        MaxBatchSize = 10,
        BatchDelay = TimeSpan.Zero,
        RetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(20),
        DisposeTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact(Timeout = 60_000)]
    public async Task Submit_ServerFailsThenRecovers_EveryRunArrivesOnce()
    {
        await using var server = await RunningServer.StartAsync();
        using var flaky = new FlakyHandler(failures: 6);
        await using var client = new WhetstoneCaptureClient(Options(server), flaky);

        for (var i = 0; i < 35; i++)
        {
            Assert.True(client.Submit(Run($"cap-{i}")));
        }

        Assert.True(await client.FlushAsync(TestContext.Current.CancellationToken));
        var counters = client.Counters;
        Assert.Equal(35, counters.Sent);
        Assert.Equal(0, counters.Dropped + counters.Rejected + counters.Pending);
        Assert.True(counters.Retries >= 6);
        Assert.Equal(35, await server.CountAsync());
        Assert.Equal(35, flaky.SentIds.Distinct().Count());
    }

    [Fact]
    public async Task Submit_QueueFullWhileServerDown_DropsAndCountsWithoutBlocking()
    {
        using var down = new DownHandler();
        var client = new WhetstoneCaptureClient(Options(null, capacity: 5, change: o => o.DisposeTimeout = TimeSpan.Zero), down);

        var accepted = Enumerable.Range(0, 30).Count(i => client.Submit(Run($"drop-{i}")));
        var counters = client.Counters;
        await client.DisposeAsync();

        Assert.InRange(accepted, 5, 15);
        Assert.Equal(30 - accepted, counters.Dropped);
        Assert.Equal(accepted, counters.Submitted);
        Assert.Equal(0, client.Counters.Sent);
        Assert.Equal(accepted, client.Counters.Abandoned);
        Assert.False(client.Submit(Run("after-dispose")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Submit_OneBadRunInABatch_LosesOnlyThatRun()
    {
        await using var server = await RunningServer.StartAsync();
        await using var client = new WhetstoneCaptureClient(Options(server, change: o => o.BatchDelay = TimeSpan.FromMilliseconds(200)));

        for (var i = 0; i < 8; i++)
        {
            client.Submit(Run($"mixed-{i}", role: i == 5 ? "robot" : null));
        }

        Assert.True(await client.FlushAsync(TestContext.Current.CancellationToken));
        Assert.Equal(7, client.Counters.Sent);
        Assert.Equal(1, client.Counters.Rejected);
        Assert.Equal("HTTP 400", client.Counters.LastError);
        Assert.Equal(7, await server.CountAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Submit_WrongToken_IsRejectedNotRetriedForever()
    {
        await using var server = await RunningServer.StartAsync();
        await using var client = new WhetstoneCaptureClient(Options(server, change: o => o.Token = "not-the-token-0123456789"));

        client.Submit(Run("unauthorized"));

        Assert.True(await client.FlushAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, client.Counters.Rejected);
        Assert.Equal("HTTP 401", client.Counters.LastError);
    }

    [Fact]
    public async Task Flush_Cancelled_ReturnsFalseInsteadOfThrowing()
    {
        using var down = new DownHandler();
        await using var client = new WhetstoneCaptureClient(Options(null, change: o => o.DisposeTimeout = TimeSpan.Zero), down);
        client.Submit(Run("never"));
        using var cancel = new CancellationTokenSource();
        var flush = client.FlushAsync(cancel.Token);
        await down.FirstAttempt.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await cancel.CancelAsync();

        var flushed = await flush;

        Assert.False(flushed);
        Assert.True(down.Attempts >= 1);
    }

    [Fact]
    public async Task Submit_Null_IsCountedAsDroppedNotThrown()
    {
        await using var client = new WhetstoneCaptureClient(Options(null, change: o => o.DisposeTimeout = TimeSpan.Zero), new DownHandler());

        Assert.False(client.Submit(null!));
        Assert.Equal(1, client.Counters.Dropped);
    }

    [Fact]
    public void Run_WritesCanonicalJson()
    {
        var run = Run("json-1");
        run.Messages.Add(new CapturedMessage
        {
            Role = "assistant",
            ToolCalls = [new CapturedToolCall { Id = "c1", Name = "calc", Arguments = System.Text.Json.JsonDocument.Parse("{\"x\":1}").RootElement }],
        });
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            run.WriteTo(w);
        }

        using var doc = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("schema_version").GetInt32());
        Assert.Equal("What is 2+2?", root.GetProperty("task").GetString());
        Assert.Equal("completed", root.GetProperty("outcome").GetProperty("status").GetString());
        Assert.Equal(1, root.GetProperty("messages")[2].GetProperty("tool_calls")[0].GetProperty("arguments").GetProperty("x").GetInt32());
    }
}
