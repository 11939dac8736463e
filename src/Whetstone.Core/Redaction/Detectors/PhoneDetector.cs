using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Whetstone.Redaction.Detectors;

/// <summary>Phone numbers in international (<c>+44 20 7946 0958</c>, <c>+1-415-555-0100</c>) and national forms
/// (<c>(415) 555-0100</c>, <c>703-607-3363</c>, <c>020 7946 0958</c>), checked with libphonenumber. A candidate
/// must be written like a phone number (a leading <c>+</c>, or digits grouped by spaces, dashes, dots or
/// parentheses); a bare run of digits counts only after a word like "phone", "call" or "tel". Dates, times,
/// versions, and numbers glued to letters are not candidates.</summary>
internal sealed partial class PhoneDetector : IDetector
{
    public const string Kind = "phone";

    /// <summary>libphonenumber's metadata takes ~10 ms to load: only when a candidate is first checked.</summary>
    private static readonly Lazy<PhoneNumberUtil> LazyUtil = new(PhoneNumberUtil.GetInstance, LazyThreadSafetyMode.ExecutionAndPublication);

    private static PhoneNumberUtil Util => LazyUtil.Value;

    /// <summary>Runs of at least nine digits, the shortest number <see cref="KeywordBare"/> accepts.</summary>
    private static readonly RunFinder BareDigits = new("0123456789", 9);

    /// <summary>Regions tried for national numbers that start with a trunk 0.</summary>
    private static readonly string[] TrunkRegions = ["GB", "DE", "FR", "IT", "ES", "NL", "AU", "IN", "BR", "JP", "ZA", "IE", "BE", "CH", "AT", "SE", "PL"];

