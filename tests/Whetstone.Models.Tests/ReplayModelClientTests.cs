using Whetstone.Evaluation;
using Whetstone.Tests;

namespace Whetstone.Models.Tests;

public sealed class ReplayModelClientTests
{
    private static ModelRequest Req(string id) => new(id, [], []);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompleteAsync_AnswersRecordedCases_MissingCaseIsItsError()
    {
        using var dir = new TempDir();
        var file = dir.Write("out.jsonl", """
            {"case_id":"r1#0","message":{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"search","arguments":"{\"q\":\"x\"}"}}]},"usage":{"prompt_tokens":30,"completion_tokens":8}}

            {"case_id":"r1#1","message":{"role":"assistant","content":"Paris"}}
            {"case_id":"r2#0","error":"CUDA out of memory"}
            """);
        var client = ModelClients.Create("replay:" + file, new ModelClientOptions());

        var call = await client.CompleteAsync(Req("r1#0"), Ct);
        Assert.Equal("search", call.Message!.ToolCalls![0].Name);
        Assert.Equal(38, call.Usage!.TotalTokens);
        Assert.Equal("Paris", (await client.CompleteAsync(Req("r1#1"), Ct)).Message!.Content);
        Assert.Equal("replay_error", (await client.CompleteAsync(Req("r2#0"), Ct)).Error!.Code);
        Assert.Equal("replay_missing_case", (await client.CompleteAsync(Req("r9#0"), Ct)).Error!.Code);
    }

    [Fact]
    public void Create_RelativePath_ResolvedAgainstBaseDirectory()
    {
        using var dir = new TempDir();
        dir.Write("sub/out.jsonl", """{"case_id":"a","message":{"role":"assistant","content":"x"}}""");
        var client = ModelClients.Create("replay:sub/out.jsonl", new ModelClientOptions { BaseDirectory = dir.Path });
        Assert.Equal(1, Assert.IsType<ReplayModelClient>(client).Count);
    }

    [Theory]
    [InlineData("not json", "out.jsonl:1: not JSON")]
    [InlineData("""{"message":{"role":"assistant","content":"x"}}""", "'case_id'")]
    [InlineData("""{"case_id":"a"}""", "'message'")]
    [InlineData("""{"case_id":"a","message":{"role":"user","content":"x"}}""", "role 'assistant'")]
    [InlineData("{\"case_id\":\"a\",\"message\":{\"role\":\"assistant\",\"content\":\"x\"}}\n{\"case_id\":\"a\",\"message\":{\"role\":\"assistant\",\"content\":\"y\"}}", "out.jsonl:2: case_id 'a' appears more than once")]
    public void Create_MalformedFile_IsBadInputNamingTheLine(string content, string expected)
    {
        using var dir = new TempDir();
        var file = dir.Write("out.jsonl", content);
        var e = Assert.Throws<WhetstoneException>(() => ModelClients.Create("replay:" + file, new ModelClientOptions()));
        Assert.Equal(ErrorCode.BadInput, e.Code);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MissingFile_IsNotFound() =>
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<WhetstoneException>(() => ModelClients.Create("replay:/nonexistent/x.jsonl", new ModelClientOptions())).Code);
}
