using System.Text.Json;
using Whetstone.Trajectories;

namespace Whetstone.Evaluation;

/// <summary>An expected call: the function name and, per parameter, the acceptable values. An empty string among a
/// parameter's values marks it as optional (it may be omitted), as in BFCL's possible answers.</summary>
public sealed record ExpectedCall(string Name, IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> Parameters)
{
    /// <summary>The reference call of a recorded run: every argument it passed is required with exactly that value
    /// (strings compared standardised); a parameter it did not pass may not be passed.</summary>
    public static ExpectedCall FromReference(ToolCall reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var parameters = new Dictionary<string, IReadOnlyList<JsonElement>>(StringComparer.Ordinal);
        if (reference.Arguments is { ValueKind: JsonValueKind.Object } args)
        {
            foreach (var p in args.EnumerateObject())
            {
                parameters[p.Name] = [AnswerForm(p.Value)];
            }
        }

        return new ExpectedCall(reference.Name, parameters);
    }

    /// <summary>An object value becomes BFCL's answer form (each key a list of acceptable values) so objects and
    /// lists of objects are compared key by key like BFCL answers.</summary>
    private static JsonElement AnswerForm(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var wrapped = new Dictionary<string, JsonElement[]>(StringComparer.Ordinal);
                foreach (var p in value.EnumerateObject())
                {
                    wrapped[p.Name] = [p.Value];
                }

                return JsonSerializer.SerializeToElement(wrapped, EvaluationJsonContext.Default.DictionaryStringJsonElementArray);
            case JsonValueKind.Array when value.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.Object):
                var items = value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object ? AnswerForm(e) : e).ToArray();
                return JsonSerializer.SerializeToElement(items, EvaluationJsonContext.Default.JsonElementArray);
            default:
                return value.Clone();
        }
    }

    /// <summary>Reads BFCL ground truth: <c>[{"func": {"param": [acceptable…]}}, …]</c>.</summary>
    public static IReadOnlyList<ExpectedCall> FromBfcl(JsonElement groundTruth)
    {
        var result = new List<ExpectedCall>();
        foreach (var entry in groundTruth.EnumerateArray())
        {
            foreach (var fn in entry.EnumerateObject())
            {
                var parameters = new Dictionary<string, IReadOnlyList<JsonElement>>(StringComparer.Ordinal);
                foreach (var p in fn.Value.EnumerateObject())
                {
                    parameters[p.Name] = p.Value.ValueKind == JsonValueKind.Array
                        ? p.Value.EnumerateArray().Select(v => v.Clone()).ToArray()
                        : [p.Value.Clone()];
                }

                result.Add(new ExpectedCall(fn.Name, parameters));
            }
        }

        return result;
    }
}

/// <summary>The outcome of a comparison; <see cref="Error"/> is a stable code when it did not match:
/// <c>wrong_count</c>, <c>wrong_name</c>, <c>invalid_arguments</c>, <c>missing_required</c>, <c>unexpected_param</c>,
/// <c>type_error</c>, <c>value_error</c>, <c>missing_optional</c>, <c>no_match</c>.</summary>
public sealed record MatchResult(bool Matched, string? Error = null, string? Detail = null)
{
    public static readonly MatchResult Ok = new(true);

    internal static MatchResult Fail(string error, string detail) => new(false, error, detail);
}

/// <summary>Compares a model's tool calls with expected calls by BFCL's AST rules (see MATCHING_RULES.md): function
/// name; every required parameter present; no parameter outside the schema or the answer; the schema's type with
/// int→float allowed (a value of the answer's own type counts as a variable reference); strings standardised; lists
/// in order; dicts key by key; several calls matched without order but counted.</summary>
public static class ToolCallMatcher
{
    /// <summary>All calls against all expected calls: the counts must be equal and each expected call is matched
    /// greedily to the first unmatched call that passes (BFCL's parallel checker; with one expected call it is the
    /// simple checker; with none, passing means making no call).</summary>
    public static MatchResult MatchCalls(IReadOnlyList<ToolCall> calls, IReadOnlyList<ExpectedCall> expected, IReadOnlyList<ToolSpec> tools)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(tools);
        if (calls.Count != expected.Count)
        {
            return MatchResult.Fail("wrong_count", $"expected {expected.Count} call(s), got {calls.Count}");
        }

        if (expected.Count == 1)
        {
            return MatchCall(calls[0], expected[0], FindTool(tools, expected[0].Name));
        }

