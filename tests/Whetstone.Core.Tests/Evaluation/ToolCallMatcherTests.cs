using Whetstone.Evaluation;
using Whetstone.Trajectories;

namespace Whetstone.Tests.Evaluation;

public sealed class ToolCallMatcherTests
{
    private static readonly ToolSpec Weather = new()
    {
        Name = "get_weather",
        Parameters = Some.Json("""
            {"type":"object","properties":{
              "city":{"type":"string"},"days":{"type":"integer"},"threshold":{"type":"number"},
              "units":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},
              "filters":{"type":"object"},"detailed":{"type":"boolean"}},
             "required":["city"]}
            """),
    };

    private static ToolCall Call(string args, string name = "get_weather", string id = "c1") =>
        new() { Id = id, Name = name, Arguments = Some.Json(args) };

    private static MatchResult Match(string actualArgs, string referenceArgs, ToolSpec? spec = null, string name = "get_weather") =>
        ToolCallMatcher.MatchCall(Call(actualArgs, name), ExpectedCall.FromReference(Call(referenceArgs)), spec ?? Weather);

    [Fact]
    public void MatchCall_SameArguments_Matches() =>
        Assert.True(Match("""{"city":"Paris","days":3}""", """{"days":3,"city":"Paris"}""").Matched);

    [Fact]
    public void MatchCall_IntegerWhereFloatExpected_Matches() =>
        Assert.True(Match("""{"city":"Paris","threshold":5}""", """{"city":"Paris","threshold":5.0}""").Matched);

    [Fact]
    public void MatchCall_FloatWhereIntegerExpected_IsTypeError() =>
        Assert.Equal("type_error", Match("""{"city":"Paris","days":3.0}""", """{"city":"Paris","days":3}""").Error);

    [Fact]
    public void MatchCall_StringForInteger_IsTypeError() =>
        Assert.Equal("type_error", Match("""{"city":"Paris","days":"3"}""", """{"city":"Paris","days":3}""").Error);

    [Fact]
    public void MatchCall_BoolForInteger_IsTypeError() =>
        Assert.Equal("type_error", Match("""{"city":"Paris","days":true}""", """{"city":"Paris","days":1}""").Error);

    [Fact]
    public void MatchCall_StringsDifferingInCaseSpacesAndPunctuation_Match() =>
        Assert.True(Match("""{"city":"new-york, ny"}""", """{"city":"New York NY"}""").Matched);

    [Fact]
    public void MatchCall_DifferentString_IsValueError() =>
        Assert.Equal("value_error", Match("""{"city":"Lyon"}""", """{"city":"Paris"}""").Error);

    [Fact]
    public void MatchCall_MissingRequired_IsMissingRequired() =>
        Assert.Equal("missing_required", Match("""{"days":3}""", """{"city":"Paris","days":3}""").Error);

    [Fact]
    public void MatchCall_ParameterNotInSchema_IsUnexpectedParam() =>
        Assert.Equal("unexpected_param", Match("""{"city":"Paris","country":"FR"}""", """{"city":"Paris"}""").Error);

    [Fact]
    public void MatchCall_SchemaParameterTheReferenceDidNotPass_IsUnexpectedParam() =>
        Assert.Equal("unexpected_param", Match("""{"city":"Paris","units":"metric"}""", """{"city":"Paris"}""").Error);

    [Fact]
    public void MatchCall_ReferenceParameterOmitted_IsMissingOptional() =>
        Assert.Equal("missing_optional", Match("""{"city":"Paris"}""", """{"city":"Paris","units":"metric"}""").Error);

    [Fact]
    public void MatchCall_ListsInOtherOrder_DoNotMatch()
    {
        Assert.True(Match("""{"city":"Paris","tags":["A","b"]}""", """{"city":"Paris","tags":["a","B"]}""").Matched);
        Assert.Equal("value_error", Match("""{"city":"Paris","tags":["b","a"]}""", """{"city":"Paris","tags":["a","b"]}""").Error);
    }

    [Fact]
    public void MatchCall_DictsComparedPerKey()
    {
        Assert.True(Match("""{"city":"Paris","filters":{"b":2,"a":"X"}}""", """{"city":"Paris","filters":{"a":"x","b":2}}""").Matched);
        Assert.False(Match("""{"city":"Paris","filters":{"a":"x"}}""", """{"city":"Paris","filters":{"a":"x","b":2}}""").Matched);
        Assert.False(Match("""{"city":"Paris","filters":{"a":"x","b":2,"c":1}}""", """{"city":"Paris","filters":{"a":"x","b":2}}""").Matched);
    }

    [Fact]
    public void MatchCall_WrongName_IsWrongName() =>
        Assert.Equal("wrong_name", Match("""{"city":"Paris"}""", """{"city":"Paris"}""", name: "get_forecast").Error);

    [Fact]
    public void MatchCall_DottedNameWithUnderscores_Matches()
    {
        var spec = new ToolSpec { Name = "math.factorial", Parameters = Some.Json("""{"type":"dict","properties":{"number":{"type":"integer"}},"required":["number"]}""") };
        var expected = new ExpectedCall("math.factorial", new Dictionary<string, IReadOnlyList<System.Text.Json.JsonElement>> { ["number"] = [Some.Json("5")] });
        Assert.True(ToolCallMatcher.MatchCall(Call("""{"number":5}""", "math_factorial"), expected, spec).Matched);
    }

