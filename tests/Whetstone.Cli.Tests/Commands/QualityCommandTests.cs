using System.Collections;
using System.Text.Json;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

public sealed class QualityCommandTests : IDisposable
{
    private const string RewardZero = "fireact-gpt-3.5-turbo-0613-ft-5388";
    private readonly TempDir _dir = new();

    private string Home => _dir.File("home");

    public void Dispose() => _dir.Dispose();

    private async Task IngestAsync(int lines)
    {
        var file = _dir.Write("runs.jsonl", string.Join("\n", TestPaths.Lines(TestPaths.FireAct, lines)));
        var ingest = await CliRunner.RunAsync("ingest", file, "--home", Home);
        Assert.Equal(0, ingest.Code);
    }

    private async Task<JsonElement> ListAsync()
    {
        var list = await CliRunner.RunAsync("trajectories", "list", "--json", "--home", Home);
        Assert.Equal(0, list.Code);
        return JsonDocument.Parse(list.Out).RootElement;
    }

    [Fact]
    public async Task ReviewAccept_RejectedRun_ListedWithOverrideAndSurvivesRescore()
    {
        await IngestAsync(5);

        var review = await CliRunner.RunAsync("review", "accept", RewardZero, "--reason", "gold label too strict", "--as", "ana", "--home", Home);
        var rescore = await CliRunner.RunAsync("trajectories", "rescore", "--home", Home);
        var item = (await ListAsync()).EnumerateArray().Single(i => i.GetProperty("id").GetString() == RewardZero);

        Assert.Equal(0, review.Code);
        Assert.Contains($"{RewardZero}: accepted by ana (gold label too strict); the rules said reject: low_reward", review.Out, StringComparison.Ordinal);
        Assert.Equal(0, rescore.Code);
        Assert.True(item.GetProperty("accepted").GetBoolean());
        Assert.Equal("low_reward", item.GetProperty("reasons")[0].GetString());
        var ov = item.GetProperty("override");
        Assert.True(ov.GetProperty("accepted").GetBoolean());
        Assert.Equal("ana", ov.GetProperty("actor").GetString());
        Assert.Equal("gold label too strict", ov.GetProperty("reason").GetString());
        var audit = await CliRunner.RunAsync("audit", "list", "--json", "--home", Home);
        var entry = JsonDocument.Parse(audit.Out).RootElement.EnumerateArray().Single(e => e.GetProperty("action").GetString() == "review_accepted");
        Assert.Equal("ana", entry.GetProperty("actor").GetString());
        Assert.Equal(RewardZero, entry.GetProperty("subjects")[0].GetString());
    }

    [Fact]
    public async Task ReviewReject_AcceptedRun_NotAccepted()
    {
        await IngestAsync(2);
        const string id = "fireact-gpt-3.5-turbo-0613-ft-6238";

        var review = await CliRunner.RunAsync("review", "reject", id, "--reason", "answer copied from the prompt", "--as", "bo", "--home", Home, "--json");
        var item = (await ListAsync()).EnumerateArray().Single(i => i.GetProperty("id").GetString() == id);

        Assert.Equal(0, review.Code);
        Assert.False(item.GetProperty("accepted").GetBoolean());
        Assert.Equal("bo", item.GetProperty("override").GetProperty("actor").GetString());
        Assert.False(JsonDocument.Parse(review.Out).RootElement.GetProperty("accepted").GetBoolean());
    }

