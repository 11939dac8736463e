using System.Text.Json;
using System.Text.Json.Nodes;
using Whetstone.Evaluation;
using Whetstone.Trajectories;

namespace Whetstone.Tests.Evaluation;

/// <summary>The argument matcher against a BFCL subset (Fixtures/bfcl, Apache-2.0, see SOURCE.txt): a call built from
/// each ground truth must match, and every perturbation of it must not.</summary>
public sealed class BfclMatcherTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "bfcl");

    public static TheoryData<string> Categories => new() { "simple_python", "multiple", "parallel", "parallel_multiple" };

    private sealed record Item(string Id, IReadOnlyList<ToolSpec> Tools, JsonElement GroundTruth);

    private static List<Item> Load(string category)
    {
        var answers = File.ReadLines(Path.Combine(Folder, "possible_answer", $"BFCL_v4_{category}.json"))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("ground_truth"));
        return File.ReadLines(Path.Combine(Folder, $"BFCL_v4_{category}.json"))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(q => new Item(q.GetProperty("id").GetString()!, Tools(q), answers[q.GetProperty("id").GetString()!]))
            .ToList();
    }

    private static IReadOnlyList<ToolSpec> Tools(JsonElement question) =>
        question.GetProperty("function").EnumerateArray()
            .Select(f => new ToolSpec { Name = f.GetProperty("name").GetString()!, Parameters = f.GetProperty("parameters").Clone() })
            .ToArray();

    /// <summary>A model output that gives, for every parameter of the function's schema, the first acceptable value
    /// (omitting optional ones; a few answers name parameters the schema does not have, which no valid call passes).</summary>
    private static List<ToolCall> ReferenceCalls(JsonElement groundTruth, IReadOnlyList<ToolSpec> tools)
    {
        var calls = new List<ToolCall>();
        foreach (var entry in groundTruth.EnumerateArray())
        {
            foreach (var fn in entry.EnumerateObject())
            {
                var args = new JsonObject();
                var properties = ToolCallMatcher.FindTool(tools, fn.Name)!.Parameters!.Value.GetProperty("properties");
                foreach (var p in fn.Value.EnumerateObject().Where(p => properties.TryGetProperty(p.Name, out _)))
                {
                    var first = p.Value.EnumerateArray().FirstOrDefault(v => !(v.ValueKind == JsonValueKind.String && v.GetString() == ""));
                    if (first.ValueKind != JsonValueKind.Undefined)
                    {
                        args[p.Name] = Concrete(first);
                    }
                }

                calls.Add(Call(fn.Name, args, calls.Count));
            }
        }

        return calls;
    }

    /// <summary>An acceptable value made concrete: dict answers hold lists of acceptable values per key.</summary>
    private static JsonNode? Concrete(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var o = new JsonObject();
                foreach (var p in value.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Array)
                    {
                        var first = p.Value.EnumerateArray().FirstOrDefault(v => !(v.ValueKind == JsonValueKind.String && v.GetString() == ""));
                        if (first.ValueKind != JsonValueKind.Undefined)
                        {
                            o[p.Name] = JsonNode.Parse(first.GetRawText());
                        }
                    }
                    else
                    {
                        o[p.Name] = JsonNode.Parse(p.Value.GetRawText());
                    }
                }

                return o;
            case JsonValueKind.Array when value.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.Object):
                return new JsonArray(value.EnumerateArray().Select(Concrete).ToArray());
            default:
                return JsonNode.Parse(value.GetRawText());
        }
    }

    private static ToolCall Call(string name, JsonObject args, int i) =>
        new() { Id = $"call_{i}", Name = name, Arguments = JsonDocument.Parse(args.ToJsonString()).RootElement.Clone() };

    private static JsonObject Args(ToolCall c) => JsonNode.Parse(c.Arguments!.Value.GetRawText())!.AsObject();

    [Theory]
    [MemberData(nameof(Categories))]
    public void MatchCalls_BfclReferenceAnswers_Match(string category)
    {
        var items = Load(category);
        var failures = new List<string>();
        foreach (var item in items)
        {
            var expected = ExpectedCall.FromBfcl(item.GroundTruth);
            var calls = ReferenceCalls(item.GroundTruth, item.Tools);
            var result = ToolCallMatcher.MatchCalls(calls, expected, item.Tools);
            if (!result.Matched)
            {
                failures.Add($"{item.Id}: {result.Error} {result.Detail}");
            }

            if (calls.Count > 1)
            {
                var reversed = calls.AsEnumerable().Reverse().ToList();
                var r2 = ToolCallMatcher.MatchCalls(reversed, expected, item.Tools);
                if (!r2.Matched)
                {
                    failures.Add($"{item.Id} (calls reversed): {r2.Error} {r2.Detail}");
                }
            }
        }

        Assert.True(items.Count >= 30, $"only {items.Count} items loaded");
        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(Categories))]
    public void MatchCalls_PerturbedBfclAnswers_DoNotMatch(string category)
    {
        var items = Load(category);
        var failures = new List<string>();
        var checks = 0;
        foreach (var item in items)
        {
            var expected = ExpectedCall.FromBfcl(item.GroundTruth);
            foreach (var (what, calls) in Perturbations(item, expected))
            {
                checks++;
                var result = ToolCallMatcher.MatchCalls(calls, expected, item.Tools);
                if (result.Matched)
                {
                    failures.Add($"{item.Id}: perturbation '{what}' still matched");
                }
            }
        }

        Assert.True(checks >= items.Count * 4, $"only {checks} perturbations for {items.Count} items");
        Assert.Empty(failures);
    }

    [Fact]
    public void MatchCalls_Irrelevance_PassesOnlyWithoutCalls()
    {
        var questions = File.ReadLines(Path.Combine(Folder, "BFCL_v4_irrelevance.json")).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.NotEmpty(questions);
        foreach (var q in questions)
        {
            var tools = Tools(q);
            Assert.True(ToolCallMatcher.MatchCalls([], [], tools).Matched);
            var anyCall = Call(tools[0].Name, new JsonObject(), 0);
            Assert.Equal("wrong_count", ToolCallMatcher.MatchCalls([anyCall], [], tools).Error);
        }
    }

    private static IEnumerable<(string What, List<ToolCall> Calls)> Perturbations(Item item, IReadOnlyList<ExpectedCall> expected)
    {
        var reference = ReferenceCalls(item.GroundTruth, item.Tools);
        var first = reference[0];
        var spec = ToolCallMatcher.FindTool(item.Tools, first.Name)!;
        var props = spec.Parameters!.Value.GetProperty("properties");
        var required = spec.Parameters.Value.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
        var acceptable = expected[0].Parameters;

        List<ToolCall> With(ToolCall replacement) => reference.Select((c, i) => i == 0 ? replacement : c).ToList();

        // 1. wrong function name
        yield return ("wrong name", With(first with { Name = first.Name + "_v2" }));

        // 2. a required parameter dropped
        var args = Args(first);
        var present = required.FirstOrDefault(args.ContainsKey);
        if (present is not null)
        {
            var dropped = Args(first);
            dropped.Remove(present);
            yield return ($"drop required {present}", With(Call(first.Name, dropped, 0)));
        }

        // 3. an unknown parameter added
        var extra = Args(first);
        extra["zz_not_a_parameter"] = 1;
        yield return ("unknown parameter", With(Call(first.Name, extra, 0)));

        // 4. a value changed (to something not acceptable) and 5. a wrong type
        foreach (var (name, node) in args)
        {
            var value = JsonDocument.Parse(node!.ToJsonString()).RootElement;
            var options = acceptable[name];
            var changed = Changed(value);
            if (changed is not null && !options.Any(o => Acceptable(changed.Value, o)))
            {
                var a = Args(first);
                a[name] = JsonNode.Parse(changed.Value.GetRawText());
                yield return ($"value of {name}", With(Call(first.Name, a, 0)));
            }

            var type = props.TryGetProperty(name, out var p) && p.TryGetProperty("type", out var t) ? t.GetString() : null;
            var answerKind = options.FirstOrDefault(o => !(o.ValueKind == JsonValueKind.String && o.GetString() == "")).ValueKind;
            if (type is "integer" or "float" && answerKind == JsonValueKind.Number && value.ValueKind == JsonValueKind.Number)
            {
                var a = Args(first);
                a[name] = value.GetRawText(); // "5" for 5
                yield return ($"string for number {name}", With(Call(first.Name, a, 0)));
            }
            else if (type == "string" && answerKind == JsonValueKind.String && value.ValueKind == JsonValueKind.String)
            {
                var a = Args(first);
                a[name] = 12345;
                yield return ($"number for string {name}", With(Call(first.Name, a, 0)));
            }
        }

        // 6. a call missing or one too many
        if (reference.Count > 1)
        {
            yield return ("call missing", reference.Skip(1).ToList());
        }

        yield return ("extra call", reference.Append(reference[^1] with { Id = "call_extra" }).ToList());
    }

    private static JsonElement? Changed(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => Some.Json((value.GetDouble() + 7).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        JsonValueKind.String => Some.Json(JsonSerializer.Serialize(value.GetString() + " zebra")),
        JsonValueKind.True => Some.Json("false"),
        JsonValueKind.False => Some.Json("true"),
        JsonValueKind.Array when value.GetArrayLength() > 0 && value[0].ValueKind != JsonValueKind.Object =>
            Some.Json("[" + string.Join(",", value.EnumerateArray().Select(e => e.GetRawText()).Append(value[0].GetRawText())) + "]"),
        _ => null,
    };

    /// <summary>Whether a changed value would still be acceptable (then it is no perturbation).</summary>
    private static bool Acceptable(JsonElement value, JsonElement option)
    {
        if (value.ValueKind == JsonValueKind.String && option.ValueKind == JsonValueKind.String)
        {
            return Std(value.GetString()!) == Std(option.GetString()!);
        }

        if (value.ValueKind == JsonValueKind.Number && option.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble() == option.GetDouble();
        }

        return value.GetRawText() == option.GetRawText();
    }

    private static string Std(string s) =>
        new string(s.Where(c => " ,./-_*^".IndexOf(c, StringComparison.Ordinal) < 0).ToArray()).ToLowerInvariant().Replace('\'', '"');
}
