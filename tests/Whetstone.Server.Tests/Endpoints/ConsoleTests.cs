using Whetstone.Datasets;
using Whetstone.Evaluation;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Server.Tests.Endpoints;

/// <summary>The read-only console in a real headless Chromium against the real server on loopback.</summary>
public sealed class ConsoleTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>FireAct runs, a snapshot, the weakest model live, the strongest evaluated and promoted.</summary>
    private static async Task<string> PromotedAsync(RunningServer server)
    {
        var ct = TestContext.Current.CancellationToken;
        var s = server.Services;
        await s.Ingest.IngestAsync(TrajectoryFileReader.Read(File.OpenRead(TestPaths.FireAct), "fireact.jsonl"), cancellationToken: ct);
        var snapshot = await s.Snapshots.TakeAsync(new SnapshotRequest { EvalFraction = 0.3, Actor = "admin" }, ct);
        await s.Jobs.PrepareAsync(new Training.JobRequest { SnapshotId = snapshot.Snapshot.Id, Trainer = "trl", BaseModel = "Qwen/Qwen3-0.6B", Actor = "admin" }, ct);
        await s.Registry.InitializeLiveAsync("llama-2-7b-lora", "none", "admin", ct);
        var (candidate, _) = await s.Registry.RegisterAsync(new Registry.RegistrationRequest { Model = "gpt-3.5-turbo-0613-ft", Client = "none", Actor = "admin" }, ct);
        await s.Evaluation.RunAsync(new EvaluationRequest { CandidateId = candidate.Id, Actor = "admin" }, ct);
        var request = await s.Promotion.RequestAsync(candidate.Id, "admin", ct, actorVerifiedAdmin: true);
        await s.Promotion.ApproveAsync(request.Id, "admin", dryRun: false, ct, actorVerifiedAdmin: true);
        return candidate.Id;
    }

    [Fact]
    public async Task Console_WithReadToken_ShowsLiveModelHistoryAndVerifiedAudit()
    {
        await using var server = await RunningServer.StartAsync();
        var candidate = await PromotedAsync(server);
        var url = new Uri(server.BaseAddress, "/console").AbsoluteUri + "#token=" + RunningServer.ReadToken;

        var (dom, _) = await Chromium.RunAsync(_dir.Path, "--virtual-time-budget=15000", "--dump-dom", url);

        Assert.Contains("gpt-3.5-turbo-0613-ft", dom, StringComparison.Ordinal);
        Assert.Contains("live candidate " + candidate, dom, StringComparison.Ordinal);
        Assert.Contains("chain verified", dom, StringComparison.Ordinal);
        Assert.Contains("prom-1", dom, StringComparison.Ordinal);
        Assert.Contains("passed eval-", dom, StringComparison.Ordinal);
        Assert.DoesNotContain(RunningServer.ReadToken, dom, StringComparison.Ordinal);
        // The whole page rendered: no script error, every section shown, the snapshot row has its counts.
        Assert.Matches("<main id=\"main\">", dom);
        Assert.Matches("<p class=\"muted\" id=\"error\"></p>", dom);
        Assert.Matches(@"<td class=""mono"">snap-[0-9a-f]{16}</td><td>\d+</td><td>\d+</td>", dom);
        Assert.Contains("job-", dom, StringComparison.Ordinal);
        Assert.Contains("ok primary_ci_lower_bound: success_rate: difference", dom, StringComparison.Ordinal);
        // The report that let the live candidate in opens by itself, in a sandboxed frame (no script runs in it).
        Assert.Matches("<iframe sandbox=\"\" srcdoc=\"[^\"]*&lt;svg", dom);
    }

    [Fact]
    public async Task Console_WithCaptureToken_ShowsTheTokenFormAgain()
    {
        await using var server = await RunningServer.StartAsync();
        var url = new Uri(server.BaseAddress, "/console").AbsoluteUri + "#token=" + RunningServer.CaptureToken;

        var (dom, _) = await Chromium.RunAsync(_dir.Path, "--virtual-time-budget=10000", "--dump-dom", url);

        Assert.Contains("403", dom, StringComparison.Ordinal);
        Assert.Matches("<section id=\"login\">", dom);
        Assert.Matches("<main id=\"main\" hidden", dom);
    }

    [Fact]
    public async Task Console_Page_IsServedWithoutDataAndWithAStrictPolicy()
    {
        await using var server = await RunningServer.StartAsync();

        var response = await new HttpClient { BaseAddress = server.BaseAddress }.GetAsync("/console", TestContext.Current.CancellationToken);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("http://", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
