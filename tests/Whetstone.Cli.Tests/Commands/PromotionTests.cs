using System.Collections;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Whetstone.Registry;
using Whetstone.Storage;
using Whetstone.Storage.Sqlite;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

/// <summary>Promotion, rollback and audit through the CLI on a real SQLite home with a real live config file.
/// Evaluations are recorded straight into the store (the evaluation stage has its own tests).</summary>
public sealed class PromotionTests : IDisposable
{
    private const string AgentJson = """
        {
          "name": "support-bot",
          "llm": {
            "provider": "openai",
            "model": "llama-2-7b",
            "temperature": 0.2
          }
        }

        """;

    private readonly TempDir _dir = new();
    private readonly string _config;
    private readonly Hashtable _env;

    public PromotionTests()
    {
        _config = _dir.Write("agent.json", AgentJson);
        _env = new Hashtable
        {
            ["Whetstone__Admins__0"] = "ana",
            ["Whetstone__Admins__1"] = "bo",
            ["Whetstone__LiveConfig__Path"] = _config,
        };
    }

    private string Home => _dir.File("home");

    public void Dispose() => _dir.Dispose();

    private Task<CliRunner.Result> Run(params string[] args) => CliRunner.RunWithEnvAsync(_env, [.. args, "--home", Home]);

