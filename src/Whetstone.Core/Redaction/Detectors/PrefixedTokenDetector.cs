using System.Buffers;
using System.Collections.Frozen;

namespace Whetstone.Redaction.Detectors;

/// <summary>One credential format that starts with a fixed prefix: the prefix, then a run of <see cref="Body"/>
/// characters whose length is between <see cref="Min"/> and <see cref="Max"/> (a longer run is a different thing,
/// not this token), optionally ending with <see cref="Suffix"/> and up to <see cref="TrailingPad"/> '=' signs.</summary>
internal sealed record TokenRule(string Kind, string Prefix, SearchValues<char> Body, int Min, int Max)
{
    /// <summary>The body must end with this text (counted in the body's length).</summary>
    public string? Suffix { get; init; }

    /// <summary>The body must hold a digit (for short or common prefixes).</summary>
    public bool NeedsDigit { get; init; }

    /// <summary>Base64 padding allowed after the body.</summary>
    public int TrailingPad { get; init; }

    /// <summary>The format allows long repeats (bech32 test keys): skip the filler check.</summary>
    public bool Repetitive { get; init; }

    /// <summary>Accept a run longer than <see cref="Max"/> (formats whose length varies).</summary>
    public bool Open { get; init; }
}

/// <summary>Finds credentials that carry a fixed prefix (<c>ghp_</c>, <c>xoxb-</c>, <c>sk_live_</c>, <c>AKIA</c>, …).
/// All prefixes are searched at once with a vectorized multi-string search; only at a hit is the body checked, so
/// text without any prefix costs one pass.</summary>
internal sealed class PrefixedTokenDetector : IDetector
{
    private readonly SearchValues<string> _prefixes;
    private readonly FrozenDictionary<int, TokenRule[]> _byStart;

    public PrefixedTokenDetector(IEnumerable<TokenRule> rules)
    {
        var list = rules.ToList();
        _prefixes = SearchValues.Create(list.Select(r => r.Prefix).Distinct(StringComparer.Ordinal).ToArray(), StringComparison.Ordinal);
        _byStart = list.GroupBy(r => Key(r.Prefix[0], r.Prefix.Length > 1 ? r.Prefix[1] : '\0'))
            .ToFrozenDictionary(g => g.Key, g => g.OrderByDescending(r => r.Prefix.Length).ToArray());
        Rules = list;
    }

    public IReadOnlyList<TokenRule> Rules { get; }

    private static int Key(char a, char b) => (a << 16) | b;

    public void Detect(string text, ICollection<Finding> findings)
    {
        var at = 0;
        while (at < text.Length)
        {
            var hit = text.AsSpan(at).IndexOfAny(_prefixes);
            if (hit < 0)
            {
                return;
            }

            var i = at + hit;
            var end = TryMatch(text, i, out var kind);
            if (end > i)
            {
                findings.Add(new Finding(i, end, kind!));
                at = end;
            }
            else
            {
                at = i + 1;
            }
        }
    }

    private int TryMatch(string text, int i, out string? kind)
    {
        kind = null;
        if (i > 0 && (SecretText.IsWordChar(text[i - 1]) || text[i - 1] == '.'))
        {
            return -1;
        }

        if (!_byStart.TryGetValue(Key(text[i], i + 1 < text.Length ? text[i + 1] : '\0'), out var rules))
        {
            return -1;
        }

        foreach (var r in rules)
        {
            if (!text.AsSpan(i).StartsWith(r.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var bodyStart = i + r.Prefix.Length;
            var run = SecretText.RunLength(text, bodyStart, r.Body, Math.Max(r.Max, 1024));
            if (run < r.Min || (run > r.Max && !r.Open))
            {
                continue;
            }

            var body = text.AsSpan(bodyStart, run);
            if (r.Suffix is { } suffix && !body.EndsWith(suffix, StringComparison.Ordinal))
            {
                continue;
            }

            if (r.NeedsDigit && body.IndexOfAnyInRange('0', '9') < 0)
            {
                continue;
            }

            if (r.Repetitive ? body.IndexOfAnyExcept("xX0") < 0 : SecretText.IsPlaceholder(body))
            {
                continue;
            }

            var end = bodyStart + run;
            for (var pad = 0; pad < r.TrailingPad && end < text.Length && text[end] == '='; pad++)
            {
                end++;
            }

            // A token is followed by a separator, never by more word characters.
            if (end < text.Length && SecretText.IsWordChar(text[end]))
            {
                continue;
            }

            kind = r.Kind;
            return end;
        }

        return -1;
    }
}
