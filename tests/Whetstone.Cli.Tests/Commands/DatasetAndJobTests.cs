using System.Collections;
using System.Security.Cryptography;
using System.Text.Json;
using Whetstone.Datasets;
using Whetstone.Storage.Sqlite;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

public sealed class DatasetAndJobTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string Home => _dir.File("home");

    public void Dispose() => _dir.Dispose();

    private async Task IngestAsync(int runs)
    {
        var file = _dir.Write("runs.jsonl", string.Join("\n", TestPaths.Lines(TestPaths.FireAct, runs)));
        var result = await CliRunner.RunAsync("ingest", file, "--home", Home);
        Assert.Equal(0, result.Code);
    }

    private async Task<JsonDocument> SnapshotAsync(params string[] extra)
    {
        var result = await CliRunner.RunAsync(["dataset", "snapshot", "--json", "--home", Home, .. extra]);
        Assert.True(result.Code == 0, result.Error);
        return JsonDocument.Parse(result.Out);
    }

    [Fact]
    public async Task Snapshot_FewerAcceptedThanMinimum_Exits1WithReason()
    {
        await IngestAsync(5);

        var result = await CliRunner.RunAsync("dataset", "snapshot", "--home", Home);

        Assert.Equal(1, result.Code);
        Assert.Contains("a snapshot needs at least 25", result.Error, StringComparison.Ordinal);
        using var list = JsonDocument.Parse((await CliRunner.RunAsync("dataset", "list", "--json", "--home", Home)).Out);
        Assert.Equal(0, list.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Snapshot_SameAcceptedRuns_GiveTheSameIdAndSplitHasNoSharedTask()
    {
        await IngestAsync(150);

        using var first = await SnapshotAsync();
        using var second = await SnapshotAsync();
        using var reseeded = await SnapshotAsync("--seed", "7");

        var id = first.RootElement.GetProperty("id").GetString()!;
        Assert.StartsWith("snap-", id, StringComparison.Ordinal);
        Assert.Equal(id, second.RootElement.GetProperty("id").GetString());
        Assert.True(first.RootElement.GetProperty("created").GetBoolean());
        Assert.False(second.RootElement.GetProperty("created").GetBoolean());
        Assert.NotEqual(id, reseeded.RootElement.GetProperty("id").GetString());
        var counts = first.RootElement.GetProperty("counts");
        Assert.Equal(counts.GetProperty("total").GetInt64(),
            counts.GetProperty("train").GetInt64() + counts.GetProperty("validation").GetInt64() + counts.GetProperty("eval").GetInt64());
        Assert.True(counts.GetProperty("eval").GetInt64() > 0);

        await using var store = SqliteStore.Open(Path.Combine(Home, "whetstone.db"));
        var splitsPerKey = new Dictionary<string, HashSet<Split>>();
        await foreach (var item in store.Snapshots.StreamItemsAsync(id, cancellationToken: TestContext.Current.CancellationToken))
        {
            (splitsPerKey.TryGetValue(item.SplitKey, out var set) ? set : splitsPerKey[item.SplitKey] = []).Add(item.Split);
        }

        Assert.All(splitsPerKey.Values, s => Assert.Single(s));
        Assert.Contains(splitsPerKey.Values, s => s.Count == 1 && splitsPerKey.Count > 10);
    }

    [Fact]
    public async Task Snapshot_AfterPolicyChange_RescoresFirst()
    {
        await IngestAsync(150);
        using var before = await SnapshotAsync();
        var stricter = new Hashtable { ["Whetstone__Quality__MinScore"] = "0.6" };

        var after = await CliRunner.RunWithEnvAsync(stricter, "dataset", "snapshot", "--json", "--home", Home);

        Assert.Equal(0, after.Code);
        using var doc = JsonDocument.Parse(after.Out);
        var policiesBefore = before.RootElement.GetProperty("snapshot").GetProperty("policy_versions")[0].GetString();
        var policiesAfter = doc.RootElement.GetProperty("snapshot").GetProperty("policy_versions")[0].GetString();
        Assert.NotEqual(policiesBefore, policiesAfter);
        Assert.NotEqual(before.RootElement.GetProperty("id").GetString(), doc.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Snapshot_LargerThanArtifactLimit_WritesTheMostRecentExamples()
    {
        await IngestAsync(60);
        var env = new Hashtable { ["Whetstone__Datasets__ArtifactMaxExamples"] = "5" };

        var result = await CliRunner.RunWithEnvAsync(env, "dataset", "snapshot", "--home", Home);

        Assert.Equal(0, result.Code);
        Assert.Matches(@"the most recent 5 of \d+ runs", result.Out);
        var lines = File.ReadAllLines(Path.Combine(Home, "artifacts", "self-training-trajectories.jsonl"));
        Assert.InRange(lines.Length, 1, 5);
        Assert.All(lines, l => Assert.Contains("\"messages\"", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UseForEval_FirstSnapshotSetsPointer_OnlyAdminsMoveIt()
    {
        await IngestAsync(150);
        using var first = await SnapshotAsync();
        using var second = await SnapshotAsync("--seed", "9");
        var secondId = second.RootElement.GetProperty("id").GetString()!;
        Assert.True(first.RootElement.GetProperty("eval_snapshot").GetBoolean());
        Assert.False(second.RootElement.GetProperty("eval_snapshot").GetBoolean());

        var refused = await CliRunner.RunAsync("dataset", "use-for-eval", secondId, "--as", "mallory", "--home", Home);
        var env = new Hashtable { ["Whetstone__Admins__0"] = "ana" };
        var moved = await CliRunner.RunWithEnvAsync(env, "dataset", "use-for-eval", secondId, "--as", "ana", "--home", Home);
        var shown = await CliRunner.RunAsync("dataset", "show", secondId, "--json", "--home", Home);

        Assert.Equal(1, refused.Code);
        Assert.Contains("'mallory' is not an admin", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, moved.Code);
        using var doc = JsonDocument.Parse(shown.Out);
        Assert.True(doc.RootElement.GetProperty("eval_snapshot").GetBoolean());
    }

    [Theory]
    [InlineData("openai", "train.jsonl")]
    [InlineData("hf", "train.jsonl")]
    [InlineData("sharegpt", "dataset_info.json")]
    [InlineData("axolotl", "axolotl.yaml")]
    [InlineData("parquet", "train.parquet")]
    public async Task Export_EachFormat_WritesItsFiles(string format, string expectedFile)
    {
        await IngestAsync(120);
        using var snap = await SnapshotAsync();
        var id = snap.RootElement.GetProperty("id").GetString()!;
        var outDir = _dir.File("out-" + format);

        var result = await CliRunner.RunAsync("dataset", "export", id, "--format", format, "--out", outDir, "--json", "--home", Home);

        Assert.True(result.Code == 0, result.Error);
        Assert.True(File.Exists(Path.Combine(outDir, expectedFile)));
        using var doc = JsonDocument.Parse(result.Out);
        var train = doc.RootElement.GetProperty("files").GetProperty("train");
        await using var stream = File.OpenRead(train.GetProperty("path").GetString()!);
        Assert.Equal(Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, TestContext.Current.CancellationToken)), train.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Export_UnknownSnapshot_Exits2()
    {
        await IngestAsync(3);

        var result = await CliRunner.RunAsync("dataset", "export", "snap-nope", "--format", "hf", "--out", _dir.File("x"), "--home", Home);

        Assert.Equal(2, result.Code);
        Assert.Contains("no snapshot with id 'snap-nope'", result.Error, StringComparison.Ordinal);
    }

    private async Task<JsonDocument> PrepareAsync(IDictionary? env = null, string trainer = "trl")
    {
        await IngestAsync(120);
        using var snap = await SnapshotAsync();
        var id = snap.RootElement.GetProperty("id").GetString()!;
        var result = await CliRunner.RunWithEnvAsync(env ?? new Hashtable(),
            "job", "prepare", "--snapshot", id, "--trainer", trainer, "--base-model", "Qwen/Qwen3-0.6B", "--param", "num_train_epochs=2", "--json", "--home", Home);
        Assert.True(result.Code == 0, result.Error);
        return JsonDocument.Parse(result.Out);
    }

    [Fact]
    public async Task JobPrepare_Trl_PinsFilesAndLeavesEvalOut()
    {
        using var job = await PrepareAsync();
        var root = job.RootElement;

        var files = root.GetProperty("files");
        Assert.False(files.TryGetProperty("eval", out _));
        foreach (var f in files.EnumerateObject())
        {
            var path = f.Value.GetProperty("path").GetString()!;
            await using var stream = File.OpenRead(path);
            Assert.Equal(Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, TestContext.Current.CancellationToken)), f.Value.GetProperty("sha256").GetString());
        }

        Assert.Equal(2, root.GetProperty("hyperparameters").GetProperty("num_train_epochs").GetInt32());
        var command = root.GetProperty("command").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["trl", "sft"], command.Take(2));
        Assert.Contains("--use_peft", command);
        Assert.True(root.GetProperty("tokens").GetProperty("train").GetProperty("max").GetInt64() > 0);
        Assert.True(File.Exists(Path.Combine(Home, "artifacts", "self-training-job.json")));
        Assert.True(File.Exists(Path.Combine(root.GetProperty("folder").GetString()!, "manifest.json")));
    }

    [Fact]
    public async Task JobPrepare_OpenAi_WritesTheApiRequest()
    {
        using var job = await PrepareAsync(trainer: "openai");

        var request = job.RootElement.GetProperty("api_request");
        Assert.Equal("Qwen/Qwen3-0.6B", request.GetProperty("model").GetString());
        Assert.Equal("supervised", request.GetProperty("method").GetProperty("type").GetString());
        Assert.False(job.RootElement.TryGetProperty("command", out _));
    }

    private static Hashtable LaunchEnv(params string[] argv)
    {
        var env = new Hashtable();
        for (var i = 0; i < argv.Length; i++)
        {
            env[$"Whetstone__Training__LaunchCommand__{i}"] = argv[i];
        }

        return env;
    }

    [Fact]
    public async Task JobLaunch_RealProcess_PassesArgumentsLiterallyAndCapturesOutput()
    {
        var env = LaunchEnv("/usr/bin/printf", "%s\\n", "{train}", "two words", "it's \"quoted\"", "x; touch {out}/pwned", "{job}");
        using var job = await PrepareAsync(env);
        var jobId = job.RootElement.GetProperty("id").GetString()!;

        var result = await CliRunner.RunWithEnvAsync(env, "job", "launch", jobId, "--json", "--home", Home);

        Assert.True(result.Code == 0, result.Error + result.Out);
        using var launch = JsonDocument.Parse(result.Out);
        Assert.Equal("succeeded", launch.RootElement.GetProperty("status").GetString());
        Assert.Equal(0, launch.RootElement.GetProperty("exit_code").GetInt32());
        var log = File.ReadAllLines(launch.RootElement.GetProperty("log_path").GetString()!);
        Assert.Equal(
            [job.RootElement.GetProperty("files").GetProperty("train").GetProperty("path").GetString(), "two words", "it's \"quoted\"",
             $"x; touch {job.RootElement.GetProperty("output_dir").GetString()}/pwned", jobId],
            log);
        Assert.False(File.Exists(Path.Combine(job.RootElement.GetProperty("output_dir").GetString()!, "pwned")));
        using var history = JsonDocument.Parse(File.ReadAllText(Path.Combine(Home, "artifacts", "self-training-launch.json")));
        Assert.Equal(1, history.RootElement.GetProperty("launches").GetArrayLength());
    }

    [Fact]
    public async Task JobLaunch_FailingProcess_IsRecordedAsFailedWithItsExitCode()
    {
        var env = LaunchEnv("/bin/sh", "-c", "echo training broke >&2; exit 3");
        using var job = await PrepareAsync(env);
        var jobId = job.RootElement.GetProperty("id").GetString()!;

        var result = await CliRunner.RunWithEnvAsync(env, "job", "launch", jobId, "--json", "--home", Home);

        Assert.Equal(1, result.Code);
        using var launch = JsonDocument.Parse(result.Out);
        Assert.Equal("failed", launch.RootElement.GetProperty("status").GetString());
        Assert.Equal(3, launch.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Contains("training broke", File.ReadAllText(launch.RootElement.GetProperty("log_path").GetString()!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobLaunch_MissingProgram_IsRecordedAsError()
    {
        var env = LaunchEnv("/nonexistent/trainer", "{job}");
        using var job = await PrepareAsync(env);

        var result = await CliRunner.RunWithEnvAsync(env, "job", "launch", job.RootElement.GetProperty("id").GetString()!, "--json", "--home", Home);

        Assert.Equal(1, result.Code);
        using var launch = JsonDocument.Parse(result.Out);
        Assert.Equal("error", launch.RootElement.GetProperty("status").GetString());
        Assert.Contains("/nonexistent/trainer", launch.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobLaunch_DryRun_RecordsArgvWithoutRunning()
    {
        var env = LaunchEnv("/usr/bin/touch", "{out}/ran");
        using var job = await PrepareAsync(env);
        var jobId = job.RootElement.GetProperty("id").GetString()!;
        var marker = Path.Combine(job.RootElement.GetProperty("output_dir").GetString()!, "ran");

        var dry = await CliRunner.RunWithEnvAsync(env, "job", "launch", jobId, "--dry-run", "--json", "--home", Home);
        Assert.False(File.Exists(marker));
        var real = await CliRunner.RunWithEnvAsync(env, "job", "launch", jobId, "--home", Home);
        var history = await CliRunner.RunAsync("job", "launches", jobId, "--json", "--home", Home);

        Assert.Equal(0, dry.Code);
        Assert.Equal(0, real.Code);
        Assert.True(File.Exists(marker));
        using var doc = JsonDocument.Parse(history.Out);
        Assert.Equal(["dry_run", "succeeded"], doc.RootElement.EnumerateArray().Select(l => l.GetProperty("status").GetString()));
        Assert.Equal(["/usr/bin/touch", marker], doc.RootElement[0].GetProperty("argv").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task JobLaunch_NoCommandForApiTrainer_IsRefused()
    {
        using var job = await PrepareAsync(trainer: "openai");

        var result = await CliRunner.RunAsync("job", "launch", job.RootElement.GetProperty("id").GetString()!, "--home", Home);

        Assert.Equal(1, result.Code);
        Assert.Contains("Whetstone:Training:LaunchCommand", result.Error, StringComparison.Ordinal);
    }
}
