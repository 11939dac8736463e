using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Whetstone.Trajectories;

namespace Whetstone.Quality.Rules;

/// <summary>The run stopped at a step/iteration limit or at the context/token limit: said by a stop reason in the
/// metadata, the outcome notes, the last messages (an agent framework's "stopped due to max iterations") or the
/// agent's last reasoning ("not solved within 9 steps").</summary>
internal sealed class LimitRule : IQualityRule
{
    private const int Look = 600;

    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        var reason = FinalAnswerRule.StopReason(run);
        if (reason is not null)
        {
            if (TextCues.StepLimit().IsMatch(reason))
            {
                signals.Add(QualityCodes.StepLimitReached, "stop reason " + FailedCallRule.Short(reason));
            }
            else if (TextCues.ContextLimit().IsMatch(reason) || reason.Contains("context", StringComparison.Ordinal))
            {
                signals.Add(QualityCodes.ContextLimitReached, "stop reason " + FailedCallRule.Short(reason));
            }
        }

        var texts = new List<string>(4);
        if (run.Trajectory.Outcome.Notes is { } notes)
        {
            texts.Add(notes);
        }

        var messages = run.Trajectory.Messages;
        for (var i = Math.Max(0, messages.Count - 2); i < messages.Count; i++)
        {
            if (messages[i].Role != Role.Tool && messages[i].Content is { Length: > 0 } c)
            {
                texts.Add(TextCues.Head(c, Look));
                if (c.Length > Look)
                {
                    texts.Add(TextCues.Tail(c, Look));
                }
            }
        }

        // An agent that reasons about its step budget ("not solved within 9 steps, I must wrap up") hit it.
        for (var turn = Math.Max(0, run.TurnCount - 2); turn < run.TurnCount; turn++)
        {
            if (run.AssistantMessage(turn).Reasoning is { Length: > 0 } reasoning)
            {
                texts.Add(TextCues.Tail(reasoning, Look));
            }
        }

        foreach (var t in texts)
        {
            if (!TextCues.MayMentionLimit(t))
            {
                continue;
            }

            if (TextCues.StepLimit().IsMatch(t))
            {
                signals.Add(QualityCodes.StepLimitReached, "the run ends with a step or iteration limit message");
            }

            if (TextCues.ContextLimit().IsMatch(t))
            {
                signals.Add(QualityCodes.ContextLimitReached, "the run ends with a context or token limit message");
            }
        }
    }
}

/// <summary>Too long to train on: o200k tokens (Microsoft.ML.Tokenizers) over every message text, reasoning, tool
/// call and tool definition, plus a few tokens per message for the chat template. Tokens are only counted when
/// the UTF-8 size could exceed the limit (a BPE token is at least one byte), so short runs cost nothing; counts of
/// long texts that repeat across runs (system prompts, tool definitions) are kept.</summary>
internal sealed class TrainingLengthRule : IQualityRule
{
    private const int PerMessageOverhead = 4;
    private const int CachedLength = 1024;
    private const int MaxCached = 4096;
    private readonly Lazy<Tokenizer> _tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private readonly ConcurrentDictionary<(int Length, ulong Hash), int> _counts = new();

    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        var limit = signals.Policy.Options.MaxTrainingTokens;
        var overhead = PerMessageOverhead * (run.Trajectory.Messages.Count + 1);
        if (Utf8Bound(run.Trajectory) + overhead <= limit)
        {
            return;
        }

        var parts = Parts(run.Trajectory);
        long bytes = 0;
        foreach (var (p, _) in parts)
        {
            bytes += Encoding.UTF8.GetByteCount(p);
        }

        if (bytes + overhead <= limit)
        {
            return;
        }