    [Fact]
    public void MatchCall_OptionalMarkerInAnswer_AllowsOmission()
    {
        var expected = new ExpectedCall("get_weather", new Dictionary<string, IReadOnlyList<System.Text.Json.JsonElement>>
        {
            ["city"] = [Some.Json("\"Paris\"")],
            ["units"] = [Some.Json("\"metric\""), Some.Json("\"\"")],
        });
        Assert.True(ToolCallMatcher.MatchCall(Call("""{"city":"Paris"}"""), expected, Weather).Matched);
        Assert.True(ToolCallMatcher.MatchCall(Call("""{"city":"Paris","units":"Metric"}"""), expected, Weather).Matched);
    }

    [Fact]
    public void MatchCall_InvalidJsonArguments_IsInvalidArguments()
    {
        var bad = new ToolCall { Id = "c", Name = "get_weather", RawArguments = "{city: Paris" };
        Assert.Equal("invalid_arguments", ToolCallMatcher.MatchCall(bad, ExpectedCall.FromReference(Call("""{"city":"Paris"}""")), Weather).Error);
    }

    [Fact]
    public void MatchCall_NoSchema_ComparesByTheReferencesValues()
    {
        var bare = new ToolSpec { Name = "search" };
        var reference = Call("""{"input":"Eiffel Tower","n":2}""", "search");
        Assert.True(ToolCallMatcher.MatchCall(Call("""{"input":"eiffel tower","n":2.0}""", "search"), ExpectedCall.FromReference(reference), bare).Matched);
        Assert.False(ToolCallMatcher.MatchCall(Call("""{"input":"Louvre","n":2}""", "search"), ExpectedCall.FromReference(reference), bare).Matched);
        Assert.Equal("unexpected_param", ToolCallMatcher.MatchCall(Call("""{"input":"Eiffel Tower","n":2,"x":1}""", "search"), ExpectedCall.FromReference(reference), bare).Error);
    }

    [Fact]
    public void MatchCall_ListOfObjectsFromReference_ComparedElementwise()
    {
        var bare = new ToolSpec { Name = "book" };
        var reference = Call("""{"guests":[{"name":"Ann","age":30},{"name":"Bo","age":5}]}""", "book");
        Assert.True(ToolCallMatcher.MatchCall(Call("""{"guests":[{"age":30,"name":"ann"},{"name":"Bo","age":5}]}""", "book"), ExpectedCall.FromReference(reference), bare).Matched);
        Assert.False(ToolCallMatcher.MatchCall(Call("""{"guests":[{"name":"Bo","age":5},{"name":"Ann","age":30}]}""", "book"), ExpectedCall.FromReference(reference), bare).Matched);
    }

    [Fact]
    public void MatchCalls_ParallelCallsInAnyOrder_MatchButAreCounted()
    {
        var r1 = Call("""{"city":"Paris"}""", id: "a");
        var r2 = Call("""{"city":"Rome"}""", id: "b");
        var expected = new[] { ExpectedCall.FromReference(r1), ExpectedCall.FromReference(r2) };
        Assert.True(ToolCallMatcher.MatchCalls([r2, r1], expected, [Weather]).Matched);
        Assert.Equal("wrong_count", ToolCallMatcher.MatchCalls([r1], expected, [Weather]).Error);
        Assert.Equal("wrong_count", ToolCallMatcher.MatchCalls([r1, r2, r2], expected, [Weather]).Error);
        Assert.Equal("no_match", ToolCallMatcher.MatchCalls([r1, r1], expected, [Weather]).Error);
    }

    [Fact]
    public void NamesMatch_ComparesMultisets()
    {
        var a = Call("{}", "a");
        var b = Call("{}", "b");
        Assert.True(ToolCallMatcher.NamesMatch([b, a], ["a", "b"]));
        Assert.False(ToolCallMatcher.NamesMatch([a, a], ["a", "b"]));
        Assert.False(ToolCallMatcher.NamesMatch([a], ["a", "a"]));
    }

    [Fact]
    public void Validate_CallsTheAgentCouldNotRun_AreInvalid()
    {
        Assert.Null(ToolCallValidator.Validate(Call("""{"city":"Paris","days":2}"""), [Weather]));
        Assert.Equal("unknown_tool", ToolCallValidator.Validate(Call("{}", "nope"), [Weather])!.Error);
        Assert.Equal("invalid_json", ToolCallValidator.Validate(new ToolCall { Id = "x", Name = "get_weather", RawArguments = "{" }, [Weather])!.Error);
        Assert.Equal("arguments_not_object", ToolCallValidator.Validate(Call("[1]"), [Weather])!.Error);
        Assert.Equal("missing_required", ToolCallValidator.Validate(Call("""{"days":2}"""), [Weather])!.Error);
        Assert.Equal("unknown_param", ToolCallValidator.Validate(Call("""{"city":"Paris","zip":1}"""), [Weather])!.Error);
        Assert.Equal("type_error", ToolCallValidator.Validate(Call("""{"city":"Paris","days":"two"}"""), [Weather])!.Error);
        Assert.Null(ToolCallValidator.Validate(Call("""{"city":"Paris","threshold":2}"""), [Weather]));
    }
}
