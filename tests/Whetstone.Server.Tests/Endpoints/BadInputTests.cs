using System.Net;
using System.Text;
using System.Text.Json;

namespace Whetstone.Server.Tests.Endpoints;

/// <summary>Each kind of bad input gets a ProblemDetails body naming the item and the JSON path, and nothing of the
/// batch is stored.</summary>
public sealed class BadInputTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Problem, long Stored)> PostAsync(string body, string contentType = "application/json",
        IDictionary<string, string?>? overrides = null)
    {
        await using var server = await RunningServer.StartAsync(overrides);
        var response = await server.Client().PostAsync("/v1/trajectories", new StringContent(body, Encoding.UTF8, contentType), TestContext.Current.CancellationToken);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, await response.JsonAsync(), await server.CountAsync());
    }

    [Fact]
    public async Task Post_MalformedJson_Returns400WithPathAndStoresNothing()
    {
        var (status, problem, stored) = await PostAsync("""{"trajectories":[{"messages":[{"role":"user","content":"hi"}]}, {"messages": [ }]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("malformed_json", problem.GetProperty("reason").GetString());
        Assert.StartsWith("$", problem.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task Post_OneItemOfWrongType_Returns400NamingItemAndPathAndStoresNone()
    {
        var body = $$"""{"trajectories":[{{Http.OpenAiRun("ok-1")}},{"id":"bad-1","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":42}]},{{Http.OpenAiRun("ok-2")}}]}""";

        var (status, problem, stored) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(1, problem.GetProperty("item").GetInt32());
        Assert.Equal("bad-1", problem.GetProperty("id").GetString());
        Assert.Equal("$.messages[1].content", problem.GetProperty("path").GetString());
        Assert.Equal("bad_run", problem.GetProperty("reason").GetString());
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task Post_ItemOfNoKnownFormat_Returns400AtTheItemRoot()
    {
        var (status, problem, stored) = await PostAsync($$"""{"trajectories":[{{Http.OpenAiRun("ok")}},{"prompt":"hello","completion":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(1, problem.GetProperty("item").GetInt32());
        Assert.Equal("$", problem.GetProperty("path").GetString());
        Assert.Contains("no known format", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task Post_TooManyMessages_Returns400AtMessages()
    {
        var (status, problem, stored) = await PostAsync(Http.OpenAiRun("long", extraTurns: 10),
            overrides: new Dictionary<string, string?> { ["Whetstone:Server:MaxMessagesPerRun"] = "12" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(0, problem.GetProperty("item").GetInt32());
        Assert.Equal("$.messages", problem.GetProperty("path").GetString());
        Assert.Contains("MaxMessagesPerRun", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_Returns413()
    {
        var big = "{\"trajectories\":[" + string.Join(",", Enumerable.Range(0, 20).Select(i => Http.OpenAiRun($"big-{i}"))) + "]}";

        var (status, problem, stored) = await PostAsync(big, overrides: new Dictionary<string, string?> { ["Whetstone:Server:MaxRequestBytes"] = "4096" });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("body_too_large", problem.GetProperty("reason").GetString());
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task Post_NdjsonWithBadLine_NamesTheLine()
    {
        var lines = Http.OpenAiRun("l1") + "\n" + "{\"messages\":[{\"role\":\"user\",\"content\":{\"x\":1}}]}\n" + Http.OpenAiRun("l3") + "\n";

        var (status, problem, stored) = await PostAsync(lines, "application/x-ndjson");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(1, problem.GetProperty("item").GetInt32());
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        Assert.Equal("$.messages[0].content", problem.GetProperty("path").GetString());
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task Post_ManyBadItems_ListsThemAll()
    {
        var body = "{\"trajectories\":[" + string.Join(",", Enumerable.Range(0, 3).Select(i => $$"""{"messages":[{"role":"robot{{i}}"}]}""")) + "]}";

        var (_, problem, _) = await PostAsync(body);

        Assert.Equal(3, problem.GetProperty("error_count").GetInt32());
        Assert.Equal([0, 1, 2], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("item").GetInt32()));
        Assert.All(problem.GetProperty("errors").EnumerateArray(), e => Assert.Equal("$.messages[0].role", e.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task Post_TooManyRuns_Returns400()
    {
        var body = "{\"trajectories\":[" + string.Join(",", Enumerable.Range(0, 3).Select(i => Http.OpenAiRun($"m{i}"))) + "]}";

        var (status, problem, stored) = await PostAsync(body, overrides: new Dictionary<string, string?> { ["Whetstone:Server:MaxRunsPerRequest"] = "2" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("too_many_runs", problem.GetProperty("reason").GetString());
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task Post_UnknownFormatName_Returns400()
    {
        await using var server = await RunningServer.StartAsync();
        var response = await server.Client().PostAsync("/v1/trajectories?format=yaml", Http.Json(Http.OpenAiRun("x")), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unknown format", (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_XmlBody_Returns415()
    {
        var (status, problem, _) = await PostAsync("<run/>", "application/xml");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal(415, problem.GetProperty("status").GetInt32());
    }
}
