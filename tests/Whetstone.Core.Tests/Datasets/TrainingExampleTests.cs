using Whetstone.Datasets;
using Whetstone.Datasets.Export;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Core.Tests.Datasets;

public class TrainingExampleTests
{
    private static Message User(string text) => new() { Role = Role.User, Content = text };

    private static Message Say(string text) => new() { Role = Role.Assistant, Content = text };

    private static Message Call(string id, string name = "f", string args = "{}") =>
        new() { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = id, Name = name, Arguments = Some.Json(args) }] };

    private static Message Result(string id, string text = "ok") => new() { Role = Role.Tool, ToolCallId = id, Content = text };

    private static Trajectory Run(params Message[] messages) => new() { Id = "r", Messages = messages };

    [Fact]
    public void From_TrailingToolTurns_AreCutBackToTheLastAnswer()
    {
        var (example, problem) = TrainingExample.From(Run(User("q"), Say("a"), Call("c1"), Result("c1")), [1, 1]);

        Assert.Null(problem);
        Assert.Equal([Role.User, Role.Assistant], example!.Messages.Select(m => m.Role));
    }

    [Theory]
    [InlineData("no final assistant answer")]
    public void From_OnlyCalls_IsRejected(string expected)
    {
        var (example, problem) = TrainingExample.From(Run(User("q"), Call("c1"), Result("c1")), [1]);

        Assert.Null(example);
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void From_UnansweredCall_IsRejected()
    {
        var (_, problem) = TrainingExample.From(Run(User("q"), Call("c1"), Say("done")), [1, 1]);

        Assert.Equal("an assistant turn comes before the result of call 'c1'", problem);
    }

    [Fact]
    public void From_AllTurnsWeightZero_IsRejected()
    {
        var (_, problem) = TrainingExample.From(Run(User("q"), Call("c1"), Result("c1"), Say("a")), [0, 0]);

        Assert.Contains("no learned assistant turn", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void From_StartsWithAssistant_IsRejected()
    {
        var (_, problem) = TrainingExample.From(Run(Say("hello"), User("q"), Say("a")), [1, 1]);

        Assert.Contains("does not start with a user message", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void From_InvalidArguments_IsRejected()
    {
        var bad = new Message { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = "c", Name = "f", RawArguments = "{oops" }] };

        var (_, problem) = TrainingExample.From(Run(User("q"), bad, Result("c"), Say("a")), [1, 1]);

        Assert.Contains("not valid JSON", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void From_CallToUnlistedTool_AddsItToTools()
    {
        var run = Run(User("q"), Call("c1", "lookup"), Result("c1"), Say("a")) with { Tools = [new ToolSpec { Name = "other" }] };

        var (example, _) = TrainingExample.From(run, [1, 1]);

        Assert.Equal(["other", "lookup"], example!.Tools.Select(t => t.Name));
        Assert.All(example.Tools, t => Assert.NotNull(t.Parameters));
    }

    [Fact]
    public void From_EmptyAssistantTurn_IsDroppedWithItsWeight()
    {
        var (example, _) = TrainingExample.From(Run(User("q"), Say(""), User("again"), Say("a")), [0, 1]);

        Assert.Equal([Role.User, Role.User, Role.Assistant], example!.Messages.Select(m => m.Role));
        Assert.Equal(1, example.Messages[^1].Weight);
    }

    [Fact]
    public void Linearize_ParallelCalls_PairsEachCallWithItsResult()
    {
        var parallel = new Message
        {
            Role = Role.Assistant,
            Content = "checking both",
            ToolCalls = [new ToolCall { Id = "a", Name = "f", Arguments = Some.Json("{}") }, new ToolCall { Id = "b", Name = "g", Arguments = Some.Json("{}") }],
        };
        var (example, _) = TrainingExample.From(Run(User("q"), parallel, Result("b", "rb"), Result("a", "ra"), Say("done")), [1, 1]);

        var linear = Linearizer.Linearize(example!, splitParallel: true).ToList();

        Assert.Equal(["q", "a", "ra", "b", "rb", "done"], linear.Select(m => m.HasCalls ? m.Calls[0].Id : m.Content));
        Assert.Equal("checking both", linear[1].Content);
        Assert.Equal("", linear[3].Content);
    }

    [Fact]
    public void ShareGpt_ConsecutiveUserTurns_AreMergedAndAlternationHolds()
    {
        var (example, _) = TrainingExample.From(Run(
            new Message { Role = Role.System, Content = "sys" }, User("one"), User("two"), Call("c"), Result("c"), Say("a")), [1, 1]);

        var (turns, system, problem) = ShareGptExporter.Build(example!);

        Assert.Null(problem);
        Assert.Equal("sys", system);
        Assert.Equal(["human", "function_call", "observation", "gpt"], turns!.Select(t => t.From));
        Assert.Equal("one\n\ntwo", turns![0].Value);
    }

    [Fact]
    public void ShareGpt_TextBetweenCallAndResult_CannotAlternate()
    {
        var (example, _) = TrainingExample.From(Run(User("q"), Call("c"), Result("c"), User("more"), Say("a")), [1, 1]);

        var (turns, _, problem) = ShareGptExporter.Build(example!);

        Assert.Null(turns);
        Assert.Equal("a user message directly after a tool result", problem);
    }

    [Fact]
    public async Task Export_OpenAiTrainSplitUnderTen_IsRefused()
    {
        var store = new FakeSnapshotStore([(GoldenRuns.FireAct, Split.Train, "111")]);
        using var dir = new TempDir();

        var e = await Assert.ThrowsAsync<WhetstoneException>(() => new DatasetExporter(store).ExportAsync("snap-test", dir.Path,
            new ExportOptions { Format = ExportFormats.OpenAi }, TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.Refused, e.Code);
        Assert.Contains("at least 10 training examples", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Export_OverTokenLimit_IsSkippedWithReason()
    {
        var store = new FakeSnapshotStore([(GoldenRuns.FireAct, Split.Eval, "111"), (GoldenRuns.Conversation, Split.Eval, "1111")]);
        using var dir = new TempDir();

        var result = await new DatasetExporter(store).ExportAsync("snap-test", dir.Path,
            new ExportOptions { Format = ExportFormats.Hf, Splits = [Split.Eval], MaxTokens = 150 }, TestContext.Current.CancellationToken);

        Assert.Equal(1, result.Skipped);
        Assert.Equal(1, result.Files["eval"].Examples);
        Assert.Matches(@"^tooltalk-golden_conversation_2: \d+ tokens, over the limit of 150$", Assert.Single(result.Problems));
    }

    [Fact]
    public async Task Export_Strict_FailsOnFirstBadRun()
    {
        var broken = Run(User("q"), Call("c1"), Result("c1"));
        var store = new FakeSnapshotStore([(broken, Split.Eval, "1"), (GoldenRuns.FireAct, Split.Eval, "111")]);
        using var dir = new TempDir();

        var e = await Assert.ThrowsAsync<WhetstoneException>(() => new DatasetExporter(store).ExportAsync("snap-test", dir.Path,
            new ExportOptions { Format = ExportFormats.Hf, Splits = [Split.Eval], Strict = true }, TestContext.Current.CancellationToken));

        Assert.Contains("r: no final assistant answer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_UnknownSnapshot_IsNotFound()
    {
        using var dir = new TempDir();

        var e = await Assert.ThrowsAsync<WhetstoneException>(() => new DatasetExporter(new FakeSnapshotStore([])).ExportAsync("snap-x", dir.Path,
            new ExportOptions { Format = ExportFormats.Hf }, TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.NotFound, e.Code);
    }
}
