using System.Net;
using System.Text.Json;

namespace Whetstone.Server.Tests.Endpoints;

public sealed class TrajectoryEndpointsTests
{
    [Fact]
    public async Task Post_OneOpenAiRun_Returns202AfterStoringItRedacted()
    {
        await using var server = await RunningServer.StartAsync();
        var response = await server.Client().PostAsync("/v1/trajectories", Http.Json(Http.OpenAiRun("run-1", "jane.doe@example.com")), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(["run-1"], body.GetProperty("ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, body.GetProperty("inserted").GetInt32());
        var stored = await server.Services.Store.Trajectories.GetAsync("run-1", TestContext.Current.CancellationToken);
        Assert.NotNull(stored);
        Assert.DoesNotContain("jane.doe@example.com", JsonSerializer.Serialize(stored.Trajectory, WhetstoneJson.Compact.Trajectory), StringComparison.Ordinal);
        Assert.Equal(5, stored.Trajectory.Messages.Count);
    }

    [Fact]
    public async Task Post_BatchObject_StoresEveryRunInOneCall()
    {
        await using var server = await RunningServer.StartAsync();
        var batch = $$"""{"trajectories":[{{Http.OpenAiRun("a")}},{{Http.OpenAiRun("b")}},{{Http.OpenAiRun("c")}}]}""";

        var response = await server.Client().PostAsync("/v1/trajectories", Http.Json(batch), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, await server.CountAsync());
    }

    [Fact]
    public async Task Post_Ndjson_StoresOneRunPerLine()
    {
        await using var server = await RunningServer.StartAsync();
        var lines = Http.OpenAiRun("n1") + "\n\n" + Http.OpenAiRun("n2") + "\n";

        var response = await server.Client().PostAsync("/v1/trajectories", Http.Ndjson(lines), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, await server.CountAsync());
    }

    [Fact]
    public async Task Post_CanonicalRun_IsDetectedAndStoredAsGiven()
    {
        await using var server = await RunningServer.StartAsync();
        var canonical = WhetstoneJson.Serialize(Whetstone.Tests.Some.FullTrajectory("canon-1") with { Metadata = null });

        var response = await server.Client().PostAsync("/v1/trajectories", Http.Json(canonical), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = await server.Services.Store.Trajectories.GetAsync("canon-1", TestContext.Current.CancellationToken);
        Assert.Equal("lookup_order", stored!.Trajectory.Messages[2].ToolCalls![0].Name);
        Assert.Equal(0.9, stored.Trajectory.Outcome.Reward);
    }

    [Fact]
    public async Task Post_FormatQuery_ForcesTheReader()
    {
        await using var server = await RunningServer.StartAsync();
        const string react = """{"id":"r1","text":"Question: what is 2+2?\nThought: add them\nAction: finish[4]"}""";

        var forced = await server.Client().PostAsync("/v1/trajectories?format=openai", Http.Json(react), TestContext.Current.CancellationToken);
        var detected = await server.Client().PostAsync("/v1/trajectories?format=react", Http.Json(react), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, forced.StatusCode);
        Assert.Equal("$.messages", (await forced.JsonAsync()).GetProperty("path").GetString());
        Assert.Equal(HttpStatusCode.Accepted, detected.StatusCode);
    }

    [Fact]
    public async Task Post_SameRunsAgain_IsIdempotentAndNamesTheDuplicates()
    {
        await using var server = await RunningServer.StartAsync();
        var batch = $$"""{"trajectories":[{{Http.OpenAiRun("d1")}},{{Http.OpenAiRun("d2")}}]}""";
        await server.Client().PostAsync("/v1/trajectories", Http.Json(batch), TestContext.Current.CancellationToken);

        var again = await server.Client().PostAsync("/v1/trajectories", Http.Json(batch), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var body = await again.JsonAsync();
        Assert.Equal(0, body.GetProperty("inserted").GetInt32());
        Assert.Equal(["d1", "d2"], body.GetProperty("duplicates").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, await server.CountAsync());
    }

    [Fact]
    public async Task Post_RunWithoutId_GetsTheContentHashIdBothTimes()
    {
        await using var server = await RunningServer.StartAsync();
        const string run = """{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}""";

        var first = await (await server.Client().PostAsync("/v1/trajectories", Http.Json(run), TestContext.Current.CancellationToken)).JsonAsync();
        var second = await (await server.Client().PostAsync("/v1/trajectories", Http.Json(run), TestContext.Current.CancellationToken)).JsonAsync();

        var id = first.GetProperty("ids")[0].GetString()!;
        Assert.StartsWith("t-", id, StringComparison.Ordinal);
        Assert.Equal(id, second.GetProperty("ids")[0].GetString());
        Assert.Equal(1, await server.CountAsync());
    }

    [Fact]
    public async Task List_PagesInInsertionOrderWithACursor()
    {
        await using var server = await RunningServer.StartAsync();
        var batch = "{\"trajectories\":[" + string.Join(",", Enumerable.Range(0, 5).Select(i => Http.OpenAiRun($"p{i}"))) + "]}";
        await server.Client().PostAsync("/v1/trajectories", Http.Json(batch), TestContext.Current.CancellationToken);
        var reader = server.Client(RunningServer.ReadToken);

        var page1 = await (await reader.GetAsync("/v1/trajectories?limit=3", TestContext.Current.CancellationToken)).JsonAsync();
        var next = page1.GetProperty("next_after").GetInt64();
        var page2 = await (await reader.GetAsync($"/v1/trajectories?limit=3&after={next}", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Equal(["p0", "p1", "p2"], page1.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(["p3", "p4"], page2.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.False(page2.TryGetProperty("next_after", out _));
        Assert.True(page1.GetProperty("items")[0].GetProperty("accepted").GetBoolean());
    }

    [Fact]
    public async Task Get_StoredRun_ReturnsTrajectoryVerdictAndRedaction()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Client().PostAsync("/v1/trajectories", Http.Json(Http.OpenAiRun("g1", "x.y@example.org")), TestContext.Current.CancellationToken);

        var body = await (await server.Client(RunningServer.ReadToken).GetAsync("/v1/trajectories/g1", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Equal("g1", body.GetProperty("trajectory").GetProperty("id").GetString());
        Assert.True(body.GetProperty("verdict").TryGetProperty("accepted", out _));
        Assert.True(body.GetProperty("redaction").GetProperty("total").GetInt32() >= 1);
    }

    [Fact]
    public async Task Get_UnknownRun_Returns404Problem()
    {
        await using var server = await RunningServer.StartAsync();

        var response = await server.Client(RunningServer.ReadToken).GetAsync("/v1/trajectories/nope", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("not_found", (await response.JsonAsync()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Feedback_LaterRewardAndComment_AreStoredRedactedAndRescored()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Client().PostAsync("/v1/trajectories", Http.Json(Http.OpenAiRun("f1")), TestContext.Current.CancellationToken);

        var response = await server.Client().PostAsync("/v1/trajectories/f1/feedback",
            Http.Json("""{"reward":0.75,"goals_met":true,"feedback":{"rating":"positive","comment":"great, write to me at pat@example.net"}}"""),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await server.Services.Store.Trajectories.GetAsync("f1", TestContext.Current.CancellationToken);
        Assert.Equal(0.75, stored!.Trajectory.Outcome.Reward);
        Assert.True(stored.Trajectory.Outcome.GoalsMet);
        Assert.Equal(Whetstone.Trajectories.OutcomeStatus.Completed, stored.Trajectory.Outcome.Status);
        var comment = Assert.Single(stored.Trajectory.Outcome.Feedback).Comment!;
        Assert.DoesNotContain("pat@example.net", comment, StringComparison.Ordinal);
        Assert.NotNull(stored.Verdict.ScoredAt);

        // The run already used <EMAIL_1> for nobody@example.com: the feedback's other address must not reuse it.
        Assert.Contains("<EMAIL_1>", stored.Trajectory.Messages[1].Content, StringComparison.Ordinal);
        Assert.Contains("<EMAIL_2>", comment, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_RewardOutOfRange_Returns400NamingThePath()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Client().PostAsync("/v1/trajectories", Http.Json(Http.OpenAiRun("f2")), TestContext.Current.CancellationToken);

        var response = await server.Client().PostAsync("/v1/trajectories/f2/feedback", Http.Json("""{"outcome":{"reward":7}}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("$.outcome.reward", (await response.JsonAsync()).GetProperty("path").GetString());
    }

    [Fact]
    public async Task Feedback_UnknownRun_Returns404()
    {
        await using var server = await RunningServer.StartAsync();

        var response = await server.Client().PostAsync("/v1/trajectories/missing/feedback", Http.Json("""{"reward":1}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/jsonl")]
    public async Task Post_OtherUsualContentTypes_AreAccepted(string? contentType)
    {
        await using var server = await RunningServer.StartAsync();
        using var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(Http.OpenAiRun("ct-1")));
        if (contentType is not null)
        {
            content.Headers.ContentType = new(contentType);
        }

        var response = await server.Client().PostAsync("/v1/trajectories", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, await server.CountAsync());
    }
}
