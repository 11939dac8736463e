using System.Collections;
using System.Text.Json;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

public sealed class IngestListShowTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string Home => _dir.File("home");

    public void Dispose() => _dir.Dispose();

    private static List<string> SampleLines(int n) => TestPaths.Lines(TestPaths.FireAct, n).ToList();

    [Fact]
    public async Task Ingest_ThenListThenShow_EndToEnd()
    {
        var file = _dir.Write("runs.jsonl", string.Join("\n", SampleLines(5)));

        var ingest = await CliRunner.RunAsync("ingest", file, "--home", Home);
        var list = await CliRunner.RunAsync("trajectories", "list", "--json", "--home", Home);

        Assert.Equal(0, ingest.Code);
        Assert.Contains("imported 5, duplicate 0, rejected 0", ingest.Out, StringComparison.Ordinal);
        Assert.Equal(0, list.Code);
        using var doc = JsonDocument.Parse(list.Out);
        var items = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(5, items.Count);
        // The sample reports FireAct's success label as the reward: 1, 0, 1, 1, 1.
        var rewardZero = items.Single(i => i.GetProperty("id").GetString() == "fireact-gpt-3.5-turbo-0613-ft-5388");
        Assert.False(rewardZero.GetProperty("accepted").GetBoolean());
        Assert.Contains("low_reward", rewardZero.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        foreach (var item in items.Where(i => i.GetProperty("id").GetString() != "fireact-gpt-3.5-turbo-0613-ft-5388"))
        {
            Assert.True(item.GetProperty("accepted").GetBoolean());
            Assert.Equal(1.0, item.GetProperty("score").GetDouble());
            Assert.Empty(item.GetProperty("reasons").EnumerateArray());
        }

        var id = items[0].GetProperty("id").GetString()!;
        var show = await CliRunner.RunAsync("trajectories", "show", id, "--json", "--home", Home);
        Assert.Equal(0, show.Code);
        using var shown = JsonDocument.Parse(show.Out);
        Assert.Equal(id, shown.RootElement.GetProperty("trajectory").GetProperty("id").GetString());
        Assert.True(shown.RootElement.GetProperty("verdict").GetProperty("accepted").GetBoolean());

        var human = await CliRunner.RunAsync("trajectories", "show", id, "--home", Home);
        Assert.Equal(0, human.Code);
        Assert.Contains("verdict:   accepted", human.Out, StringComparison.Ordinal);
        Assert.Contains("--- assistant [turn 0, weight 1]", human.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_SameFileTwice_StoresEachRunOnce()
    {
        var file = _dir.Write("runs.jsonl", string.Join("\n", SampleLines(4)));

        await CliRunner.RunAsync("ingest", file, "--home", Home);
        var again = await CliRunner.RunAsync("ingest", file, "--home", Home, "--json");
        var status = await CliRunner.RunAsync("status", "--json", "--home", Home);

        Assert.Equal(0, again.Code);
        using var report = JsonDocument.Parse(again.Out);
        Assert.Equal(0, report.RootElement.GetProperty("imported").GetInt64());
        Assert.Equal(4, report.RootElement.GetProperty("duplicates").GetInt64());
        using var s = JsonDocument.Parse(status.Out);
        Assert.Equal(4, s.RootElement.GetProperty("trajectories").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Ingest_FileWithBadRecords_ImportsRestReportsLinesAndExits2()
    {
        var lines = SampleLines(3);
        lines.Insert(1, "{\"messages\": [{\"role\": \"robot\"}]}");
        lines.Add("this is not json");
        var file = _dir.Write("mixed.jsonl", string.Join("\n", lines));

        var result = await CliRunner.RunAsync("ingest", file, "--home", Home);

        Assert.Equal(2, result.Code);
        Assert.Contains("imported 3, duplicate 0, rejected 2", result.Out, StringComparison.Ordinal);
        Assert.Contains("mixed.jsonl:2: $.messages[0].role: unknown role 'robot'", result.Error, StringComparison.Ordinal);
        Assert.Contains("mixed.jsonl:5: not valid JSON", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_MissingFile_Exits2NamingIt()
    {
        var result = await CliRunner.RunAsync("ingest", _dir.File("nope.jsonl"), "--home", Home);

        Assert.Equal(2, result.Code);
        Assert.Contains("nope.jsonl: no such file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_UnknownFormat_IsUsageError()
    {
        var file = _dir.Write("runs.jsonl", SampleLines(1)[0]);

        var result = await CliRunner.RunAsync("ingest", file, "--format", "yaml", "--home", Home);

        Assert.Equal(2, result.Code);
        Assert.Contains("yaml", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_UnknownId_Exits2()
    {
        var result = await CliRunner.RunAsync("trajectories", "show", "missing-id", "--home", Home);

        Assert.Equal(2, result.Code);
        Assert.Contains("no trajectory with id 'missing-id'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_AcceptedAndRejectedTogether_IsUsageError()
    {
        var result = await CliRunner.RunAsync("trajectories", "list", "--accepted", "--rejected", "--home", Home);

        Assert.Equal(2, result.Code);
    }

    [Fact]
    public async Task List_EmptyHome_PrintsEmptyJsonArray()
    {
        var result = await CliRunner.RunAsync("trajectories", "list", "--json", "--home", Home);

        Assert.Equal(0, result.Code);
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal(0, doc.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Home_FromEnvironmentVariable_IsUsed()
    {
        var file = _dir.Write("runs.jsonl", SampleLines(1)[0]);
        var env = new Hashtable { ["WHETSTONE_HOME"] = Home };

        var result = await CliRunner.RunWithEnvAsync(env, "ingest", file);

        Assert.Equal(0, result.Code);
        Assert.True(File.Exists(Path.Combine(Home, "whetstone.db")));
    }

    [Fact]
    public async Task Configuration_InvalidProviderFromEnvironment_Exits2BeforeAnyWork()
    {
        var file = _dir.Write("runs.jsonl", SampleLines(1)[0]);
        var env = new Hashtable { ["Whetstone__Storage__Provider"] = "mongo" };

        var result = await CliRunner.RunWithEnvAsync(env, "ingest", file, "--home", Home);

        Assert.Equal(2, result.Code);
        Assert.Contains("Whetstone:Storage:Provider: 'mongo'", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Home, "whetstone.db")));
    }

    [Fact]
    public async Task UnknownCommand_Exits2()
    {
        var result = await CliRunner.RunAsync("frobnicate");

        Assert.Equal(2, result.Code);
    }
}