    [Fact]
    public async Task Review_MissingReasonOrUnknownId_BadInput()
    {
        await IngestAsync(1);

        var noReason = await CliRunner.RunAsync("review", "accept", "x", "--as", "ana", "--home", Home);
        var unknown = await CliRunner.RunAsync("review", "accept", "nope", "--reason", "r", "--as", "ana", "--home", Home);

        Assert.Equal(2, noReason.Code);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("no trajectory with id 'nope'", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rescore_Json_SummaryWithClustersAndReasons()
    {
        await IngestAsync(20);

        var rescore = await CliRunner.RunAsync("trajectories", "rescore", "--json", "--home", Home);
        var items = (await ListAsync()).EnumerateArray().ToList();

        Assert.Equal(0, rescore.Code);
        var summary = JsonDocument.Parse(rescore.Out).RootElement;
        Assert.Equal(20, summary.GetProperty("total").GetInt64());
        Assert.Equal(20, summary.GetProperty("clusters").GetInt64());
        Assert.StartsWith("q1-", summary.GetProperty("policy_version").GetString(), StringComparison.Ordinal);
        Assert.True(summary.GetProperty("by_reason").GetProperty("low_reward").GetInt64() > 0);
        Assert.All(items, i => Assert.StartsWith("c-", i.GetProperty("cluster_id").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rescore_PolicyChangedInEnvironment_NewVersionAndDecisions()
    {
        await IngestAsync(5);
        var env = new Hashtable { ["Whetstone__Quality__Rules__low_reward"] = "off", ["Whetstone__Quality__MinScore"] = "0" };

        var rescore = await CliRunner.RunWithEnvAsync(env, "trajectories", "rescore", "--home", Home);
        var item = (await ListAsync()).EnumerateArray().Single(i => i.GetProperty("id").GetString() == RewardZero);

        Assert.Equal(0, rescore.Code);
        Assert.True(item.GetProperty("accepted").GetBoolean());
    }

    [Fact]
    public async Task Rescore_SemanticClusteringWithMiniLM_ParaphrasedToolTalkTasksShareACluster()
    {
        var ingest = await CliRunner.RunAsync("ingest", TestPaths.ToolTalk, "--home", Home);
        Assert.Equal(0, ingest.Code);
        var env = new Hashtable { ["Whetstone__Quality__SemanticClusterThreshold"] = "0.8" };

        var rescore = await CliRunner.RunWithEnvAsync(env, "trajectories", "rescore", "--json", "--home", Home);
        var clusters = (await ListAsync()).EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!, i => i.GetProperty("cluster_id").GetString());

        Assert.Equal(0, rescore.Code);
        var summary = JsonDocument.Parse(rescore.Out).RootElement;
        Assert.Equal(78, summary.GetProperty("semantic_tasks").GetInt32());
        Assert.InRange(summary.GetProperty("semantically_joined").GetInt32(), 3, 10);
        Assert.Equal(4, summary.GetProperty("largest_semantic_group").GetInt32());
        Assert.DoesNotContain("warning", rescore.Error, StringComparison.Ordinal);

        // "Check my reminders." / "Can you check my reminders for today?" / "Hi can you check my reminders for the day?"
        Assert.Equal(clusters["tooltalk-Calendar-Reminder-Weather-CompleteReminder-1"], clusters["tooltalk-Email-Reminder-Weather-GetReminder-0"]);
        Assert.Equal(clusters["tooltalk-Calendar-Reminder-Weather-CompleteReminder-1"], clusters["tooltalk-Messages-Reminder-Weather-GetReminder-0"]);

        // An alarm task and a reminder task stay apart.
        Assert.NotEqual(clusters["tooltalk-AddAlarm-easy"], clusters["tooltalk-Email-Reminder-Weather-GetReminder-0"]);

        // A low threshold chains unrelated tasks into one group; the rescore says so.
        env["Whetstone__Quality__SemanticClusterThreshold"] = "0.5";
        var chained = await CliRunner.RunWithEnvAsync(env, "trajectories", "rescore", "--home", Home);
        Assert.Equal(0, chained.Code);
        Assert.Contains("warning: one group holds", chained.Error, StringComparison.Ordinal);
        Assert.Contains("semantic clustering: 78 distinct tasks embedded", chained.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rescore_SemanticClusteringWithoutEmbeddings_ConfigurationErrorAndClustersKept()
    {
        var ingest = await CliRunner.RunAsync("ingest", TestPaths.ToolTalk, "--home", Home);
        Assert.Equal(0, ingest.Code);
        var before = (await ListAsync()).ToString();
        var env = new Hashtable { ["Whetstone__Quality__SemanticClusterThreshold"] = "0.8", ["WHETSTONE_NO_EMBEDDINGS"] = "1" };

        var rescore = await CliRunner.RunWithEnvAsync(env, "trajectories", "rescore", "--home", Home);

        Assert.Equal(2, rescore.Code);
        Assert.Contains("Whetstone:Quality:SemanticClusterThreshold", rescore.Error, StringComparison.Ordinal);
        Assert.Equal(before, (await ListAsync()).ToString());
    }

    [Fact]
    public async Task AnyCommand_OptionThatIsNotANumber_ErrorNamesTheKeyAndTheType()
    {
        var env = new Hashtable { ["Whetstone__Quality__SemanticClusterThreshold"] = "high" };

        var result = await CliRunner.RunWithEnvAsync(env, "status", "--home", Home);

        Assert.Equal(2, result.Code);
        Assert.Contains("'Whetstone:Quality:SemanticClusterThreshold'", result.Error, StringComparison.Ordinal);
        Assert.Contains("System.Double", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_InvalidQualityOption_ErrorNamesTheKey()
    {
        var env = new Hashtable { ["Whetstone__Quality__Rules__no_such_rule"] = "reject" };

        var result = await CliRunner.RunWithEnvAsync(env, "status", "--home", Home);

        Assert.Equal(2, result.Code);
        Assert.Contains("Whetstone:Quality:Rules:no_such_rule", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_RejectedRun_ExplainsSignalBySignal()
    {
        await IngestAsync(5);

        var show = await CliRunner.RunAsync("trajectories", "show", RewardZero, "--home", Home);

        Assert.Equal(0, show.Code);
        Assert.Contains("verdict:   not accepted, score 0.00", show.Out, StringComparison.Ordinal);
        Assert.Contains("reasons: low_reward", show.Out, StringComparison.Ordinal);
        Assert.Contains("reported_outcome", show.Out, StringComparison.Ordinal);
        Assert.Contains("reward 0 is under 0.5", show.Out, StringComparison.Ordinal);
        Assert.Contains("judged:    from the reported outcome", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AfterIngest_CountsByReason()
    {
        await IngestAsync(5);

        var status = await CliRunner.RunAsync("status", "--home", Home);

        Assert.Equal(0, status.Code);
        Assert.Contains("low_reward", status.Out, StringComparison.Ordinal);
        Assert.Contains("(4 accepted, 1 not accepted)", status.Out, StringComparison.Ordinal);
    }
}
