using System.Text.Json;
using Whetstone.Evaluation;
using Whetstone.Trajectories;

namespace Whetstone.Tests.Evaluation;

public sealed class EvalCasesTests
{
    [Fact]
    public void FromTrajectories_OneCasePerAssistantTurn_WithPrefixToolsAndStableIds()
    {
        var t = Some.FullTrajectory("run-7");
        var cases = EvalCases.FromTrajectories([t]);

        Assert.Equal(2, cases.Count);
        Assert.Equal("run-7#0", cases[0].CaseId);
        Assert.Equal(0, cases[0].TurnIndex);
        Assert.Equal(2, cases[0].Prefix.Count); // system + user
        Assert.True(cases[0].ReferenceIsToolCall);
        Assert.Equal("lookup_order", cases[0].Reference.ToolCalls![0].Name);
        Assert.Same(t.Tools, cases[0].Tools);

        Assert.Equal("run-7#1", cases[1].CaseId);
        Assert.Equal(1, cases[1].TurnIndex);
        Assert.Equal(4, cases[1].Prefix.Count); // … + assistant call + tool result
        Assert.False(cases[1].ReferenceIsToolCall);
        Assert.Equal("order-status", cases[1].TaskKey);

        Assert.Equal(cases.Select(c => c.CaseId), EvalCases.FromTrajectories([t]).Select(c => c.CaseId));
    }

    [Fact]
    public void FromStored_SkipsRejectedRunsAndZeroWeightTurns()
    {
        var accepted = Some.Stored(Some.FullTrajectory("good"));
        var weighted = Some.Stored(Some.FullTrajectory("dead-end")) is var s
            ? s with { Verdict = s.Verdict with { TurnWeights = [0, 1] } }
            : null!;
        var rejected = Some.Stored(Some.FullTrajectory("bad"), accepted: false);

        var cases = EvalCases.FromStored([accepted, weighted, rejected]);

        Assert.Equal(["good#0", "good#1", "dead-end#1"], cases.Select(c => c.CaseId));
    }

    [Fact]
    public void WriteJson_ListsCasesInOpenAiFormat_WithoutTheReference()
    {
        var cases = EvalCases.FromTrajectories([Some.FullTrajectory("run-1")]);
        using var doc = JsonDocument.Parse(EvalCases.ToJson(cases));
        var second = doc.RootElement[1];

        Assert.Equal("run-1#1", second.GetProperty("case_id").GetString());
        Assert.Equal(1, second.GetProperty("turn_index").GetInt32());
        var messages = second.GetProperty("messages");
        Assert.Equal(4, messages.GetArrayLength());
        var call = messages[2].GetProperty("tool_calls")[0];
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal("""{"order_id":"1234"}""", call.GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("call_1", messages[3].GetProperty("tool_call_id").GetString());
        Assert.Equal("lookup_order", second.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.False(second.TryGetProperty("reference", out _));
    }

    [Fact]
    public void FromTrajectories_ToolTalkSample_BuildsCasesForEveryAnsweredTurn()
    {
        var runs = TrajectoryFileReader.Read(File.OpenRead(TestPaths.ToolTalk), "tooltalk.jsonl").Select(i => i.Trajectory!).ToList();
        var cases = EvalCases.FromTrajectories(runs);
        var assistantTurns = runs.Sum(r => r.Messages.Count(m => m.Role == Role.Assistant));

        Assert.Equal(assistantTurns, cases.Count);
        Assert.Contains(cases, c => c.ReferenceIsToolCall);
        Assert.Contains(cases, c => !c.ReferenceIsToolCall);
        Assert.Equal(cases.Count, cases.Select(c => c.CaseId).Distinct().Count());
    }
}

public sealed class OpenAiChatFormatTests
{
    [Fact]
    public void ParseResponse_ToolCallWithStringArguments_BecomesToolCallAndUsage()
    {
        var body = """
            {"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":null,
              "tool_calls":[{"id":"call_9","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"42\"}"}}]},
              "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}
            """u8.ToArray();
        var (message, usage) = OpenAiChatFormat.ParseResponse(body);

        Assert.Equal(Role.Assistant, message.Role);
        Assert.Equal("lookup_order", message.ToolCalls![0].Name);
        Assert.Equal("42", message.ToolCalls[0].Arguments!.Value.GetProperty("order_id").GetString());
        Assert.Equal(18, usage!.TotalTokens);
    }

    [Fact]
    public void ParseAssistantMessage_InvalidArguments_KeptRaw()
    {
        var m = OpenAiChatFormat.ParseAssistantMessage(Some.Json("""{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{oops"}}]}"""));
        Assert.Null(m.ToolCalls![0].Arguments);
        Assert.Equal("{oops", m.ToolCalls[0].RawArguments);
    }

    [Fact]
    public void ParseResponse_NoChoices_Throws() =>
        Assert.Throws<FormatException>(() => OpenAiChatFormat.ParseResponse("""{"choices":[]}"""u8.ToArray()));

    [Fact]
    public void ParseAssistantMessage_UserRole_Throws() =>
        Assert.Throws<FormatException>(() => OpenAiChatFormat.ParseAssistantMessage(Some.Json("""{"role":"user","content":"hi"}""")));

    [Fact]
    public void RequestBytes_HoldsModelMessagesToolsAndTemperature()
    {
        var t = Some.FullTrajectory();
        using var doc = JsonDocument.Parse(OpenAiChatFormat.RequestBytes("m1", t.Messages, t.Tools, 0, 64));
        var root = doc.RootElement;
        Assert.Equal("m1", root.GetProperty("model").GetString());
        Assert.Equal(5, root.GetProperty("messages").GetArrayLength());
        Assert.Equal("object", root.GetProperty("tools")[0].GetProperty("function").GetProperty("parameters").GetProperty("type").GetString());
        Assert.Equal(0, root.GetProperty("temperature").GetDouble());
        Assert.Equal(64, root.GetProperty("max_tokens").GetInt32());
    }
}
