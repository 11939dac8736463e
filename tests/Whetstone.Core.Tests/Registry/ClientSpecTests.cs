using Whetstone.Registry;

namespace Whetstone.Core.Tests.Registry;

public class ClientSpecTests
{
    [Theory]
    [InlineData("openai:http://127.0.0.1:8000/v1", "openai", "http://127.0.0.1:8000/v1")]
    [InlineData("gguf:/models/q.gguf", "gguf", "/models/q.gguf")]
    [InlineData("replay:out.jsonl", "replay", "out.jsonl")]
    [InlineData("none", "none", null)]
    public void Parse_ValidSpecs_GiveKindAndTarget(string spec, string kind, string? target)
    {
        var s = ClientSpec.Parse(spec);

        Assert.Equal(kind, s.Kind);
        Assert.Equal(target, s.Target);
        Assert.Equal(spec, s.ToString());
    }

    [Theory]
    [InlineData("openai:not-a-url")]
    [InlineData("gguf:")]
    [InlineData("ollama:x")]
    [InlineData("")]
    public void Parse_BadSpecs_AreBadInput(string spec)
    {
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<WhetstoneException>(() => ClientSpec.Parse(spec)).Code);
    }

    [Theory]
    [InlineData("openai:https://user:sk-secret@api.example.com/v1")]
    [InlineData("openai:https://api.example.com/v1?api_key=sk-secret")]
    public void Parse_UrlWithCredentials_IsRefusedWithoutEchoingThem(string spec)
    {
        var e = Assert.Throws<WhetstoneException>(() => ClientSpec.Parse(spec));

        Assert.DoesNotContain("sk-secret", e.Message, StringComparison.Ordinal);
    }
}
