using System.Globalization;

namespace Whetstone.Quality.Rules;

/// <summary>Failed calls: unknown tools, arguments that are not JSON or break the schema, results that report an
/// error. A failure the agent later corrected (a later call of the same tool worked; for an unknown tool, any
/// later call worked) is a detour: its turn stays as context with weight 0. A failure never corrected rejects
/// under its own code.</summary>
internal sealed class FailedCallRule : IQualityRule
{
    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        var calls = run.Calls;
        if (calls.Count == 0)
        {
            return;
        }

        List<int>? recovered = null, unknown = null, badJson = null, badSchema = null, errors = null;
        string? firstUnknown = null, firstSchemaProblem = null, firstErrorTool = null;
        for (var i = 0; i < calls.Count; i++)
        {
            var c = calls[i];
            if (!c.Failed)
            {
                continue;
            }

            if (IsRecovered(calls, i))
            {
                (recovered ??= []).Add(c.Turn);
                continue;
            }

            if (c.UnknownTool)
            {
                (unknown ??= []).Add(c.Turn);
                firstUnknown ??= c.Name;
            }
            else if (!c.Call.HasValidArguments)
            {
                (badJson ??= []).Add(c.Turn);
            }
            else if (c.SchemaProblem is not null)
            {
                (badSchema ??= []).Add(c.Turn);
                firstSchemaProblem ??= $"{c.Name}: {c.SchemaProblem}";
            }
            else
            {
                (errors ??= []).Add(c.Turn);
                firstErrorTool ??= c.Name;
            }
        }

        if (unknown is not null)
        {
            signals.Add(QualityCodes.UnknownTool, $"'{Short(firstUnknown!)}' is not a tool of the run", Distinct(unknown));
        }

        if (badJson is not null)
        {
            signals.Add(QualityCodes.InvalidArgumentsJson, $"{badJson.Count} call(s) with arguments that are not valid JSON", Distinct(badJson));
        }

        if (badSchema is not null)
        {
            signals.Add(QualityCodes.ArgumentsSchemaViolation, Short(firstSchemaProblem!), Distinct(badSchema));
        }

        if (errors is not null)
        {
            signals.Add(QualityCodes.ToolErrorUnrecovered, $"{errors.Count} failed call(s) of '{Short(firstErrorTool!)}' never followed by a working call", Distinct(errors));
        }

        if (recovered is not null)
        {
            signals.Add(QualityCodes.RecoveredFailure, $"{recovered.Count} failed call(s) corrected later", Distinct(recovered), detour: true);
        }
    }

    private static bool IsRecovered(IReadOnlyList<RunAnalysis.CallInfo> calls, int failed)
    {
        var name = calls[failed].Name;
        var anyTool = calls[failed].UnknownTool;
        for (var j = failed + 1; j < calls.Count; j++)
        {
            var later = calls[j];
            if (!later.Failed && (anyTool || later.Name == name))
            {
                return true;
            }
        }

        return false;
    }

    internal static IReadOnlyList<int> Distinct(List<int> turns) => turns.Distinct().Order().ToArray();

    internal static string Short(string s) => s.Length <= 80 ? s : s[..79] + "…";
}

/// <summary>Repeats: the same call (tool + arguments) made again after it worked is redundant (the repeat gets
/// weight 0); made <c>LoopRepeats</c> times it is a <c>loop</c>. Consecutive calls of one tool after a failure, or
/// with near-identical arguments naming the same identifiers, are retries: earlier attempts get weight 0, and more
/// than <c>MaxRetries</c> in a row is <c>excessive_retries</c>.</summary>
internal sealed class RepetitionRule : IQualityRule
{
    /// <summary>Jaccard similarity of the argument values' words from which a call repeats the previous one (a
    /// refined query that adds a word to a four-word query is a next step, not a retry).</summary>
    private const double SimilarArguments = 0.75;

    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        var calls = run.Calls;
        if (calls.Count < 2)
        {
            return;
        }

        var options = signals.Policy.Options;
        var seen = new Dictionary<ulong, (int Count, bool Worked)>(calls.Count);
        List<int>? redundant = null, loopTurns = null;
        var maxRepeats = 0;
        string? loopTool = null;
        foreach (var c in calls)
        {
            seen.TryGetValue(c.ArgumentsHash, out var s);
            if (s.Count > 0 && s.Worked)
            {
                (redundant ??= []).Add(c.Turn);
            }

            s = (s.Count + 1, s.Worked || !c.Failed);
            seen[c.ArgumentsHash] = s;
            if (s.Count >= options.LoopRepeats)
            {
                (loopTurns ??= []).Add(c.Turn);
                if (s.Count > maxRepeats)
                {
                    maxRepeats = s.Count;
                    loopTool = c.Name;
                }
            }
        }

        if (loopTurns is not null)
        {
            signals.Add(QualityCodes.Loop, $"'{FailedCallRule.Short(loopTool!)}' called {maxRepeats} times with identical arguments", FailedCallRule.Distinct(loopTurns));
        }

