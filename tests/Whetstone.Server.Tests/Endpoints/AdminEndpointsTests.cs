using System.Net;
using Whetstone.Server.Preparation;

namespace Whetstone.Server.Tests.Endpoints;

/// <summary>Snapshot, export, job and launch through the API: the same Core services as the CLI.</summary>
public sealed class AdminEndpointsTests
{
    internal static async Task SeedAsync(RunningServer server, int runs, string prefix = "s")
    {
        var batch = "{\"trajectories\":[" + string.Join(",", Enumerable.Range(0, runs).Select(i => Http.OpenAiRun($"{prefix}{i}", $"ticket {prefix}{i}"))) + "]}";
        var response = await server.Client().PostAsync("/v1/trajectories", Http.Json(batch), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Snapshot_TooFewRuns_Returns422WithReason()
    {
        await using var server = await RunningServer.StartAsync();
        await SeedAsync(server, 3);

        var response = await server.Client(RunningServer.AdminToken).PostAsync("/v1/snapshots", Http.Json("{}"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("too_few_examples", (await response.JsonAsync()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task SnapshotExportJobLaunch_WholeAdminFlow_Works()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Whetstone:Training:LaunchCommand:0"] = "/bin/sh",
            ["Whetstone:Training:LaunchCommand:1"] = "-c",
            ["Whetstone:Training:LaunchCommand:2"] = "echo training {job}",
        });
        await SeedAsync(server, 30);
        var admin = server.Client(RunningServer.AdminToken);
        var reader = server.Client(RunningServer.ReadToken);
        var ct = TestContext.Current.CancellationToken;

        var taken = await admin.PostAsync("/v1/snapshots", Http.Json("""{"min_examples":10,"seed":7}"""), ct);
        Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        var snapshot = await taken.JsonAsync();
        var id = snapshot.GetProperty("id").GetString()!;
        Assert.Equal(30, snapshot.GetProperty("snapshot").GetProperty("counts").GetProperty("total").GetInt64());
        Assert.Equal("admin", snapshot.GetProperty("snapshot").GetProperty("created_by").GetString());
        Assert.True(snapshot.GetProperty("eval_snapshot").GetBoolean());

        var again = await admin.PostAsync("/v1/snapshots", Http.Json("""{"min_examples":10,"seed":7}"""), ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var list = await (await reader.GetAsync("/v1/snapshots", ct)).JsonAsync();
        Assert.Equal(id, Assert.Single(list.EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/v1/snapshots/{id}", ct)).StatusCode);

        var export = await (await admin.PostAsync($"/v1/snapshots/{id}/exports", Http.Json("""{"format":"hf"}"""), ct)).JsonAsync();
        var train = export.GetProperty("files").GetProperty("train").GetProperty("path").GetString()!;
        Assert.StartsWith(Path.Combine(server.Home, "exports"), train, StringComparison.Ordinal);
        Assert.True(File.Exists(train));

        var prepared = await admin.PostAsync("/v1/jobs", Http.Json("{\"snapshot_id\":\"" + id + "\",\"trainer\":\"trl\",\"base_model\":\"Qwen/Qwen3-0.6B\",\"parameters\":{\"epochs\":\"2\"}}"), ct);
        Assert.Equal(HttpStatusCode.Created, prepared.StatusCode);
        var job = (await prepared.JsonAsync()).GetProperty("id").GetString()!;
        Assert.Equal(job, Assert.Single((await (await reader.GetAsync("/v1/jobs", ct)).JsonAsync()).EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(2, (await (await reader.GetAsync($"/v1/jobs/{job}", ct)).JsonAsync()).GetProperty("hyperparameters").GetProperty("epochs").GetInt32());

        var dry = await (await admin.PostAsync($"/v1/jobs/{job}/launches", Http.Json("""{"dry_run":true}"""), ct)).JsonAsync();
        Assert.Equal("dry_run", dry.GetProperty("status").GetString());
        Assert.Equal(["/bin/sh", "-c", $"echo training {job}"], dry.GetProperty("argv").EnumerateArray().Select(a => a.GetString()));

        var started = await admin.PostAsync($"/v1/jobs/{job}/launches", Http.Json("{}"), ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await server.Get<LaunchRunner>().WhenIdleAsync();
        var launches = await (await reader.GetAsync($"/v1/jobs/{job}/launches", ct)).JsonAsync();
        Assert.Equal(["dry_run", "succeeded"], launches.EnumerateArray().Select(l => l.GetProperty("status").GetString()));
        Assert.Equal(2, (await (await reader.GetAsync("/v1/launches", ct)).JsonAsync()).GetArrayLength());
        Assert.True(File.Exists(Path.Combine(server.Home, "artifacts", "self-training-launch.json")));
    }

    [Fact]
    public async Task Export_UnknownFormat_Returns400()
    {
        await using var server = await RunningServer.StartAsync();

        var response = await server.Client(RunningServer.AdminToken).PostAsync("/v1/snapshots/snap-x/exports", Http.Json("""{"format":"csv"}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Job_BodyOfWrongType_Returns400WithPath()
    {
        await using var server = await RunningServer.StartAsync();

        var response = await server.Client(RunningServer.AdminToken).PostAsync("/v1/jobs", Http.Json("""{"snapshot_id":5}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("malformed_json", problem.GetProperty("reason").GetString());
        Assert.Equal("$.snapshot_id", problem.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Status_ReportsCountsAndServiceCounters()
    {
        await using var server = await RunningServer.StartAsync();
        await SeedAsync(server, 4);

        var status = await (await server.Client(RunningServer.ReadToken).GetAsync("/v1/status", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Equal(4, status.GetProperty("trajectories").GetProperty("total").GetInt64());
        Assert.Equal(4, status.GetProperty("accepted_since_start").GetInt64());
        Assert.False(status.GetProperty("preparation").GetProperty("enabled").GetBoolean());
        Assert.Equal(0, status.GetProperty("traces").GetProperty("pending_spans").GetInt64());
    }
}