        var used = new bool[calls.Count];
        for (var i = 0; i < expected.Count; i++)
        {
            var spec = FindTool(tools, expected[i].Name);
            MatchResult? last = null;
            var found = false;
            for (var j = 0; j < calls.Count; j++)
            {
                if (used[j])
                {
                    continue;
                }

                last = MatchCall(calls[j], expected[i], spec);
                if (last.Matched)
                {
                    used[j] = true;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return MatchResult.Fail("no_match",
                    $"no call matches expected call {i} ({expected[i].Name})" + (last is null ? "" : $": {last.Error} {last.Detail}"));
            }
        }

        return MatchResult.Ok;
    }

    /// <summary>True when the multiset of called names equals the multiset of expected names.</summary>
    public static bool NamesMatch(IReadOnlyList<ToolCall> calls, IReadOnlyList<string> expectedNames)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(expectedNames);
        if (calls.Count != expectedNames.Count)
        {
            return false;
        }

        var remaining = expectedNames.ToList();
        foreach (var c in calls)
        {
            var k = remaining.FindIndex(n => NameEquals(c.Name, n));
            if (k < 0)
            {
                return false;
            }

            remaining.RemoveAt(k);
        }

        return true;
    }

    /// <summary>Names are equal, or equal once the expected name's dots become underscores (OpenAI-style names
    /// cannot hold dots).</summary>
    public static bool NameEquals(string actual, string expected) =>
        string.Equals(actual, expected, StringComparison.Ordinal) ||
        (expected.Contains('.', StringComparison.Ordinal) && string.Equals(actual, expected.Replace('.', '_'), StringComparison.Ordinal));

    public static ToolSpec? FindTool(IReadOnlyList<ToolSpec> tools, string name)
    {
        ArgumentNullException.ThrowIfNull(tools);
        foreach (var t in tools)
        {
            if (string.Equals(t.Name, name, StringComparison.Ordinal))
            {
                return t;
            }
        }

        foreach (var t in tools)
        {
            if (NameEquals(name, t.Name) || NameEquals(t.Name, name))
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>One call against one expected call (BFCL's simple function checker). <paramref name="spec"/> gives
    /// required parameters and types; without it (tools known by name only) types are taken from the answer.</summary>
    public static MatchResult MatchCall(ToolCall call, ExpectedCall expected, ToolSpec? spec)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(expected);
        if (!NameEquals(call.Name, expected.Name))
        {
            return MatchResult.Fail("wrong_name", $"expected {expected.Name}, got {call.Name}");
        }

        if (call.Arguments is not { ValueKind: JsonValueKind.Object } args)
        {
            return MatchResult.Fail("invalid_arguments", "the arguments are not a JSON object");
        }

        var schema = Schema.Of(spec);
        var given = PyValue.ToDictionary(args);
        foreach (var r in schema.Required)
        {
            if (!given.ContainsKey(r))
            {
                return MatchResult.Fail("missing_required", r);
            }
        }

        foreach (var (param, rawValue) in given)
        {
            if ((schema.HasProperties && !schema.Properties.ContainsKey(param)) || !expected.Parameters.TryGetValue(param, out var acceptable))
            {
                return MatchResult.Fail("unexpected_param", param);
            }

            var value = rawValue;
            var (type, nested) = schema.TypeOf(param);
            var result = CheckValue(param, value, acceptable, type, nested);
            if (!result.Matched)
            {
                return result;
            }
        }

        foreach (var (param, acceptable) in expected.Parameters)
        {
            if (!given.ContainsKey(param) && !acceptable.Any(PyValue.IsOptionalMarker))
            {
                return MatchResult.Fail("missing_optional", param);
            }
        }

        return MatchResult.Ok;
    }

    private static MatchResult CheckValue(string param, JsonElement value, IReadOnlyList<JsonElement> acceptable, PyKind? type, PyKind? nested)
    {
        var valueKind = PyValue.KindOf(value);
        bool isVariable;
        if (type is { } expectedType)
        {
            // int → float is allowed (Python converts); the value is then compared as a number.
            if (expectedType == PyKind.Float && valueKind == PyKind.Int)
            {
                valueKind = PyKind.Float;
            }

            var typeCheck = CheckType(value, valueKind, acceptable, expectedType, nested);
            if (typeCheck is null)
            {
                return MatchResult.Fail("type_error", $"{param}: expected {PyValue.Name(expectedType)}, got {PyValue.Name(PyValue.KindOf(value))} {PyValue.Describe(value)}");
            }

            isVariable = typeCheck.Value;
        }
        else
        {
            // No schema type: the answer's own values decide how to compare.
            expectedType = valueKind;
            isVariable = false;
            if (valueKind == PyKind.List && value.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.Object))
            {
                nested = PyKind.Dict;
            }
        }

        if (!isVariable)
        {
            switch (expectedType)
            {
                case PyKind.Dict:
                    return DictCheck(param, value, acceptable);
                case PyKind.List when nested == PyKind.Dict:
                    return ListOfDictsCheck(param, value, acceptable);
                case PyKind.Str:
                    var std = PyValue.Standardize(value.GetString() ?? "");
                    return acceptable.Any(a => a.ValueKind == JsonValueKind.String && PyValue.Standardize(a.GetString()!) == std)
                        ? MatchResult.Ok
                        : MatchResult.Fail("value_error", $"{param}: {PyValue.Describe(value)} is not an acceptable value");
                case PyKind.List:
                    return acceptable.Any(a => ListEquals(value, a))
                        ? MatchResult.Ok
                        : MatchResult.Fail("value_error", $"{param}: {PyValue.Describe(value)} is not an acceptable list (order matters)");
            }
        }

        return acceptable.Any(a => PyValue.PyEquals(value, a))
            ? MatchResult.Ok
            : MatchResult.Fail("value_error", $"{param}: {PyValue.Describe(value)} is not an acceptable value");
    }

    /// <summary>BFCL's type checker. Returns null when the type is wrong, else whether the value is a variable
    /// reference (its type differs from the schema's but equals the answer's).</summary>
    private static bool? CheckType(JsonElement value, PyKind valueKind, IReadOnlyList<JsonElement> acceptable, PyKind expected, PyKind? nested)
    {
        PyKind? answerType = null;
        foreach (var a in acceptable)
        {
            if (!PyValue.IsOptionalMarker(a))
            {
                answerType = PyValue.KindOf(a);
                break;
            }
        }

        var isVariable = answerType is { } at && at != expected;
        if (valueKind == expected)
        {
            if (nested is not { } inner || value.ValueKind != JsonValueKind.Array)
            {
                return isVariable;
            }

            foreach (var item in acceptable)
            {
                if (item.ValueKind != JsonValueKind.Array)
                {
                    return isVariable; // an optional marker: nothing to check the elements against
                }

                var itemAcceptable = item.EnumerateArray().ToArray();
                var allOk = true;
                foreach (var element in value.EnumerateArray())
                {
                    var ek = PyValue.KindOf(element);
                    if (inner == PyKind.Float && ek == PyKind.Int)
                    {
                        ek = PyKind.Float;
                    }

                    if (CheckType(element, ek, itemAcceptable, inner, null) is null)
                    {
                        allOk = false;
                        break;
                    }
                }

                if (allOk)
                {
                    return isVariable;
                }
            }

            return null;
        }

        return answerType is { } t && valueKind == t ? true : null;
    }

    private static bool ListEquals(JsonElement model, JsonElement answer)
    {
        if (model.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        // An optional marker "" among acceptable lists stands for the empty list (as in the Python checker).
        if (PyValue.IsOptionalMarker(answer))
        {
            return model.GetArrayLength() == 0;
        }

        if (answer.ValueKind != JsonValueKind.Array || answer.GetArrayLength() != model.GetArrayLength())
        {
            return false;
        }

        using var em = model.EnumerateArray().GetEnumerator();
        using var ea = answer.EnumerateArray().GetEnumerator();
        while (em.MoveNext() && ea.MoveNext())
        {
            if (!PyValue.StandardEquals(em.Current, ea.Current))
            {
                return false;
            }
        }

        return true;
    }

    private static MatchResult DictCheck(string param, JsonElement value, IReadOnlyList<JsonElement> acceptable)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return MatchResult.Fail("type_error", $"{param}: expected an object");
        }

        var model = PyValue.ToDictionary(value);
        MatchResult last = MatchResult.Fail("value_error", $"{param}: no acceptable object");
        foreach (var candidate in acceptable)
        {
            if (candidate.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            last = DictMatches(param, model, PyValue.ToDictionary(candidate));
            if (last.Matched)
            {
                return last;
            }
        }

        return last;
    }

    private static MatchResult DictMatches(string param, Dictionary<string, JsonElement> model, Dictionary<string, JsonElement> answer)
    {
        foreach (var (key, v) in model)
        {
            if (!answer.TryGetValue(key, out var options))
            {
                return MatchResult.Fail("unexpected_param", $"{param}.{key}");
            }

            var list = options.ValueKind == JsonValueKind.Array ? options.EnumerateArray().ToArray() : [options];
            if (!list.Any(o => PyValue.StandardEquals(v, o)))
            {
                return MatchResult.Fail("value_error", $"{param}.{key}: {PyValue.Describe(v)} is not an acceptable value");
            }
        }

        foreach (var (key, options) in answer)
        {
            var optional = options.ValueKind == JsonValueKind.Array && options.EnumerateArray().Any(PyValue.IsOptionalMarker);
            if (!model.ContainsKey(key) && !optional)
            {
                return MatchResult.Fail("missing_optional", $"{param}.{key}");
            }
        }

        return MatchResult.Ok;
    }

    private static MatchResult ListOfDictsCheck(string param, JsonElement value, IReadOnlyList<JsonElement> acceptable)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return MatchResult.Fail("type_error", $"{param}: expected a list");
        }

        var items = value.EnumerateArray().ToArray();
        var last = MatchResult.Fail("value_error", $"{param}: no acceptable list of objects");
        foreach (var candidate in acceptable)
        {
            if (candidate.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            var answers = candidate.EnumerateArray().ToArray();
            if (answers.Length != items.Length)
            {
                last = MatchResult.Fail("value_error", $"{param}: expected {answers.Length} objects, got {items.Length}");
                continue;
            }

            var ok = true;
            for (var i = 0; i < items.Length && ok; i++)
            {
                last = items[i].ValueKind != JsonValueKind.Object || answers[i].ValueKind != JsonValueKind.Object
                    ? MatchResult.Fail("type_error", $"{param}[{i}]: expected an object")
                    : DictMatches($"{param}[{i}]", PyValue.ToDictionary(items[i]), PyValue.ToDictionary(answers[i]));
                ok = last.Matched;
            }

            if (ok)
            {
                return MatchResult.Ok;
            }
        }

        return last;
    }

    /// <summary>What a tool's JSON schema says about its parameters.</summary>
    private sealed class Schema
    {
        private static readonly Schema Empty = new([], new Dictionary<string, JsonElement>(StringComparer.Ordinal), false);

        private Schema(IReadOnlyList<string> required, Dictionary<string, JsonElement> properties, bool hasProperties)
        {
            Required = required;
            Properties = properties;
            HasProperties = hasProperties;
        }

        public IReadOnlyList<string> Required { get; }

        public Dictionary<string, JsonElement> Properties { get; }

        public bool HasProperties { get; }

        public static Schema Of(ToolSpec? spec)
        {
            if (spec?.Parameters is not { ValueKind: JsonValueKind.Object } p)
            {
                return Empty;
            }

            var required = p.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray()
                : [];
            var hasProps = p.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object;
            return new Schema(required, hasProps ? PyValue.ToDictionary(props) : new Dictionary<string, JsonElement>(StringComparer.Ordinal), hasProps);
        }

        public (PyKind? Type, PyKind? Nested) TypeOf(string param)
        {
            if (!Properties.TryGetValue(param, out var prop) || prop.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var type = MapType(prop);
            PyKind? nested = null;
            if (type == PyKind.List && prop.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object)
            {
                nested = MapType(items);
            }

            return (type, nested);
        }

        private static PyKind? MapType(JsonElement schema)
        {
            if (!schema.TryGetProperty("type", out var t))
            {
                return null;
            }

            if (t.ValueKind == JsonValueKind.Array)
            {
                // ["string", "null"]: the first concrete type decides.
                t = t.EnumerateArray().FirstOrDefault(x => x.ValueKind == JsonValueKind.String && x.GetString() != "null");
            }

            return t.ValueKind != JsonValueKind.String ? null : t.GetString() switch
            {
                "string" or "any" => PyKind.Str,
                "integer" => PyKind.Int,
                "float" or "number" or "double" => PyKind.Float,
                "boolean" => PyKind.Bool,
                "array" or "tuple" => PyKind.List,
                "dict" or "object" => PyKind.Dict,
                _ => null,
            };
        }
    }
}