        if (redundant is not null)
        {
            signals.Add(QualityCodes.RedundantCall, $"{redundant.Count} call(s) repeat an earlier identical call", FailedCallRule.Distinct(redundant), detour: true);
        }

        Retries(run, signals, options.MaxRetries);
    }

    private static void Retries(RunAnalysis run, QualitySignalSink signals, int maxRetries)
    {
        var calls = run.Calls;
        List<int>? superseded = null;
        var longest = 0;
        string? longestTool = null;
        var chain = 1;
        for (var i = 1; i <= calls.Count; i++)
        {
            var retry = i < calls.Count && IsRetry(calls[i - 1], calls[i]);
            if (retry)
            {
                chain++;
                var previous = calls[i - 1];
                if (!previous.Failed && previous.ArgumentsHash != calls[i].ArgumentsHash)
                {
                    (superseded ??= []).Add(previous.Turn);
                }

                continue;
            }

            if (chain - 1 > longest)
            {
                longest = chain - 1;
                longestTool = calls[i - 1].Name;
            }

            chain = 1;
        }

        if (longest > maxRetries)
        {
            signals.Add(QualityCodes.ExcessiveRetries,
                $"'{FailedCallRule.Short(longestTool!)}' retried {longest.ToString(CultureInfo.InvariantCulture)} times in a row (limit {maxRetries.ToString(CultureInfo.InvariantCulture)})");
        }

        if (superseded is not null)
        {
            // A turn whose call was retried with near-identical arguments: the later attempt is the one to learn.
            var turns = superseded.Where(t => !IsFinalCallTurn(run, t)).ToList();
            if (turns.Count > 0)
            {
                signals.Add(QualityCodes.RetriedCall, $"{turns.Count} call(s) retried with near-identical arguments", FailedCallRule.Distinct(turns), detour: true);
            }
        }
    }

    private static bool IsFinalCallTurn(RunAnalysis run, int turn) => run.Calls[^1].Turn == turn;

    private static bool IsRetry(RunAnalysis.CallInfo previous, RunAnalysis.CallInfo next)
    {
        if (previous.Name != next.Name)
        {
            return false;
        }

        if (previous.Failed || previous.ArgumentsHash == next.ArgumentsHash)
        {
            return true;
        }

        // Near-identical arguments about the same things (same ids, dates, amounts): the agent asks again. Calls
        // that differ in an identifier are a series (one event per date), not retries.
        return Jaccard(previous.ArgumentTokens, next.ArgumentTokens) >= SimilarArguments &&
               previous.ArgumentIdentifiers.Order(StringComparer.Ordinal).SequenceEqual(next.ArgumentIdentifiers.Order(StringComparer.Ordinal));
    }

    private static double Jaccard(string[] a, string[] b)
    {
        if (a.Length == 0 && b.Length == 0)
        {
            return 1;
        }

        var common = 0;
        foreach (var x in a)
        {
            if (Array.IndexOf(b, x) >= 0)
            {
                common++;
            }
        }

        return (double)common / (a.Length + b.Length - common);
    }
}

/// <summary>Dead ends: a call that found nothing, after which the agent tried the same tool another way. The
/// empty attempt stays as context with weight 0 (an empty result that the answer relies on is not a dead end).</summary>
internal sealed class DeadEndRule : IQualityRule
{
    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        var calls = run.Calls;
        List<int>? turns = null;
        for (var i = 0; i + 1 < calls.Count; i++)
        {
            var c = calls[i];
            if (c.ResultIsEmpty && !c.Failed && calls[i + 1].Name == c.Name && calls[i + 1].ArgumentsHash != c.ArgumentsHash)
            {
                (turns ??= []).Add(c.Turn);
            }
        }

        if (turns is not null)
        {
            signals.Add(QualityCodes.DeadEnd, $"{turns.Count} call(s) found nothing before the agent tried another way", FailedCallRule.Distinct(turns), detour: true);
        }
    }
}

/// <summary>A hand-over to a person: a call of a tool named like one (transfer_to_human, escalate, …) or a final
/// answer that says it transfers the user to a human.</summary>
internal sealed class HandoffRule : IQualityRule
{
    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        foreach (var c in run.Calls)
        {
            if (TextCues.HandoffTool().IsMatch(c.Name))
            {
                signals.Add(QualityCodes.HandoffToHuman, $"the agent called '{FailedCallRule.Short(c.Name)}'", [c.Turn]);
                return;
            }
        }

        if (run.FinalAnswer is { Length: > 0 } answer && TextCues.MayMentionPerson(answer) && TextCues.Handoff().IsMatch(TextCues.Head(answer, 2000)))
        {
            signals.Add(QualityCodes.HandoffToHuman, "the final answer hands the user over to a person", [run.FinalAnswerTurn]);
        }
    }
}
