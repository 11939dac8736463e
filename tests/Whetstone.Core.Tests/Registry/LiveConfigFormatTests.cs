using Whetstone.Registry.LiveConfig;

namespace Whetstone.Core.Tests.Registry;

public class LiveConfigFormatTests
{
    private const string Json = """
        {
          // the agent's settings
          "name": "support-bot",
          "llm": {
            "provider": "openai",
            "model": "gpt-4o-mini",
            "temperature": 0.2
          },
          "tools": ["search", "email"]
        }

        """;

    private const string Yaml = """
        # agent config
        name: support-bot
        llm:
          provider: openai   # who serves it
          model: "gpt-4o-mini"
          temperature: 0.2
        tools:
          - search
          - email

        """;

    [Fact]
    public void Json_Get_ReadsNestedRawValues()
    {
        var f = new JsonConfigFormat();

        Assert.Equal("\"gpt-4o-mini\"", f.Get(Json, "llm.model"));
        Assert.Equal("0.2", f.Get(Json, "llm.temperature"));
        Assert.Null(f.Get(Json, "llm.endpoint"));
        Assert.Null(f.Get(Json, "missing.key"));
    }

    [Fact]
    public void Json_SetExistingKey_ChangesOnlyThatValue()
    {
        var f = new JsonConfigFormat();

        var changed = f.Set(Json, "llm.model", f.Quote("ft:qwen3-whetstone"));

        Assert.Equal(Json.Replace("\"gpt-4o-mini\"", "\"ft:qwen3-whetstone\"", StringComparison.Ordinal), changed);
    }

    [Fact]
    public void Json_InsertThenRemove_RestoresTheFileByteForByte()
    {
        var f = new JsonConfigFormat();

        var inserted = f.Set(Json, "llm.endpoint", f.Quote("http://127.0.0.1:8000/v1"));
        var removed = f.Set(inserted, "llm.endpoint", null);

        Assert.Contains("\"temperature\": 0.2,\n    \"endpoint\": \"http://127.0.0.1:8000/v1\"\n  }", inserted, StringComparison.Ordinal);
        Assert.Equal("\"http://127.0.0.1:8000/v1\"", f.Get(inserted, "llm.endpoint"));
        Assert.Equal(Json, removed);
    }

    [Fact]
    public void Json_MissingParent_IsCreatedAndRemovedWhole()
    {
        var f = new JsonConfigFormat();

        var inserted = f.Set(Json, "serving.route.model", f.Quote("m"));
        var removed = f.Set(inserted, "serving", null);

        Assert.Equal("\"m\"", f.Get(inserted, "serving.route.model"));
        Assert.Equal(Json, removed);
    }

    [Fact]
    public void Json_ParentNotAnObject_IsAClearError()
    {
        var f = new JsonConfigFormat();

        var e = Assert.Throws<WhetstoneException>(() => f.Set(Json, "name.model", f.Quote("m")));

        Assert.Contains("'name' is not an object", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_BrokenFile_IsInvalidConfiguration()
    {
        var e = Assert.Throws<WhetstoneException>(() => new JsonConfigFormat().Validate("{\"llm\": ", "agent.json"));

        Assert.Equal(ErrorCode.InvalidConfiguration, e.Code);
        Assert.Contains("agent.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_Get_ReadsScalarsAsWritten()
    {
        var f = new YamlConfigFormat();

        Assert.Equal("openai", f.Get(Yaml, "llm.provider"));
        Assert.Equal("\"gpt-4o-mini\"", f.Get(Yaml, "llm.model"));
        Assert.Null(f.Get(Yaml, "llm.endpoint"));
    }

    [Fact]
    public void Yaml_SetExistingKey_KeepsCommentsAndLayout()
    {
        var f = new YamlConfigFormat();

        var changed = f.Set(Yaml, "llm.provider", f.Quote("vllm"));

        Assert.Equal(Yaml.Replace("provider: openai   # who serves it", "provider: vllm   # who serves it", StringComparison.Ordinal), changed);
    }

    [Fact]
    public void Yaml_InsertThenRemove_RestoresTheFileByteForByte()
    {
        var f = new YamlConfigFormat();

        var inserted = f.Set(Yaml, "llm.endpoint", f.Quote("http://127.0.0.1:8000/v1"));
        var removed = f.Set(inserted, "llm.endpoint", null);

        Assert.Contains("  temperature: 0.2\n  endpoint: http://127.0.0.1:8000/v1\ntools:", inserted, StringComparison.Ordinal);
        Assert.Equal(Yaml, removed);
    }

    [Fact]
    public void Yaml_MissingParent_IsCreatedAtTheEnd()
    {
        var f = new YamlConfigFormat();

        var inserted = f.Set(Yaml, "serving.model", f.Quote("m"));

        Assert.Equal("m", f.Get(inserted, "serving.model"));
        Assert.Equal("support-bot", f.Get(inserted, "name"));
        Assert.Equal(Yaml, f.Set(inserted, "serving", null));
    }

    [Theory]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("true", "\"true\"")]
    [InlineData("has space", "\"has space\"")]
    [InlineData("1.5", "\"1.5\"")]
    public void Yaml_Quote_QuotesOnlyWhatPlainYamlWouldMisread(string value, string expected)
    {
        Assert.Equal(expected, new YamlConfigFormat().Quote(value));
    }
}
