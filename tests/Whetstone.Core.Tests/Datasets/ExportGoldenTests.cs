using System.Text.Json;
using Parquet.Serialization;
using Whetstone.Datasets;
using Whetstone.Datasets.Export;
using Whetstone.Tests;

namespace Whetstone.Core.Tests.Datasets;

/// <summary>Each format's output for three real sample runs (tool calls, parallel calls, a weight-0 turn) is
/// compared byte for byte with a reviewed golden file. Set WHETSTONE_UPDATE_GOLDEN=1 to rewrite them.</summary>
public sealed class ExportGoldenTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // The golden runs sit in the validation split: OpenAI needs ten examples in a training file, not in others.
    private static FakeSnapshotStore Store() => new(
    [
        (GoldenRuns.FireAct, Split.Validation, "101"),
        (GoldenRuns.ParallelCalls, Split.Validation, "1011"),
        (GoldenRuns.Conversation, Split.Validation, "1111"),
    ]);

    private static string GoldenPath(string name) =>
        Path.Combine(TestPaths.Root, "tests", "Whetstone.Core.Tests", "Datasets", "Golden", name);

    private static void AssertGolden(string name, string actual)
    {
        var path = GoldenPath(name);
        if (Environment.GetEnvironmentVariable("WHETSTONE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"golden file {name} is missing");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    [Theory]
    [InlineData(ExportFormats.OpenAi, ExportFormats.DefaultTarget, "openai.jsonl")]
    [InlineData(ExportFormats.Hf, ExportFormats.DefaultTarget, "hf.jsonl")]
    [InlineData(ExportFormats.Hf, ExportFormats.Qwen3, "hf-qwen3.jsonl")]
    [InlineData(ExportFormats.Hf, ExportFormats.DeepSeek, "hf-deepseek.jsonl")]
    [InlineData(ExportFormats.Axolotl, ExportFormats.DefaultTarget, "axolotl.jsonl")]
    [InlineData(ExportFormats.ShareGpt, ExportFormats.DefaultTarget, "sharegpt.jsonl")]
    public async Task Export_SampleRuns_MatchGoldenFile(string format, string target, string golden)
    {
        var result = await new DatasetExporter(Store()).ExportAsync("snap-test", _dir.Path,
            new ExportOptions { Format = format, Target = target, Splits = [Split.Validation] }, TestContext.Current.CancellationToken);

        Assert.Equal(3, result.Files["validation"].Examples);
        AssertGolden(golden, File.ReadAllText(result.Files["validation"].Path));
    }

    [Fact]
    public async Task Export_Sharegpt_WritesDatasetInfoNamingEachSplit()
    {
        var result = await new DatasetExporter(Store()).ExportAsync("snap-test", _dir.Path,
            new ExportOptions { Format = ExportFormats.ShareGpt }, TestContext.Current.CancellationToken);

        var info = Assert.Single(result.ConfigFiles);
        AssertGolden("dataset_info.json", File.ReadAllText(info.Path));
    }

    [Fact]
    public async Task Export_Axolotl_WritesConfigWithTrainFlags()
    {
        var result = await new DatasetExporter(Store()).ExportAsync("snap-test", _dir.Path,
            new ExportOptions { Format = ExportFormats.Axolotl, BaseModel = "Qwen/Qwen3-0.6B" }, TestContext.Current.CancellationToken);

        var yaml = File.ReadAllText(Assert.Single(result.ConfigFiles).Path);
        Assert.Contains("type: chat_template", yaml, StringComparison.Ordinal);
        Assert.Contains("message_field_training: train", yaml, StringComparison.Ordinal);
        Assert.Contains("base_model: \"Qwen/Qwen3-0.6B\"", yaml, StringComparison.Ordinal);
        Assert.Contains("test_datasets:", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_Parquet_RoundTripsMessagesToolsAndWeights()
    {
        var result = await new DatasetExporter(Store()).ExportAsync("snap-test", _dir.Path,
            new ExportOptions { Format = ExportFormats.Parquet, Splits = [Split.Validation] }, TestContext.Current.CancellationToken);

        await using var stream = File.OpenRead(result.Files["validation"].Path);
        var result2 = await ParquetSerializer.DeserializeAsync<ParquetRow>(stream, cancellationToken: TestContext.Current.CancellationToken);
        var rows = result2.Data.ToList();
        Assert.Equal(
            ["messages", "tools", "parallel_tool_calls", "trajectory_id"],
            result2.Schema.Fields.Select(f => f.Name));
        var json = string.Join("\n", rows.Select(r => JsonSerializer.Serialize(r))) + "\n";
        AssertGolden("parquet-rows.jsonl", json);
        Assert.Equal(3, rows.Count);
        var fireact = rows[0];
        Assert.Equal([1, 0, 1], fireact.Messages.Where(m => m.Role == "assistant").Select(m => m.Weight!.Value));
        Assert.Equal("{\"input\":\"Kurt Gerron German Jewish descent\"}", fireact.Messages[1].ToolCalls![0].Function.Arguments);
        Assert.True(rows[1].ParallelToolCalls);
        using var tools = JsonDocument.Parse(rows[1].Tools);
        Assert.Equal("function", tools.RootElement[0].GetProperty("type").GetString());
    }
}