    private async Task<string> RegisterAsync(string model, string client = "openai:http://127.0.0.1:9/v1")
    {
        var r = await Run("candidates", "register", "--model", model, "--client", client, "--as", "ana", "--json");
        Assert.True(r.Code == 0, r.Error);
        using var doc = JsonDocument.Parse(r.Out);
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    private async Task<string> InitLiveAsync()
    {
        var r = await Run("live", "init", "--model", "llama-2-7b", "--client", "none", "--as", "ana", "--json");
        Assert.True(r.Code == 0, r.Error);
        using var doc = JsonDocument.Parse(r.Out);
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    private async Task<IWhetstoneStore> StoreAsync()
    {
        await Run("status");
        return SqliteStore.Open(Path.Combine(Home, "whetstone.db"));
    }

    private async Task PointAsync(string snapshot)
    {
        await using var store = await StoreAsync();
        await store.Snapshots.SetEvalPointerAsync(new EvalPointer(snapshot, DateTimeOffset.UtcNow, "ana"));
    }

    private async Task<string> EvaluateAsync(string candidate, bool passed, string? baseline = null, string snapshot = "snap-1")
    {
        await using var store = await StoreAsync();
        var aliases = await store.Registry.GetAliasesAsync();
        var id = "eval-" + Guid.NewGuid().ToString("N")[..8];
        await store.Registry.AddEvaluationAsync(new EvaluationRecord
        {
            Id = id,
            CandidateId = candidate,
            BaselineId = baseline ?? aliases.Live!,
            SnapshotId = snapshot,
            Mode = "shadow",
            Passed = passed,
            Reasons = passed ? ["ci_lower_bound_above_0"] : ["ci_lower_bound_not_above_0"],
            CreatedAt = DateTimeOffset.UtcNow,
            ReportJson = "{\"comparison\":{\"primary_metric\":\"success_rate\"}}",
        });
        return id;
    }

    /// <summary>live init, a candidate, the evaluation pointer and a passing evaluation.</summary>
    private async Task<(string Live, string Candidate)> ReadyAsync(string model = "gpt-3.5-ft")
    {
        var live = await InitLiveAsync();
        var candidate = await RegisterAsync(model);
        await PointAsync("snap-1");
        await EvaluateAsync(candidate, passed: true);
        return (live, candidate);
    }

    private async Task<string> RequestAsync(string candidate, string actor = "ana")
    {
        var r = await Run("promote", "request", candidate, "--as", actor, "--json");
        Assert.True(r.Code == 0, r.Error);
        using var doc = JsonDocument.Parse(r.Out);
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    private async Task<string> PromoteAsync(string candidate)
    {
        var request = await RequestAsync(candidate);
        var r = await Run("promote", "approve", request, "--as", "ana", "--json");
        Assert.True(r.Code == 0, r.Error);
        using var doc = JsonDocument.Parse(r.Out);
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    private async Task<string?> LiveAsync()
    {
        var r = await Run("status", "--json");
        using var doc = JsonDocument.Parse(r.Out);
        return doc.RootElement.GetProperty("live").GetProperty("candidate").GetString();
    }

    private async Task AssertRefusedAsync(string reason, params string[] args)
    {
        var r = await Run([.. args, "--json"]);
        Assert.Equal(1, r.Code);
        Assert.Contains(reason, r.Out + r.Error, StringComparison.Ordinal);
        var audit = await Run("audit", "list", "--json");
        Assert.Contains(reason, audit.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_RequestedAndApproved_RewritesOnlyTheKeysAndMovesAliases()
    {
        var (live, candidate) = await ReadyAsync();

        var dry = await Run("promote", "approve", await RequestAsync(candidate), "--as", "ana", "--dry-run");
        Assert.Equal(AgentJson, File.ReadAllText(_config));
        Assert.Contains("+ llm.model: \"gpt-3.5-ft\"", dry.Out, StringComparison.Ordinal);
        var approve = await Run("promote", "approve", "req-1", "--as", "ana");

        Assert.Equal(0, approve.Code);
        Assert.Equal(candidate, await LiveAsync());
        var written = File.ReadAllText(_config);
        Assert.Equal(AgentJson
            .Replace("\"llama-2-7b\"", "\"gpt-3.5-ft\"", StringComparison.Ordinal)
            .Replace("\"temperature\": 0.2", "\"temperature\": 0.2,\n    \"endpoint\": \"http://127.0.0.1:9/v1\"", StringComparison.Ordinal), written);
        using var status = JsonDocument.Parse((await Run("status", "--json")).Out);
        Assert.Equal(live, status.RootElement.GetProperty("previous").GetString());
        using var artifact = JsonDocument.Parse(File.ReadAllText(Path.Combine(Home, "artifacts", "self-training-promotion.json")));
        Assert.Equal(candidate, artifact.RootElement.GetProperty("live").GetProperty("candidate").GetString());
        Assert.True(File.Exists(Path.Combine(Home, "artifacts", "self-training-candidates.json")));
    }

    [Fact]
    public async Task Request_NotAnAdmin_IsRefused()
    {
        var (_, candidate) = await ReadyAsync();

        await AssertRefusedAsync("not_admin", "promote", "request", candidate, "--as", "mallory");
    }

    [Fact]
    public async Task Request_NoEvaluation_IsRefused()
    {
        await InitLiveAsync();
        var candidate = await RegisterAsync("other");
        await PointAsync("snap-1");

        await AssertRefusedAsync("no_evaluation", "promote", "request", candidate, "--as", "ana");
    }

    [Fact]
    public async Task Request_FailedEvaluation_IsRefused()
    {
        await InitLiveAsync();
        var candidate = await RegisterAsync("other");
        await PointAsync("snap-1");
        await EvaluateAsync(candidate, passed: false);

        await AssertRefusedAsync("evaluation_failed", "promote", "request", candidate, "--as", "ana");
    }

    [Fact]
    public async Task Request_EvaluationOnAnotherSnapshot_IsStale()
    {
        var (_, candidate) = await ReadyAsync();
        await PointAsync("snap-2");

        await AssertRefusedAsync("evaluation_stale", "promote", "request", candidate, "--as", "ana");
    }

    [Fact]
    public async Task Request_EvaluationOfAnotherCandidate_DoesNotCount()
    {
        var (_, candidate) = await ReadyAsync();
        var other = await RegisterAsync("other-model");

        await AssertRefusedAsync("no_evaluation", "promote", "request", other, "--as", "ana");
        Assert.NotEqual(candidate, other);
    }

    [Fact]
    public async Task Request_LiveCandidate_IsRefusedAsAlreadyLive()
    {
        var (live, _) = await ReadyAsync();

        await AssertRefusedAsync("already_live", "promote", "request", live, "--as", "ana");
    }

    [Fact]
    public async Task Approve_AfterLiveChanged_IsStale()
    {
        var (_, first) = await ReadyAsync();
        var second = await RegisterAsync("second");
        await EvaluateAsync(second, passed: true);
        var pendingSecond = await RequestAsync(second);
        await PromoteAsync(first);

        await AssertRefusedAsync("evaluation_stale", "promote", "approve", pendingSecond, "--as", "ana");
    }

    [Fact]
    public async Task Approve_Twice_IsRefused()
    {
        var (_, candidate) = await ReadyAsync();
        var request = await RequestAsync(candidate);
        Assert.Equal(0, (await Run("promote", "approve", request, "--as", "ana")).Code);

        await AssertRefusedAsync("request_not_pending", "promote", "approve", request, "--as", "bo");
    }

    [Fact]
    public async Task Approve_TwoPersonRule_NeedsAnotherAdmin()
    {
        _env["Whetstone__Promotion__RequireSecondApprover"] = "true";
        var (_, candidate) = await ReadyAsync();
        var request = await RequestAsync(candidate, "ana");

        await AssertRefusedAsync("same_approver", "promote", "approve", request, "--as", "ana");
        Assert.Equal(AgentJson, File.ReadAllText(_config));
        var byBo = await Run("promote", "approve", request, "--as", "bo");

        Assert.Equal(0, byBo.Code);
        Assert.Equal(candidate, await LiveAsync());
    }

    [Fact]
    public async Task Rollback_AfterOnePromotion_RestoresTheFileByteForByte()
    {
        var (live, candidate) = await ReadyAsync();
        await PromoteAsync(candidate);

        var rollback = await Run("rollback", "--as", "ana");

        Assert.Equal(0, rollback.Code);
        Assert.Equal(AgentJson, File.ReadAllText(_config));
        Assert.Equal(live, await LiveAsync());
        using var status = JsonDocument.Parse((await Run("status", "--json")).Out);
        Assert.Equal(candidate, status.RootElement.GetProperty("previous").GetString());
    }

    [Fact]
    public async Task Rollback_NothingPromoted_IsRefused()
    {
        await InitLiveAsync();

        await AssertRefusedAsync("nothing_to_roll_back", "rollback", "--as", "ana");
    }

    [Fact]
    public async Task Rollback_NotAnAdmin_IsRefused()
    {
        var (_, candidate) = await ReadyAsync();
        await PromoteAsync(candidate);

        await AssertRefusedAsync("not_admin", "rollback", "--as", "mallory");
    }

    [Fact]
    public async Task Rollback_ToAnEarlierPromotion_ThenUndoThatRollback()
    {
        var (_, b) = await ReadyAsync("model-b");
        var p1 = await PromoteAsync(b);
        var configAfterP1 = File.ReadAllText(_config);
        var c = await RegisterAsync("model-c");
        await EvaluateAsync(c, passed: true);
        await PromoteAsync(c);
        var d = await RegisterAsync("model-d", "openai:http://127.0.0.1:10/v1");
        await EvaluateAsync(d, passed: true);
        await PromoteAsync(d);
        var configAfterP3 = File.ReadAllText(_config);

        var back = await Run("rollback", "--to", p1, "--as", "ana");
        Assert.Equal(0, back.Code);
        Assert.Equal(b, await LiveAsync());
        Assert.Equal(configAfterP1, File.ReadAllText(_config));

        var undo = await Run("rollback", "--as", "bo");
        Assert.Equal(0, undo.Code);
        Assert.Equal(d, await LiveAsync());
        Assert.Equal(configAfterP3, File.ReadAllText(_config));
        using var history = JsonDocument.Parse((await Run("promote", "history", "--json")).Out);
        Assert.Equal(["promotion", "promotion", "promotion", "rollback", "rollback"],
            history.RootElement.EnumerateArray().Select(h => h.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Repair_PendingChangeFromACrash_IsCompletedByTheNextCommand()
    {
        var (live, candidate) = await ReadyAsync();
        await using (var store = await StoreAsync())
        {
            // A promotion recorded as pending, then the process died before writing the config.
            await store.Registry.BeginChangeAsync(new LiveChange
            {
                Id = "",
                Kind = ChangeKind.Promotion,
                State = ChangeState.Pending,
                CandidateBefore = live,
                CandidateAfter = candidate,
                PreviousAfter = live,
                Actor = "ana",
                At = DateTimeOffset.UtcNow,
                ConfigPath = _config,
                Changes = [new ConfigChange("llm.model", "\"llama-2-7b\"", "\"gpt-3.5-ft\"")],
            });
        }

        var next = await Run("rollback", "--as", "ana", "--dry-run");

        Assert.Equal(0, next.Code);
        Assert.Contains("\"gpt-3.5-ft\"", File.ReadAllText(_config), StringComparison.Ordinal);
        Assert.Equal(candidate, await LiveAsync());
        Assert.Contains("live_change_repaired", (await Run("audit", "list", "--json")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_AfterActions_VerifiesAndDetectsTampering()
    {
        var (_, candidate) = await ReadyAsync();
        await PromoteAsync(candidate);
        Assert.Equal(0, (await Run("audit", "verify")).Code);

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(Home, "whetstone.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var c = connection.CreateCommand();
            c.CommandText = "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET doc = replace(doc, '\"actor\":\"ana\"', '\"actor\":\"eve\"') WHERE seq = 2";
            await c.ExecuteNonQueryAsync();
        }

        var verify = await Run("audit", "verify");
        Assert.Equal(1, verify.Code);
        Assert.Contains("entry 2", verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerifyFile_DeletedOrReorderedLines_FailNamingTheEntry()
    {
        var (_, candidate) = await ReadyAsync();
        await PromoteAsync(candidate);
        var lines = File.ReadAllLines(Path.Combine(Home, "audit.jsonl"));
        Assert.True(lines.Length >= 5);
        var intact = _dir.Write("intact.jsonl", string.Join("\n", lines));
        var deleted = _dir.Write("deleted.jsonl", string.Join("\n", lines.Where((_, i) => i != 2)));
        var reordered = _dir.Write("reordered.jsonl", string.Join("\n", lines.Select((l, i) => i == 3 ? lines[4] : i == 4 ? lines[3] : l)));

        Assert.Equal(0, (await Run("audit", "verify", "--file", intact)).Code);
        var d = await Run("audit", "verify", "--file", deleted);
        var r = await Run("audit", "verify", "--file", reordered);

        Assert.Equal(1, d.Code);
        Assert.Contains("entry 4", d.Error, StringComparison.Ordinal);
        Assert.Equal(1, r.Code);
        Assert.Contains("entry 5", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_MirrorLongerThanStore_ReportsDeletion()
    {
        var (_, candidate) = await ReadyAsync();
        await PromoteAsync(candidate);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(Home, "whetstone.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var c = connection.CreateCommand();
            c.CommandText = "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)";
            await c.ExecuteNonQueryAsync();
        }

        var verify = await Run("audit", "verify");

        Assert.Equal(1, verify.Code);
        Assert.Contains("deleted from the store", verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_SameModelClientAndJob_ReturnsTheSameId()
    {
        var a = await RegisterAsync("m1");
        var b = await RegisterAsync("m1");
        var c = await RegisterAsync("m1", "openai:http://127.0.0.1:11/v1");

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        using var list = JsonDocument.Parse((await Run("candidates", "list", "--json")).Out);
        Assert.Equal(2, list.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Register_NotesWithASecret_AreRedacted()
    {
        var r = await Run("candidates", "register", "--model", "m", "--client", "none", "--notes", "trained by jane.doe@example.com", "--as", "ana", "--json");

        Assert.Equal(0, r.Code);
        Assert.DoesNotContain("jane.doe@example.com", r.Out, StringComparison.Ordinal);
        Assert.Contains("<EMAIL_1>", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_ArtifactChecksumMismatch_IsBadInput()
    {
        var artifact = _dir.Write("model.gguf", "weights");

        var r = await Run("candidates", "register", "--model", "m", "--client", "none", "--artifact", artifact, "--sha256", new string('0', 64), "--as", "ana");

        Assert.Equal(2, r.Code);
        Assert.Contains("has sha256", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_TwoConcurrentProcesses_AreSerializedAndTheConfigStaysWhole()
    {
        var (_, first) = await ReadyAsync("first");
        var second = await RegisterAsync("second", "openai:http://127.0.0.1:12/v1");
        await EvaluateAsync(second, passed: true);
        var r1 = await RequestAsync(first);
        var r2 = await RequestAsync(second);
        var cli = Path.Combine(AppContext.BaseDirectory, "whetstone.dll");

        var results = await Task.WhenAll(
            RunProcessAsync(cli, "promote", "approve", r1, "--as", "ana"),
            RunProcessAsync(cli, "promote", "approve", r2, "--as", "bo"));

        Assert.Equal(1, results.Count(code => code == 0));
        Assert.Equal(1, results.Count(code => code == 1));
        var live = await LiveAsync();
        using var config = JsonDocument.Parse(File.ReadAllText(_config));
        var model = config.RootElement.GetProperty("llm").GetProperty("model").GetString();
        Assert.Equal(live == first ? "first" : "second", model);
        Assert.Equal(0, (await Run("audit", "verify")).Code);
    }

    private async Task<int> RunProcessAsync(string cli, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(cli);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.ArgumentList.Add("--home");
        info.ArgumentList.Add(Home);
        foreach (DictionaryEntry e in _env)
        {
            info.Environment[(string)e.Key] = (string?)e.Value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await Task.WhenAll(stdout, stderr);
        return process.ExitCode;
    }
}
