using System.Net;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Server.Tests.Endpoints;

/// <summary>Candidates, live, evaluation, promotion, rollback and audit through the API: the same Core services and
/// refusals as the CLI; only an admin token changes what is live.</summary>
public sealed class RegistryEndpointsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string AgentConfig = """
        {
          "llm": {
            "provider": "none",
            "model": "llama-2-7b-lora"
          }
        }

        """;

    [Fact]
    public async Task EvaluatePromoteRollback_WholeFlowOverHttp_MovesLiveAndRewritesTheConfig()
    {
        var config = _dir.Write("agent.json", AgentConfig);
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Whetstone:LiveConfig:Path"] = config });
        var ct = TestContext.Current.CancellationToken;
        await server.Services.Ingest.IngestAsync(TrajectoryFileReader.Read(File.OpenRead(TestPaths.FireAct), "fireact.jsonl"), cancellationToken: ct);
        var admin = server.Client(RunningServer.AdminToken);
        var reader = server.Client(RunningServer.ReadToken);
        var capture = server.Client(RunningServer.CaptureToken);

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/v1/snapshots", Http.Json("""{"eval_fraction":0.3}"""), ct)).StatusCode);
        var live = await (await admin.PostAsync("/v1/live", Http.Json("""{"model":"llama-2-7b-lora","client":"none"}"""), ct)).JsonAsync();
        var registered = await admin.PostAsync("/v1/candidates", Http.Json("""{"model":"gpt-3.5-turbo-0613-ft","client":"none","notes":"from ops@example.com"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var candidate = (await registered.JsonAsync()).GetProperty("id").GetString()!;
        Assert.DoesNotContain("ops@example.com", await (await reader.GetAsync($"/v1/candidates/{candidate}", ct)).Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.PostAsync("/v1/promotions/requests", Http.Json($$"""{"candidate":"{{candidate}}"}"""), ct)).StatusCode);
        var evaluated = await admin.PostAsync("/v1/evaluations", Http.Json($$"""{"candidate":"{{candidate}}"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, evaluated.StatusCode);
        var report = await evaluated.JsonAsync();
        Assert.Equal("shadow", report.GetProperty("mode").GetString());
        Assert.True(report.GetProperty("decision").GetProperty("passed").GetBoolean());
        var html = await reader.GetAsync($"/v1/evaluations/{report.GetProperty("id").GetString()}/html", ct);
        Assert.Contains("<svg", await html.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        var listed = (await (await reader.GetAsync("/v1/evaluations", ct)).JsonAsync()).EnumerateArray().Single();
        var reasons = listed.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Contains(reasons, r => r.StartsWith("ok min_cases: ", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, r => r.Contains("GateReason", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Forbidden, (await capture.PostAsync("/v1/promotions/requests", Http.Json($$"""{"candidate":"{{candidate}}"}"""), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/v1/promotions/requests", Http.Json($$"""{"candidate":"{{candidate}}"}"""), ct)).StatusCode);
        var request = await (await admin.PostAsync("/v1/promotions/requests", Http.Json($$"""{"candidate":"{{candidate}}"}"""), ct)).JsonAsync();
        var requestId = request.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, (await capture.PostAsync($"/v1/promotions/requests/{requestId}/approve", Http.Json("{}"), ct)).StatusCode);
        var dry = await (await admin.PostAsync($"/v1/promotions/requests/{requestId}/approve", Http.Json("""{"dry_run":true}"""), ct)).JsonAsync();
        Assert.True(dry.GetProperty("dry_run").GetBoolean());
        Assert.Equal(AgentConfig, File.ReadAllText(config));

        var approved = await admin.PostAsync($"/v1/promotions/requests/{requestId}/approve", Http.Json("{}"), ct);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Contains("\"gpt-3.5-turbo-0613-ft\"", File.ReadAllText(config), StringComparison.Ordinal);
        var state = await (await reader.GetAsync("/v1/promotions", ct)).JsonAsync();
        Assert.Equal(candidate, state.GetProperty("live").GetString());
        Assert.Equal(live.GetProperty("id").GetString(), state.GetProperty("previous").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/v1/rollback", Http.Json("{}"), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/v1/rollback", Http.Json("{}"), ct)).StatusCode);
        Assert.Equal(AgentConfig, File.ReadAllText(config));

        var verify = await (await reader.GetAsync("/v1/audit/verify", ct)).JsonAsync();
        Assert.True(verify.GetProperty("ok").GetBoolean());
        var audit = await (await reader.GetAsync("/v1/audit", ct)).Content.ReadAsStringAsync(ct);
        Assert.Contains("\"promoted\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"rolled_back\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"actor\":\"admin\"", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_WithoutEvaluation_Is422WithReason()
    {
        await using var server = await RunningServer.StartAsync();
        var admin = server.Client(RunningServer.AdminToken);
        var ct = TestContext.Current.CancellationToken;
        await admin.PostAsync("/v1/live", Http.Json("""{"model":"a","client":"none"}"""), ct);
        var candidate = (await (await admin.PostAsync("/v1/candidates", Http.Json("""{"model":"b","client":"none"}"""), ct)).JsonAsync()).GetProperty("id").GetString();

        var response = await admin.PostAsync("/v1/promotions/requests", Http.Json($$"""{"candidate":"{{candidate}}"}"""), ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("no_evaluation", (await response.JsonAsync()).GetProperty("reason").GetString());
    }
}
