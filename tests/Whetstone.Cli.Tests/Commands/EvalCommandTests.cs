using System.Collections;
using System.Text.Json;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

public sealed class EvalCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Hashtable _env = new() { ["Whetstone__Admins__0"] = "ana", ["WHETSTONE_NO_EMBEDDINGS"] = "1" };

    private string Home => _dir.File("home");

    public void Dispose() => _dir.Dispose();

    private Task<CliRunner.Result> Run(params string[] args) => CliRunner.RunWithEnvAsync(_env, [.. args, "--home", Home]);

    private async Task<string> IdOf(params string[] args)
    {
        var r = await Run([.. args, "--json"]);
        Assert.True(r.Code == 0, r.Error);
        using var doc = JsonDocument.Parse(r.Out);
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>The whole FireAct sample (three models on the same questions), a snapshot, and the weakest model live.</summary>
    private async Task<(string Live, string Candidate)> FireActHomeAsync()
    {
        Assert.Equal(0, (await Run("ingest", TestPaths.FireAct)).Code);
        // A 30% eval split: only tasks with an accepted run enter a snapshot, and the gate needs 50 paired tasks.
        await IdOf("dataset", "snapshot", "--eval-fraction", "0.3");
        var live = await IdOf("live", "init", "--model", "llama-2-7b-lora", "--client", "none", "--as", "ana");
        var candidate = await IdOf("candidates", "register", "--model", "gpt-3.5-turbo-0613-ft", "--client", "none", "--as", "ana");
        return (live, candidate);
    }

    [Fact]
    public async Task Eval_ShadowStrongerModel_PassesWithIntervalAndWritesReports()
    {
        var (live, candidate) = await FireActHomeAsync();

        var r = await Run("eval", candidate, "--json");

        Assert.True(r.Code == 0, r.Error + r.Out);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("shadow", root.GetProperty("mode").GetString());
        Assert.Equal(candidate, root.GetProperty("candidate").GetProperty("id").GetString());
        Assert.Equal(live, root.GetProperty("baseline").GetProperty("id").GetString());
        var comparison = root.GetProperty("comparison");
        Assert.Equal("success_rate", comparison.GetProperty("primary_metric").GetString());
        Assert.True(comparison.GetProperty("ci95")[0].GetDouble() > 0);
        Assert.True(root.GetProperty("decision").GetProperty("passed").GetBoolean());
        Assert.True(root.GetProperty("cases").GetArrayLength() >= 50);
        foreach (var key in new[] { "success_rate", "answer_agreement", "mean_steps", "tool_error_rate" })
        {
            Assert.True(root.GetProperty("metrics").GetProperty("candidate").TryGetProperty(key, out _), key);
        }

        Assert.True(File.Exists(Path.Combine(Home, "artifacts", "self-training-eval-report.json")));
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(Home, "artifacts", "self-training-eval-report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_WeakerAgainstStronger_FailsTheGateWithExit1()
    {
        var (live, candidate) = await FireActHomeAsync();
        var weaker = await IdOf("candidates", "register", "--model", "llama-2-13b-lora", "--client", "none", "--as", "ana");

        var r = await Run("eval", live, "--baseline", candidate);
        var promote = await Run("promote", "request", weaker, "--as", "ana");

        Assert.Equal(1, r.Code);
        Assert.Contains("gate: NOT PASSED", r.Out, StringComparison.Ordinal);
        Assert.Equal(1, promote.Code);
        Assert.Contains("no_evaluation", promote.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_ReplayFiles_CompareStepsAndListCases()
    {
        var tooltalk = TestPaths.Lines(TestPaths.ToolTalk);
        Assert.Equal(0, (await Run("ingest", TestPaths.ToolTalk)).Code);
        await IdOf("dataset", "snapshot", "--eval-fraction", "0.5", "--validation-fraction", "0.1", "--min-examples", "10");
        var casesOut = await Run("eval", "cases", "--json", "--with-reference");
        Assert.Equal(0, casesOut.Code);
        using var cases = JsonDocument.Parse(casesOut.Out);
        var list = cases.RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(list);
        Assert.Equal(tooltalk.Count > 0, list.All(c => c.GetProperty("case_id").GetString()!.Contains('#', StringComparison.Ordinal)));

        // The candidate answers every case with the reference; the baseline answers with plain text.
        var good = _dir.Write("good.jsonl", string.Join("\n", list.Select(c =>
            JsonSerializer.Serialize(new Dictionary<string, object> { ["case_id"] = c.GetProperty("case_id").GetString()!, ["message"] = c.GetProperty("reference") }))));
        var bad = _dir.Write("bad.jsonl", string.Join("\n", list.Select(c =>
            JsonSerializer.Serialize(new Dictionary<string, object> { ["case_id"] = c.GetProperty("case_id").GetString()!, ["message"] = new Dictionary<string, string> { ["role"] = "assistant", ["content"] = "I cannot help with that." } }))));
        var live = await IdOf("live", "init", "--model", "base", "--client", "replay:" + bad, "--as", "ana");
        var candidate = await IdOf("candidates", "register", "--model", "tuned", "--client", "replay:" + good, "--as", "ana");

        var r = await Run("eval", candidate, "--json");

        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("replay", root.GetProperty("mode").GetString());
        Assert.Equal(1.0, root.GetProperty("metrics").GetProperty("candidate").GetProperty("tool_name_accuracy").GetDouble());
        Assert.True(root.GetProperty("metrics").GetProperty("baseline").GetProperty("tool_name_accuracy").GetDouble() < 0.5);
        Assert.Equal(list.Count, root.GetProperty("cases").GetArrayLength());
        var first = root.GetProperty("cases")[0];
        foreach (var key in new[] { "case_id", "trajectory_id", "turn_index", "reference", "candidate", "baseline", "scores" })
        {
            Assert.True(first.TryGetProperty(key, out _), key);
        }

        Assert.Equal(list.Count >= 50 ? 0 : 1, r.Code);
        Assert.NotEqual(live, candidate);
    }

    [Fact]
    public async Task Eval_NoClientAndReplayAsked_IsBadInput()
    {
        var (_, candidate) = await FireActHomeAsync();

        var r = await Run("eval", candidate, "--mode", "replay");

        Assert.Equal(2, r.Code);
        Assert.Contains("no callable client", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_UnknownCandidate_Exits2()
    {
        await FireActHomeAsync();

        var r = await Run("eval", "cand-nope");

        Assert.Equal(2, r.Code);
    }
}