        var budget = limit - overhead;
        var tokens = 0;
        foreach (var (p, repeats) in parts)
        {
            tokens += repeats && p.Length >= CachedLength ? CountCached(p) : CountUpTo(p, budget - tokens + 1);
            if (tokens > budget)
            {
                signals.Add(QualityCodes.TooLongForTraining,
                    $"more than {limit.ToString(CultureInfo.InvariantCulture)} o200k tokens (limit Whetstone:Quality:MaxTrainingTokens)");
                return;
            }
        }
    }

    private int CountUpTo(string text, int max)
    {
        _tokenizer.Value.GetIndexByTokenCount(text, max, out _, out var counted);
        return counted;
    }

    /// <summary>Long texts (system prompts, tool definitions) repeat across the runs of an agent: their counts
    /// are kept (bounded) by length and xxHash64.</summary>
    private int CountCached(string text)
    {
        var key = (text.Length, XxHash64.HashToUInt64(MemoryMarshal.AsBytes(text.AsSpan())));
        if (_counts.TryGetValue(key, out var n))
        {
            return n;
        }

        n = _tokenizer.Value.CountTokens(text);
        if (_counts.Count >= MaxCached)
        {
            _counts.Clear();
        }

        _counts[key] = n;
        return n;
    }

    /// <summary>An upper bound of the run's UTF-8 size (3 bytes per UTF-16 unit of text; JSON as stored), made
    /// without copying any text.</summary>
    private static long Utf8Bound(Trajectory t)
    {
        long bound = 0;
        foreach (var tool in t.Tools)
        {
            bound += 3L * (tool.Name.Length + (tool.Description?.Length ?? 0));
            if (tool.Parameters is { ValueKind: not JsonValueKind.Undefined } schema)
            {
                bound += JsonMarshal.GetRawUtf8Value(schema).Length;
            }
        }

        foreach (var m in t.Messages)
        {
            bound += 3L * ((m.Content?.Length ?? 0) + (m.Reasoning?.Length ?? 0));
            foreach (var call in m.ToolCalls ?? [])
            {
                bound += 3L * call.Name.Length;
                bound += call.Arguments is { } a ? JsonMarshal.GetRawUtf8Value(a).Length : 3L * (call.RawArguments?.Length ?? 0);
            }
        }

        return bound;
    }

    /// <summary>Number of o200k tokens of a run (for tests and reports).</summary>
    public int Count(Trajectory trajectory)
    {
        var tokens = PerMessageOverhead * (trajectory.Messages.Count + 1);
        foreach (var (p, _) in Parts(trajectory))
        {
            tokens += _tokenizer.Value.CountTokens(p);
        }

        return tokens;
    }

    /// <summary>The texts of a run; <c>Repeats</c> marks those that usually repeat across an agent's runs (tool
    /// definitions, system prompts), whose counts are cached.</summary>
    private static List<(string Text, bool Repeats)> Parts(Trajectory t)
    {
        var parts = new List<(string, bool)>(t.Messages.Count * 2 + t.Tools.Count);
        foreach (var tool in t.Tools)
        {
            parts.Add((tool.Name, false));
            if (tool.Description is { } d)
            {
                parts.Add((d, true));
            }

            if (tool.Parameters is { ValueKind: not JsonValueKind.Undefined } schema)
            {
                parts.Add((schema.GetRawText(), true));
            }
        }

        foreach (var m in t.Messages)
        {
            if (m.Content is { Length: > 0 } c)
            {
                parts.Add((c, m.Role == Role.System));
            }

            if (m.Reasoning is { Length: > 0 } r)
            {
                parts.Add((r, false));
            }

            foreach (var call in m.ToolCalls ?? [])
            {
                parts.Add((call.Name, false));
                parts.Add((call.ArgumentsText(), false));
            }
        }

        return parts;
    }
}

/// <summary>Label-free: the agent's last reasoning hedges (not sure, cannot find, no information).</summary>
internal sealed class HedgingReasoningRule : IQualityRule
{
    private const int Look = 800;

    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        if (run.OutcomeKnown)
        {
            return;
        }

        var hedged = new List<int>();
        for (var turn = run.TurnCount - 1; turn >= 0 && turn >= run.TurnCount - 2; turn--)
        {
            if (run.AssistantMessage(turn).Reasoning is { Length: > 0 } r && TextCues.Uncertain().IsMatch(TextCues.Tail(r, Look)))
            {
                hedged.Add(turn);
            }
        }

        if (hedged.Count > 0)
        {
            hedged.Reverse();
            signals.Add(QualityCodes.HedgingReasoning, "the last reasoning says the agent is unsure or could not find it", hedged);
        }
    }
}

/// <summary>Label-free: how the user's last turn reads — a complaint, the request repeated, or thanks.</summary>
internal sealed class UserReactionRule : IQualityRule
{
    private const int Look = 600;
    private const double RepeatSimilarity = 0.6;

    public void Evaluate(RunAnalysis run, QualitySignalSink signals)
    {
        if (run.OutcomeKnown || run.FollowUps.Count == 0)
        {
            return;
        }

        var last = TextCues.Head(run.FollowUps[^1], Look);
        if (TextCues.Complaint().IsMatch(last))
        {
            signals.Add(QualityCodes.UserComplaint, "the user's last turn complains about the answer");
            return;
        }

        var first = FirstUserText(run.Trajectory);
        var earlier = run.FollowUps.Take(run.FollowUps.Count - 1).Prepend(first ?? "");
        var lastTokens = Tokens(last);
        if (lastTokens.Count >= 3 && earlier.Any(e => Similarity(lastTokens, Tokens(TextCues.Head(e, Look))) >= RepeatSimilarity))
        {
            signals.Add(QualityCodes.UserRepeatedRequest, "the user's last turn repeats an earlier request");
            return;
        }

        if (TextCues.Words(last, 25) <= 25 && TextCues.Thanks().IsMatch(last))
        {
            signals.Add(QualityCodes.UserThanks, "the user's last turn thanks the agent");
        }
    }

    private static string? FirstUserText(Trajectory t)
    {
        foreach (var m in t.Messages)
        {
            if (m.Role == Role.User && !string.IsNullOrWhiteSpace(m.Content))
            {
                return m.Content;
            }
        }

        return null;
    }

    private static HashSet<string> Tokens(string text)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in text.ToLowerInvariant().Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            set.Add(w);
        }

        return set;
    }

    private static readonly char[] Separators = " \t\r\n.,;:!?\"'()[]{}".ToCharArray();

    private static double Similarity(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }

        var common = a.Count(b.Contains);
        return (double)common / (a.Count + b.Count - common);
    }
}
