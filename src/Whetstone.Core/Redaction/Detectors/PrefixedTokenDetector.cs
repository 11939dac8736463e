using System.Buffers;

namespace Whetstone.Redaction.Detectors;

/// <summary>One credential format that starts with a fixed prefix: the prefix, then a run of <see cref="Body"/>
/// characters whose length is between <see cref="Min"/> and <see cref="Max"/> (a longer run is a different thing,
/// not this token), optionally ending with <see cref="Suffix"/> and up to <see cref="TrailingPad"/> '=' signs.</summary>
internal sealed record TokenRule(string Kind, string Prefix, SearchValues<char> Body, int Min, int Max)
{
    /// <summary>The body must begin with this text (counted in the body's length): a fixed encoded part.</summary>
    public string? BodyPrefix { get; init; }

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
/// Every token is a run of at least <see cref="MinLength"/> characters of one alphabet (the union of the prefixes' and
/// bodies' characters), so only runs of that alphabet long enough to hold a token are looked at (found by a
/// <see cref="RunFinder"/>, a few vector instructions per 32 characters). Inside such a run a token can start only at the run's start or after a separator (<c>- = + / $ ~</c>, not <c>.</c>);
/// there the rules are picked by the first two characters.</summary>
internal sealed class PrefixedTokenDetector : IDetector
{
    private readonly Dictionary<int, TokenRule[]> _byStart;
    private readonly RunFinder _runs;

    public PrefixedTokenDetector(IEnumerable<TokenRule> rules)
    {
        // Plain loops rather than LINQ: built at every start of a command that redacts (see AssignmentDetector).
        var list = new List<TokenRule>(rules);
        var groups = new Dictionary<int, List<TokenRule>>();
        var inAlphabet = new bool[128];
        var minLength = int.MaxValue;
        foreach (var r in list)
        {
            var key = Key(r.Prefix[0], r.Prefix.Length > 1 ? r.Prefix[1] : '\0');
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = [];
            }

            group.Add(r);
            minLength = Math.Min(minLength, r.Prefix.Length + Math.Max(r.Min, 1));
            for (var c = 0; c < 128; c++)
            {
                inAlphabet[c] |= r.Body.Contains((char)c);
            }

            foreach (var c in r.Prefix)
            {
                if (c < 128)
                {
                    inAlphabet[c] = true;
                }
            }
        }

        // Longest prefix first within a group, keeping the rules' order among equal lengths.
        _byStart = new Dictionary<int, TokenRule[]>(groups.Count);
        foreach (var (key, group) in groups)
        {
            _byStart[key] = StableOrder.LongestFirst(group, r => r.Prefix.Length);
        }

        var alphabet = new System.Text.StringBuilder();
        for (var c = 0; c < 128; c++)
        {
            if (inAlphabet[c])
            {
                alphabet.Append((char)c);
            }
        }

        MinLength = minLength;
        _runs = new RunFinder(alphabet.ToString(), MinLength);
        Rules = list;
    }

    public IReadOnlyList<TokenRule> Rules { get; }

    /// <summary>The shortest token any rule accepts (prefix and body).</summary>
    public int MinLength { get; }

    private static int Key(char a, char b) => (a << 16) | b;

    public void Detect(string text, ICollection<Finding> findings)
    {
        var from = 0;
        while (_runs.Next(text, from, out var start, out var end))
        {
            ScanRun(text, start, end, findings);
            from = end;
        }
    }

    /// <summary>Tries every place in the run [<paramref name="start"/>, <paramref name="end"/>) where a token may
    /// begin: the run's start and each position after a separator, while a token still fits.</summary>
    private void ScanRun(string text, int start, int end, ICollection<Finding> findings)
    {
        var i = start;
        while (end - i >= MinLength)
        {
            if (i == start || !SecretText.IsWordChar(text[i - 1]) && text[i - 1] != '.')
            {
                var matchEnd = TryMatch(text, i, out var kind);
                if (matchEnd > i)
                {
                    findings.Add(new Finding(i, matchEnd, kind!));
                    i = matchEnd;
                    continue;
                }
            }

            i++;
        }
    }

    internal int TryMatch(string text, int i, out string? kind)
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
            if (r.BodyPrefix is { } bodyPrefix && !body.StartsWith(bodyPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (r.Suffix is { } suffix && !body.EndsWith(suffix, StringComparison.Ordinal))
            {
                continue;
            }

            if (r.NeedsDigit && body.IndexOfAny(AsciiRanges.Digits) < 0)
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

            if (SecretText.IsPublishedExample(text.AsSpan(i, end - i)))
            {
                continue;
            }

            kind = r.Kind;
            return end;
        }

        return -1;
    }
}
