using System.Text.Json;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Core.Tests.Trajectories;

public class TrajectoryJsonTests
{
    [Fact]
    public void Serialize_FullTrajectory_RoundTripsWithoutLoss()
    {
        var original = Some.FullTrajectory();

        var json = WhetstoneJson.Serialize(original);
        var back = WhetstoneJson.DeserializeTrajectory(json);

        Assert.Equal(json, WhetstoneJson.Serialize(back));
        Assert.Equal("I should look the order up.", back.Messages[2].Reasoning);
        Assert.Equal("1234", back.Messages[2].ToolCalls![0].Arguments!.Value.GetProperty("order_id").GetString());
        Assert.Equal("call_1", back.Messages[3].ToolCallId);
        Assert.Equal(OutcomeStatus.Completed, back.Outcome.Status);
        Assert.Equal(0.9, back.Outcome.Reward);
        Assert.Equal("positive", back.Outcome.Feedback[0].Rating);
        Assert.Equal(2, back.Metadata!["attempt"].GetInt32());
        Assert.Equal(original.StartedAt, back.StartedAt);
        Assert.Equal(original.Messages[1].Timestamp, back.Messages[1].Timestamp);
    }

    [Fact]
    public void Serialize_Trajectory_UsesSnakeCaseKeysAndStringEnums()
    {
        var json = WhetstoneJson.Serialize(Some.FullTrajectory());

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("schema_version").GetInt32());
        Assert.Equal("support-bot", root.GetProperty("agent_id").GetString());
        Assert.Equal("assistant", root.GetProperty("messages")[2].GetProperty("role").GetString());
        Assert.Equal("call_1", root.GetProperty("messages")[3].GetProperty("tool_call_id").GetString());
        Assert.Equal("completed", root.GetProperty("outcome").GetProperty("status").GetString());
        Assert.True(root.GetProperty("outcome").GetProperty("goals_met").GetBoolean());
        Assert.False(root.GetProperty("messages")[0].TryGetProperty("has_tool_calls", out _));
    }

    [Fact]
    public void Serialize_InvalidArguments_KeepsRawText()
    {
        var t = Some.FullTrajectory() with
        {
            Messages = [new Message { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = "c", Name = "f", RawArguments = "{not json" }] }],
        };

        var back = WhetstoneJson.DeserializeTrajectory(WhetstoneJson.Serialize(t));

        var call = back.Messages[0].ToolCalls![0];
        Assert.False(call.HasValidArguments);
        Assert.Equal("{not json", call.ArgumentsText());
    }

    [Fact]
    public void ContentId_SameRecordWithKeysReordered_GivesSameId()
    {
        var a = Some.Json("""{"messages":[{"role":"user","content":"hi"}],"tools":[]}""");
        var b = Some.Json("""{ "tools": [], "messages": [ { "content": "hi", "role": "user" } ] }""");
        var c = Some.Json("""{"messages":[{"role":"user","content":"hi!"}],"tools":[]}""");

        Assert.Equal(CanonicalJson.ContentId(a), CanonicalJson.ContentId(b));
        Assert.NotEqual(CanonicalJson.ContentId(a), CanonicalJson.ContentId(c));
        Assert.Matches("^t-[0-9a-f]{24}$", CanonicalJson.ContentId(a));
    }
}
