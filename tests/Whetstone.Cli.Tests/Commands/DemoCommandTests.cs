using System.Text.Json;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

public sealed class DemoCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Demo_FreshHome_IngestsTheBundledSample()
    {
        var home = _dir.File("demo");

        var result = await CliRunner.RunAsync("demo", "--home", home, "--samples", TestPaths.Samples);
        var status = await CliRunner.RunAsync("status", "--json", "--home", home);

        Assert.Equal(0, result.Code);
        Assert.Contains("imported 1392", result.Out, StringComparison.Ordinal);
        Assert.Contains("imported 78", result.Out, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(status.Out);
        var byModel = doc.RootElement.GetProperty("trajectories").GetProperty("by_model");
        Assert.Equal(464, byModel.GetProperty("llama-2-7b-lora").GetInt64());
        Assert.Equal(464, byModel.GetProperty("gpt-3.5-turbo-0613-ft").GetInt64());
        Assert.Equal("gpt-3.5-turbo-0613-ft", doc.RootElement.GetProperty("live").GetProperty("model").GetString());
        Assert.NotNull(doc.RootElement.GetProperty("live").GetProperty("candidate").GetString());
        Assert.Contains("+ llm.model: \"gpt-3.5-turbo-0613-ft\"", result.Out, StringComparison.Ordinal);
        foreach (var artifact in new[]
        {
            "self-training-trajectories.json", "self-training-trajectories.jsonl", "self-training-job.json", "self-training-launch.json",
            "self-training-eval-report.json", "self-training-candidates.json", "self-training-promotion.json",
        })
        {
            Assert.True(File.Exists(Path.Combine(home, "artifacts", artifact)), artifact);
        }

        Assert.Contains("launch --dry-run recorded", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_ThenRollbackAsDemoAdmin_PutsTheWeakestModelBack()
    {
        var home = _dir.File("demo");
        await CliRunner.RunAsync("demo", "--home", home, "--samples", TestPaths.Samples);

        var rollback = await CliRunner.RunAsync("rollback", "--as", "demo-admin", "--home", home);
        var status = await CliRunner.RunAsync("status", "--json", "--home", home);

        Assert.Equal(0, rollback.Code);
        using var doc = JsonDocument.Parse(status.Out);
        Assert.Equal("llama-2-7b-lora", doc.RootElement.GetProperty("live").GetProperty("model").GetString());
        Assert.Contains("\"llama-2-7b-lora\"", File.ReadAllText(Path.Combine(home, "agent-config.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_FreshHome_PrintsAcceptedAndRejectedCountsByReason()
    {
        var home = _dir.File("demo");

        var result = await CliRunner.RunAsync("demo", "--home", home, "--samples", TestPaths.Samples);
        var status = await CliRunner.RunAsync("status", "--json", "--home", home);

        Assert.Equal(0, result.Code);
        Assert.Matches(@"policy q1-[0-9a-f]{10}: \d+ of 1470 runs accepted, \d+ not accepted; \d+ task clusters", result.Out);
        Assert.Contains("not accepted, by reason", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"\n  low_reward +\d+", result.Out);
        Assert.Contains("detour turns kept as context with weight 0", result.Out, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(status.Out);
        var counts = doc.RootElement.GetProperty("trajectories");
        Assert.True(counts.GetProperty("by_reason").GetProperty("low_reward").GetInt64() > 800);
        Assert.True(counts.GetProperty("accepted").GetInt64() > 500);
    }

    [Fact]
    public async Task Demo_Rerun_ResetsItsOwnHome()
    {
        var home = _dir.File("demo");
        await CliRunner.RunAsync("demo", "--home", home, "--samples", TestPaths.Samples);

        var again = await CliRunner.RunAsync("demo", "--home", home, "--samples", TestPaths.Samples);

        Assert.Equal(0, again.Code);
        Assert.Contains("imported 1392, duplicate 0", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_HomeWithOtherData_IsRefusedAndLeftAlone()
    {
        var home = _dir.File("real");
        var keep = _dir.Write("real/whetstone.db", "precious");

        var result = await CliRunner.RunAsync("demo", "--home", home, "--samples", TestPaths.Samples);

        Assert.Equal(1, result.Code);
        Assert.Contains("did not create", result.Error, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(keep));
    }
}
