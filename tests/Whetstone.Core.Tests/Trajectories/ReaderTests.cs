using System.Text;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Core.Tests.Trajectories;

public class ReaderTests
{
    private static List<ReadItem> ReadText(string text, string format = TrajectoryFormats.Auto, string name = "input.jsonl") =>
        TrajectoryFileReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), name, format).ToList();

    private static Trajectory ReadOne(string text, string format = TrajectoryFormats.Auto)
    {
        var items = ReadText(text, format);
        var item = Assert.Single(items);
        Assert.True(item.Error is null, item.Error?.ToString());
        return item.Trajectory!;
    }

    [Theory]
    [InlineData("""{"schema_version":1,"id":"c1","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}""")]
    [InlineData("""{"schema_version":1,"id":"c1","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],"outcome":{"status":"completed"}}""")]
    public void Canonical_WithoutToolsOutcomeOrFeedback_GetsTheirDefaults(string record)
    {
        var t = ReadOne(record);

        Assert.NotNull(t.Outcome);
        Assert.Empty(t.Outcome.Feedback);
        Assert.Empty(t.Tools);
        Assert.Equal(2, t.Messages.Count);
    }

    [Fact]
    public void OpenAi_ToolTalkSampleLine_LinksCallsAndResults()
    {
        var line = TestPaths.Lines(TestPaths.ToolTalk).First(l => l.Contains("golden_conversation_2", StringComparison.Ordinal));

        var t = ReadOne(line, TrajectoryFormats.OpenAi);

        Assert.Equal("tooltalk-golden_conversation_2", t.Id);
        Assert.Equal("Hey, I think I need a break. Do I have an hour for a walk?", t.Task);
        var call = t.Messages.First(m => m.HasToolCalls).ToolCalls![0];
        Assert.Equal("QueryCalendar", call.Name);
        Assert.Equal("2023-09-11 13:20:00", call.Arguments!.Value.GetProperty("start_time").GetString());
        var result = t.Messages.Single(m => m.Role == Role.Tool && m.ToolCallId == call.Id);
        Assert.Contains("events", result.Content, StringComparison.Ordinal);
        Assert.Equal(["QueryCalendar", "CreateEvent"], t.Tools.Select(x => x.Name));
        Assert.Equal("Seattle", t.Metadata!["location"].GetString());
    }

    [Fact]
    public void Read_ManyLinesWithBadAndBlankOnes_ItemsInLineOrderWithTheirLineNumbers()
    {
        // More lines than one parallel chunk: order, line numbers and errors must come out as a serial read gives them.
        var lines = new List<string>();
        for (var i = 0; i < 700; i++)
        {
            lines.Add(i == 300 ? "{ not json" : i % 97 == 0 ? "   " : $$"""{"id":"r{{i}}","messages":[{"role":"user","content":"hello {{i}}"}]}""");
        }

        var items = ReadText(string.Join("\n", lines));

        var expected = Enumerable.Range(0, 700).Where(i => i % 97 != 0).ToList();
        Assert.Equal(expected.Count, items.Count);
        for (var k = 0; k < expected.Count; k++)
        {
            var i = expected[k];
            if (i == 300)
            {
                Assert.Equal(301, items[k].Error!.Line);
            }
            else
            {
                Assert.Equal("r" + i, items[k].Trajectory!.Id);
            }
        }
    }

    [Fact]
    public void OpenAi_EveryToolTalkSample_IsRead()
    {
        var items = TrajectoryFileReader.Read(File.OpenRead(TestPaths.ToolTalk), "tooltalk.jsonl").ToList();

        Assert.Equal(78, items.Count);
        Assert.All(items, i => Assert.Null(i.Error));
        Assert.All(items, i => Assert.Equal(TrajectoryFormats.OpenAi, i.Format));
    }

    [Fact]
    public void OpenAi_LegacyFunctionCall_BecomesLinkedToolCall()
    {
        var t = ReadOne("""
            {"messages":[{"role":"user","content":"2+2?"},{"role":"assistant","content":null,"function_call":{"name":"calc","arguments":"{\"expr\":\"2+2\"}"}},{"role":"function","name":"calc","content":"4"},{"role":"assistant","content":"4"}]}
            """);

        var call = t.Messages[1].ToolCalls![0];
        Assert.Equal("calc", call.Name);
        Assert.Equal("2+2", call.Arguments!.Value.GetProperty("expr").GetString());
        Assert.Equal(Role.Tool, t.Messages[2].Role);
        Assert.Equal(call.Id, t.Messages[2].ToolCallId);
        Assert.Equal("calc", Assert.Single(t.Tools).Name);
        Assert.StartsWith("t-", t.Id, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenAi_ContentPartsReasoningToolsAndOutcome_AreRead()
    {
        var t = ReadOne("""
            {"id":"r1","model":"qwen3","agent_id":"a","session_id":7,"messages":[
              {"role":"developer","content":[{"type":"text","text":"Be brief."}]},
              {"role":"user","content":[{"type":"text","text":"Look "},{"type":"image_url","image_url":{"url":"x"}}]},
              {"role":"assistant","reasoning_content":"need a tool","tool_calls":[{"id":"c1","type":"function","function":{"name":"find","arguments":"{bad"}}]},
              {"role":"tool","tool_call_id":"c1","content":"none"},
              {"role":"assistant","content":"Nothing found."}],
             "tools":[{"type":"function","function":{"name":"find","description":"search","parameters":{"type":"object","properties":{}}}}],
             "outcome":{"status":"completed","goals_met":true,"delivered":true,"unresolved_failures":0,"status_only":false,"reward":0.5,"feedback":[{"rating":"negative","comment":"too slow"}]},
             "extra_field":"kept"}
            """);

        Assert.Equal(Role.System, t.Messages[0].Role);
        Assert.Equal("Look [image_url]", t.Messages[1].Content);
        Assert.Equal("need a tool", t.Messages[2].Reasoning);
        Assert.Equal("{bad", t.Messages[2].ToolCalls![0].RawArguments);
        Assert.Null(t.Messages[2].ToolCalls![0].Arguments);
        Assert.Equal("search", t.Tools[0].Description);
        Assert.Equal("7", t.SessionId);
        Assert.Equal("qwen3", t.Model!.Name);
        Assert.Equal(OutcomeStatus.Completed, t.Outcome.Status);
        Assert.Equal(0.5, t.Outcome.Reward);
        Assert.Equal("negative", t.Outcome.Feedback[0].Rating);
        Assert.Equal("kept", t.Metadata!["extra_field"].GetString());
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"bot","content":"x"}]}""", "$.messages[0].role", "unknown role 'bot'")]
    [InlineData("""{"messages":[{"role":"user","content":"x"},{"role":"tool","tool_call_id":"nope","content":"r"}]}""", "$.messages[1].tool_call_id", "does not answer")]
    [InlineData("""{"messages":[]}""", "$.messages", "at least one message")]
    [InlineData("""{"messages":"hello"}""", "$.messages", "must be an array")]
    [InlineData("""{"messages":[{"role":"user","content":5}]}""", "$.messages[0].content", "must be a string")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"outcome":{"reward":3}}""", "$.outcome.reward", "between 0 and 1")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"outcome":{"status":"meh"}}""", "$.outcome.status", "unknown status")]
    [InlineData("""{"messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"arguments":"{}"}}]}]}""", "$.messages[0].tool_calls[0].function.name", "is required")]
    public void OpenAi_MalformedRecord_ReportsPathAndProblem(string record, string path, string problem)
    {
        var item = Assert.Single(ReadText(record, TrajectoryFormats.OpenAi));

        Assert.Null(item.Trajectory);
        Assert.Equal(path, item.Error!.Path);
        Assert.Contains(problem, item.Error.Message, StringComparison.Ordinal);
        Assert.Equal(1, item.Error.Line);
    }

    [Fact]
    public void ReAct_FireActChatRun_BecomesToolCallsWithObservations()
    {
        var line = TestPaths.Lines(TestPaths.FireAct).First(l => l.Contains("\"messages\"", StringComparison.Ordinal) && l.Contains("Observation", StringComparison.Ordinal));

        var t = ReadOne(line);

        var assistants = t.Messages.Where(m => m.Role == Role.Assistant).ToList();
        Assert.True(assistants.Count >= 2);
        Assert.All(assistants, a => Assert.False(string.IsNullOrEmpty(a.Reasoning)));
        var firstCall = assistants[0].ToolCalls![0];
        Assert.Contains(firstCall.Name, new[] { "search", "lookup" });
        Assert.False(string.IsNullOrWhiteSpace(firstCall.Arguments!.Value.GetProperty("input").GetString()));
        Assert.Equal(firstCall.Id, t.Messages.First(m => m.Role == Role.Tool).ToolCallId);
        Assert.False(assistants[^1].HasToolCalls);
        Assert.False(string.IsNullOrWhiteSpace(assistants[^1].Content));
        Assert.DoesNotContain(t.Messages, m => m.Content?.StartsWith("Observation:", StringComparison.Ordinal) == true);
        Assert.NotNull(t.TaskKey);
        Assert.NotNull(t.Outcome.Reward);
    }

    [Fact]
    public void ReAct_AlpacaTextRun_ExtractsTaskAndSteps()
    {
        var t = ReadOne("""
            {"id":"x","text":"Below is an instruction.\n\n### Instruction:\nWho is older, A or B?\n\n### Response:\nThought: I need A's age.\nAction: search[A birth date]\nObservation: 1961\nmore text\nThought: Now B.\nAction: lookup[B]\nObservation: 1987\nThought: A is older.\nAction: finish[A]\n"}
            """);

        Assert.Equal("Who is older, A or B?", t.Task);
        Assert.Equal(
            [Role.User, Role.Assistant, Role.Tool, Role.Assistant, Role.Tool, Role.Assistant],
            t.Messages.Select(m => m.Role));
        Assert.Equal("A birth date", t.Messages[1].ToolCalls![0].Arguments!.Value.GetProperty("input").GetString());
        Assert.Equal("1961\nmore text", t.Messages[2].Content);
        Assert.Equal("lookup", t.Messages[3].ToolCalls![0].Name);
        Assert.Equal("A", t.Messages[5].Content);
        Assert.Equal("A is older.", t.Messages[5].Reasoning);
        Assert.Equal(["search", "lookup"], t.Tools.Select(x => x.Name));
    }

    [Fact]
    public void ReAct_EveryFireActSample_IsReadAsReact()
    {
        var items = TrajectoryFileReader.Read(File.OpenRead(TestPaths.FireAct), "fireact.jsonl").ToList();

        Assert.Equal(1392, items.Count);
        Assert.All(items, i => Assert.Null(i.Error));
        Assert.All(items, i => Assert.Equal(TrajectoryFormats.ReAct, i.Format));
        Assert.All(items, i => Assert.Contains(i.Trajectory!.Messages, m => m.Role == Role.Assistant));
    }

    [Fact]
    public void Auto_PlainChatWithoutReActPattern_IsNotReact()
    {
        var items = ReadText("""
            {"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Thought: maybe. But no action here."}]}
            """);

        Assert.Equal(TrajectoryFormats.OpenAi, Assert.Single(items).Format);
    }

    [Fact]
    public void OrcBot_FixtureFile_MapsStepsFailuresAndDeliveryAudit()
    {
        var items = TrajectoryFileReader.Read(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "orcbot-trajectories.json")), "orcbot.json").ToList();

        Assert.Equal(3, items.Count);
        var t = items[0].Trajectory!;
        Assert.Equal(TrajectoryFormats.OrcBot, items[0].Format);
        Assert.Equal("orc-1", t.Id);
        Assert.Equal("Find the weather in Oslo and tell the user", t.Task);
        Assert.Equal("gpt-4o-mini", t.Model!.Name);
        Assert.Equal("openai", t.Model.Provider);
        Assert.Equal("scope-9", t.SessionId);
        var tools = t.Messages.Where(m => m.Role == Role.Tool).ToList();
        Assert.True(tools[0].IsError);
        Assert.Equal("rate limited", tools[0].Content);
        Assert.False(tools[1].IsError);
        Assert.Equal("Oslo weather now", t.Messages[3].ToolCalls![0].Arguments!.Value.GetProperty("query").GetString());
        Assert.Equal("Oslo weather", t.Messages[1].ToolCalls![0].Arguments!.Value.GetProperty("query").GetString());
        Assert.Equal("It is 4°C and cloudy in Oslo.", t.Messages[^1].Content);
        Assert.Equal(OutcomeStatus.Completed, t.Outcome.Status);
        Assert.Equal(0, t.Outcome.UnresolvedFailures);
        Assert.Equal("555123", t.Metadata!["source_id"].GetString());

        var failed = items[1].Trajectory!;
        Assert.Equal(OutcomeStatus.Failed, failed.Outcome.Status);
        Assert.Equal(2, failed.Outcome.UnresolvedFailures);
        Assert.True(failed.Outcome.StatusOnly);

        Assert.Null(items[2].Trajectory);
        Assert.Equal("$.actionStatus", items[2].Error!.Path);
        Assert.Equal(2, items[2].Error!.Item);
    }

    [Fact]
    public void Whetstone_CanonicalJsonLine_RoundTripsThroughReader()
    {
        var original = Some.FullTrajectory();

        var t = ReadOne(WhetstoneJson.Serialize(original));

        Assert.Equal(WhetstoneJson.Serialize(original), WhetstoneJson.Serialize(t));
    }

    [Fact]
    public void Whetstone_RecordWithoutId_GetsContentHashId()
    {
        var json = WhetstoneJson.Serialize(Some.FullTrajectory()).Replace("\"id\":\"run-1\",", "", StringComparison.Ordinal);

        var a = ReadOne(json, TrajectoryFormats.Whetstone);
        var b = ReadOne(json, TrajectoryFormats.Whetstone);

        Assert.Matches("^t-[0-9a-f]{24}$", a.Id);
        Assert.Equal(a.Id, b.Id);
    }

    [Fact]
    public void FileReader_BadLines_AreReportedWithLineNumbersAndRestIsRead()
    {
        var text = string.Join("\n",
            """{"id":"a","messages":[{"role":"user","content":"one"}]}""",
            "",
            "{not json",
            """{"id":"c","messages":[{"role":"user","content":"three"}]}""",
            "[1,2]",
            """{"id":"e","nothing":true}""");

        var items = ReadText(text, name: "runs.jsonl");

        Assert.Equal(["a", "c"], items.Where(i => i.Trajectory is not null).Select(i => i.Trajectory!.Id));
        var errors = items.Where(i => i.Error is not null).Select(i => i.Error!).ToList();
        Assert.Equal([3, 5, 6], errors.Select(e => e.Line!.Value));
        Assert.StartsWith("runs.jsonl:3: not valid JSON", errors[0].ToString(), StringComparison.Ordinal);
        Assert.Contains("no known format", errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileReader_PrettyPrintedArray_ReadsEachItem()
    {
        var items = ReadText("""
            [
              { "id": "p1", "messages": [ { "role": "user", "content": "hi" } ] },
              { "id": "p2", "messages": [ { "role": "user", "content": "yo" } ] }
            ]
            """, name: "runs.json");

        Assert.Equal(["p1", "p2"], items.Select(i => i.Trajectory!.Id));
    }

    [Fact]
    public void FileReader_TruncatedDocument_IsOneErrorNotACrash()
    {
        var item = Assert.Single(ReadText("{\n  \"trajectories\": [\n    {\"id\": 1,", name: "broken.json"));

        Assert.Contains("not valid JSON", item.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileReader_UnknownFormatName_IsBadInput()
    {
        var e = Assert.Throws<WhetstoneException>(() => ReadText("{}", "yaml"));

        Assert.Equal(ErrorCode.BadInput, e.Code);
        Assert.Contains("yaml", e.Message, StringComparison.Ordinal);
    }
}