    [GeneratedRegex(@"(?<![\w.+/:-])(?:\+[1-9][0-9]{0,2}[ .-]?)?(?:\(0?[0-9]{1,4}\)[ .-]?)?[0-9]{1,5}(?:[ .-][0-9]{1,6}){1,5}(?:[ ]?(?:ext\.?|x|#)[ ]?[0-9]{1,5})?(?![\w+/:-]|[.-][0-9]|\.\w)", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Grouped();

    [GeneratedRegex(@"(?<![\w.+/:-])(?:\+[1-9][0-9]{6,14}|\([0-9]{3}\)[ ]?[0-9]{3}[ .-]?[0-9]{4})(?![\w+/:-]|[.-][0-9])", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Compact();

    [GeneratedRegex(@"(?i)(?:phone|mobile|cell|tel|telephone|call|text|sms|whatsapp|fax|contact|number|reach me)\b[^0-9\n]{0,24}(?<n>\+?[0-9]{9,15})(?![0-9])", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex KeywordBare();

    public void Detect(string text, ICollection<Finding> findings)
    {
        // Every finding has 7 to 15 digits (IsPhone): text with fewer has none.
        var span = text.AsSpan();
        if (!SecretText.HasDigits(span, 7))
        {
            return;
        }

        foreach (var m in Grouped().EnumerateMatches(text))
        {
            var candidate = span.Slice(m.Index, m.Length);
            if (IsPhone(candidate, grouped: true))
            {
                findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
            }
            else
            {
                SubRanges(text, m.Index, m.Length, findings);
            }
        }

        if (span.Contains('+') || span.Contains('('))
        {
            foreach (var m in Compact().EnumerateMatches(text))
            {
                if (IsPhone(span.Slice(m.Index, m.Length), grouped: false))
                {
                    findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
                }
            }
        }

        // A bare number is nine or more digits in a row: look for the keywords only where such a run exists
        // (their case-insensitive search is most of this detector's time otherwise).
        if (!BareDigits.Next(text, 0, out _, out _))
        {
            return;
        }

        foreach (Match m in KeywordBare().Matches(text))
        {
            var g = m.Groups["n"];
            if (IsPhone(g.ValueSpan, grouped: false, bare: true))
            {
                findings.Add(new Finding(g.Index, g.Index + g.Length, Kind));
            }
        }
    }

    /// <summary>Numbers written next to each other ("703-607-3363 4111 1111 1111 1111") form one candidate: try the
    /// runs of consecutive groups inside it, longest first, left to right.</summary>
    private static void SubRanges(string text, int index, int length, ICollection<Finding> findings)
    {
        Span<int> starts = stackalloc int[8];
        Span<int> ends = stackalloc int[8];
        var n = 0;
        var i = index;
        var end = index + length;
        while (i < end && n < 8)
        {
            var s = i;
            while (i < end && text[i] is not (' ' or '-' or '.'))
            {
                i++;
            }

            starts[n] = s;
            ends[n++] = i;
            i++;
        }

        if (n < 3)
        {
            return;
        }

        var from = 0;
        while (from < n)
        {
            var found = false;
            for (var to = n - 1; to > from; to--)
            {
                var c = text.AsSpan(starts[from], ends[to] - starts[from]);
                if (IsPhone(c, grouped: true))
                {
                    findings.Add(new Finding(starts[from], ends[to], Kind));
                    from = to + 1;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                from++;
            }
        }
    }

    internal static bool IsPhone(ReadOnlySpan<char> candidate, bool grouped, bool bare = false)
    {
        var digits = 0;
        var groups = 1;
        var seps = 0;
        char sep = '\0';
        var mixedSeps = false;
        foreach (var c in candidate)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c is ' ' or '-' or '.')
            {
                groups++;
                seps++;
                if (sep != '\0' && sep != c)
                {
                    mixedSeps = true;
                }

                sep = c;
            }
        }

        if (digits is < 7 or > 15)
        {
            return false;
        }

        var plus = candidate[0] == '+';
        if (grouped && !plus)
        {
            // Dates (2023-09-11, 11.09.2023), times and versions (1.2.3) are not phone numbers.
            if (sep == '.' && groups >= 3 && digits <= 8 || LooksLikeDate(candidate))
            {
                return false;
            }

            if (mixedSeps && candidate[0] != '(' && sep != ' ')
            {
                return false;
            }

            // Lone short groups separated by spaces are counts and amounts ("3 14 2023"), not numbers.
            if (sep == ' ' && candidate.IndexOf('(') < 0 && FirstGroupLength(candidate) > 4)
            {
                return false;
            }
        }

        var text = candidate.ToString();
        try
        {
            if (plus)
            {
                var n = Util.Parse(text, "ZZ");
                return Util.IsValidNumber(n) || Util.IsPossibleNumber(n) && seps >= 2;
            }

            if (digits == 10 || digits == 11 && text.TrimStart('(')[0] == '1')
            {
                var us = Util.Parse(text, "US");
                if (Util.IsPossibleNumber(us) && (grouped || bare || candidate[0] == '(') && NanpShape(candidate))
                {
                    return true;
                }
            }

            if (text.TrimStart('(')[0] == '0' && (grouped || bare))
            {
                foreach (var region in TrunkRegions)
                {
                    if (Util.IsValidNumber(Util.Parse(text, region)))
                    {
                        return true;
                    }
                }
            }

            if (bare)
            {
                return Util.IsValidNumber(Util.Parse(text, "US"));
            }
        }
        catch (NumberParseException)
        {
        }

        return false;
    }

    private static int FirstGroupLength(ReadOnlySpan<char> s)
    {
        var i = s.IndexOfAny(" -.");
        return i < 0 ? s.Length : i;
    }

    /// <summary>NANP numbers group as 3-3-4 (optionally after a 1): <c>415 555 0100</c>, <c>(415) 555-0100</c>.</summary>
    private static bool NanpShape(ReadOnlySpan<char> s)
    {
        Span<int> lens = stackalloc int[8];
        var n = 0;
        var run = 0;
        foreach (var c in s)
        {
            if (char.IsAsciiDigit(c))
            {
                run++;
            }
            else if (run > 0)
            {
                if (n == lens.Length)
                {
                    return false;
                }

                lens[n++] = run;
                run = 0;
            }
        }

        if (run > 0 && n < lens.Length)
        {
            lens[n++] = run;
        }

        var l = lens[..n];
        return l.SequenceEqual([3, 3, 4]) || l.SequenceEqual([1, 3, 3, 4]) || l.SequenceEqual([10]) || l.SequenceEqual([11]) || l.SequenceEqual([3, 7]) || l.SequenceEqual([6, 4]);
    }

    private static bool LooksLikeDate(ReadOnlySpan<char> s)
    {
        // yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy, yyyy mm dd
        if (s.Length is 10 && char.IsAsciiDigit(s[0]) && char.IsAsciiDigit(s[9]))
        {
            if (s[4] is '-' or '.' or ' ' && s[7] == s[4] && (s[0] is '1' or '2'))
            {
                return true;
            }

            if (s[2] is '-' or '.' or '/' && s[5] == s[2] && s[6] is '1' or '2')
            {
                return true;
            }
        }

        return false;
    }
}
