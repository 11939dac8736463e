using System.Text.Json;

namespace Whetstone.Quality.Rules;

/// <summary>The shape of the final answer: empty, cut off (unbalanced brackets, JSON that does not parse, a
/// length stop, a dangling last word), refusal or apology only, or an action written as text instead of being
/// called.</summary>
internal sealed class FinalAnswerRule : IQualityRule
{
    private const int MaxRefusalWords = 40;

    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        if (run.FinalAnswer is not { } answer)
        {
            return;
        }

        int[] turn = [run.FinalAnswerTurn];
        var text = answer.Trim();
        if (text.Length == 0 || !text.Any(char.IsLetterOrDigit) && text is not ("[]" or "{}"))
        {
            signals.Add(QualityCodes.EmptyFinalAnswer, "the final message has no content", turn);
            return;
        }

        if (Truncation(run, text) is { } why)
        {
            signals.Add(QualityCodes.TruncatedFinalAnswer, why, turn);
        }

        if (TextCues.Words(text, MaxRefusalWords) <= MaxRefusalWords && TextCues.Refusal().IsMatch(text))
        {
            signals.Add(QualityCodes.RefusalFinalAnswer, "the final answer only refuses or apologises", turn);
        }

        if (WrittenAction(run, text) is { } action)
        {
            signals.Add(QualityCodes.MalformedAction, $"the final answer contains the action '{action}' as text", turn);
        }
    }

    private static string? Truncation(RunAnalysis run, string text)
    {
        if (StopReason(run) is "length" or "max_tokens" or "max_output_tokens")
        {
            return "generation stopped at the length limit";
        }

        var looksJson = (text[0] == '[' && text[^1] == ']') || (text[0] == '{' && text[^1] == '}');
        if (looksJson && !ParsesAsJson(text))
        {
            return "the answer looks like JSON but does not parse";
        }

        if (!Balanced(text))
        {
            return "unbalanced brackets, quotes or code fences";
        }

        if (char.IsLetter(text[^1]) && TextCues.Words(text, 12) > 12)
        {
            var lastSpace = text.LastIndexOfAny([' ', '\n', '\t']);
            var lastWord = lastSpace < 0 ? text : text[(lastSpace + 1)..];
            if (TextCues.DanglingWords.Contains(lastWord))
            {
                return $"the answer ends on '{lastWord}'";
            }
        }

        return null;
    }

    internal static string? StopReason(RunAnalysis run)
    {
        if (run.Trajectory.Metadata is not { } meta)
        {
            return null;
        }

        foreach (var key in new[] { "finish_reason", "stop_reason" })
        {
            if (meta.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String)
            {
                return v.GetString()!.ToLowerInvariant();
            }
        }

        return null;
    }

    private static bool ParsesAsJson(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Balanced(string text)
    {
        int round = 0, square = 0, curly = 0, fences = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(': round++; break;
                case ')': round--; break;
                case '[': square++; break;
                case ']': square--; break;
                case '{': curly++; break;
                case '}': curly--; break;
                case '`' when i + 2 < text.Length && text[i + 1] == '`' && text[i + 2] == '`':
                    fences++;
                    i += 2;
                    break;
            }
        }

        // Closing more than opened is common in prose ("1) first"); only unclosed openings mean a cut.
        return round <= 0 && square <= 0 && curly <= 0 && fences % 2 == 0;
    }

    /// <summary>A line that is a ReAct Action/Thought, or <c>name(…)</c> / <c>name[…]</c> naming one of the run's
    /// tools or a terminal action (finish, submit, …).</summary>
    private static string? WrittenAction(RunAnalysis run, string text)
    {
        foreach (var match in TextCues.ActionLine().EnumerateMatches(text))
        {
            var line = text.AsSpan(match.Index, match.Length).Trim();
            if (line.StartsWith("Action", StringComparison.OrdinalIgnoreCase) || line.StartsWith("Thought", StringComparison.OrdinalIgnoreCase))
            {
                var colon = line.IndexOf(':');
                if (colon > 0 && line[..colon].Trim().ToString().TrimEnd("0123456789".ToCharArray()).Trim() is "Action" or "Thought" or "action" or "thought")
                {
                    return line[..colon].ToString();
                }
            }

            var open = line.IndexOfAny('(', '[');
            if (open <= 0)
            {
                continue;
            }

            var name = line[..open].Trim().ToString();
            if (TextCues.TerminalActions.Contains(name) || run.Trajectory.Tools.Any(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                return name;
            }
        }

        return null;
    }
}

/// <summary>Label-free: the final answer says the agent does not know or could not find it.</summary>
internal sealed class UncertainAnswerRule : IQualityRule
{
    private const int MaxWords = 60;

    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        if (run.OutcomeKnown || run.FinalAnswer is not { Length: > 0 } answer || TextCues.Words(answer, MaxWords) > MaxWords)
        {
            return;
        }

        if (TextCues.Uncertain().IsMatch(answer))
        {
            signals.Add(QualityCodes.UncertainFinalAnswer, "the final answer says the agent does not know or could not find it", [run.FinalAnswerTurn]);
        }
    }
}
