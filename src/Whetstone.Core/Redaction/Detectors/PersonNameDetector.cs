using System.Text.RegularExpressions;

namespace Whetstone.Redaction.Detectors;

/// <summary>Person names. In context: after a greeting (<c>Hi Maria</c>, <c>Dear Mr. Okafor</c>), an introduction
/// (<c>my name is …</c>, <c>this is …</c>, <c>call me …</c>), above a sign-off line (<c>Best regards,\nJohn</c>) and
/// in <c>name</c> fields written as text (<c>"full_name": "…"</c>). Without context: a known first name followed by a
/// known surname (optionally with a middle initial), both from the Bogus locale lists.</summary>
internal sealed partial class PersonNameDetector : IDetector
{
    public const string Kind = "person";

    // Case-insensitive cues as SearchValues: one vectorized pass (Contains(…, OrdinalIgnoreCase) is scalar in
    // invariant globalization mode).
    private static readonly System.Buffers.SearchValues<string> IntroductionCues = System.Buffers.SearchValues.Create(
        ["name", "this is", "call me", "i am", "i'm", "signed"], StringComparison.OrdinalIgnoreCase);

    private static readonly System.Buffers.SearchValues<string> NameFieldCues = System.Buffers.SearchValues.Create(
        ["name\"", "person\""], StringComparison.OrdinalIgnoreCase);

    /// <summary>A word every <see cref="Greeting"/> begins with (the pattern is case-sensitive).</summary>
    private static readonly System.Buffers.SearchValues<string> GreetingCues = System.Buffers.SearchValues.Create(
        ["Hi", "He", "Dear", "Thank", "Welcome", "Morning", "Good", "Bye"], StringComparison.Ordinal);

    /// <summary>A word every <see cref="SignOff"/> holds.</summary>
    private static readonly System.Buffers.SearchValues<string> SignOffCues = System.Buffers.SearchValues.Create(
        ["regards", "best", "cheers", "thank", "sincerely", "yours"], StringComparison.OrdinalIgnoreCase);

    private const string NameWord = @"[A-Z][a-z'\u00E0-\u00FF]+(?:-[A-Z][a-z'\u00E0-\u00FF]+)?";

    [GeneratedRegex(@"\b(?:Hi|Hello|Hey|Dear|Thanks|Thank you|Welcome|Morning|Good (?:morning|afternoon|evening)|Bye|Goodbye)(?:,[ ]?|[ ])(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?[ ])?(?<n>" + NameWord + @"(?:[ ](?:[A-Z]\.[ ])?" + NameWord + @"){0,2})(?=[ ]?[,!.:;?\n]|$)", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Greeting();

    [GeneratedRegex(@"(?i:\bmy name is|\bmy name's|\bthis is|\bcall me|\bi am|\bi'm|\bnamed|\bsigned,?)[ ](?<n>" + NameWord + @"(?:[ ](?:[A-Z]\.[ ])?" + NameWord + @"){0,2})", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Introduction();

    [GeneratedRegex(@"(?i:best regards|kind regards|warm regards|regards|best wishes|best|cheers|thanks|thank you|sincerely|yours truly|yours|many thanks)[ ]?[,.!]?[ ]?(?:\r?\n|\\n)[ ]?(?<n>" + NameWord + @"(?:[ ](?:[A-Z]\.[ ])?" + NameWord + @"){0,2})(?=[ ]*(?:\r?\n|\\n|$))", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex SignOff();

    [GeneratedRegex(@"(?i:""(?:full_?name|first_?name|last_?name|display_?name|contact_?name|customer_?name|sender_?name|recipient_?name|patient_?name|person|author_?name|name)""[ ]?:[ ]?"")(?<n>" + NameWord + @"(?:[ ](?:[A-Z]\.[ ]?)?" + NameWord + @"){0,3})""", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex NameField();

    public void Detect(string text, ICollection<Finding> findings)
    {
        var span = text.AsSpan();
        var lists = NameLists.Instance;

        if (span.IndexOfAny(GreetingCues) >= 0)
        {
            foreach (Match m in Greeting().Matches(text))
            {
                var g = m.Groups["n"];
                if (IsPlausible(g.ValueSpan, lists, requireListed: false))
                {
                    findings.Add(new Finding(g.Index, g.Index + g.Length, Kind));
                }
            }
        }

        if (span.IndexOfAny(IntroductionCues) >= 0)
        {
            foreach (Match m in Introduction().Matches(text))
            {
                var g = m.Groups["n"];
                var strong = m.Value.StartsWith("my name", StringComparison.OrdinalIgnoreCase) || m.Value.StartsWith("call me", StringComparison.OrdinalIgnoreCase);
                if (IsPlausible(g.ValueSpan, lists, requireListed: !strong))
                {
                    findings.Add(new Finding(g.Index, g.Index + g.Length, Kind));
                }
            }

            if (span.IndexOfAny(NameFieldCues) >= 0)
            {
                foreach (Match m in NameField().Matches(text))
                {
                    var g = m.Groups["n"];
                    if (IsPlausible(g.ValueSpan, lists, requireListed: true))
                    {
                        findings.Add(new Finding(g.Index, g.Index + g.Length, Kind));
                    }
                }
            }
        }

        if ((span.Contains('\n') || span.Contains("\\n", StringComparison.Ordinal)) && span.IndexOfAny(SignOffCues) >= 0)
        {
            foreach (Match m in SignOff().Matches(text))
            {
                var g = m.Groups["n"];
                if (IsPlausible(g.ValueSpan, lists, requireListed: true))
                {
                    findings.Add(new Finding(g.Index, g.Index + g.Length, Kind));
                }
            }
        }

        FullNames(text, lists, findings);
    }

    /// <summary>A name found by context must not be an ordinary capitalised word; with <paramref name="requireListed"/>
    /// its first or last word must be a listed first name or surname.</summary>
    internal static bool IsPlausible(ReadOnlySpan<char> name, NameLists lists, bool requireListed)
    {
        var firstEnd = name.IndexOf(' ');
        var first = firstEnd < 0 ? name : name[..firstEnd];
        var lastStart = name.LastIndexOf(' ');
        var last = lastStart < 0 ? name : name[(lastStart + 1)..];
        var listed = lists.IsFirstName(first) || lists.IsSurname(last) || lists.IsSurname(first);
        if (requireListed)
        {
            return listed;
        }

        return listed || !IsCommonWord(first);
    }

    private static bool IsCommonWord(ReadOnlySpan<char> w) => w is "There" or "Everyone" or "All" or "Team" or "Guys" or "Folks"
        or "Sir" or "Madam" or "Again" or "Back" or "So" or "Very" or "For" or "Everybody" or "World" or "Friend" or "Friends"
        or "Customer" or "User" or "Support" or "Thanks" or "Again" or "Both" or "You" or "Me" or "Him" or "Her" or "Them" or "Us"
        or "Team" or "Sure" or "Yes" or "No" or "Okay" or "Ok" or "The" or "That" or "This" or "There" or "Here" or "Now" or "Today"
        or "Tomorrow" or "Again" or "Anyway" or "Great" or "Good" or "Please" or "Not" or "Just" or "Also";

    /// <summary>First name (listed) + optional initial + surname (listed): the list-based rule needs no context.</summary>
    private static void FullNames(string text, NameLists lists, ICollection<Finding> findings)
    {
        var span = text.AsSpan();
        var i = 0;
        while (i < span.Length)
        {
            var next = span[i..].IndexOfAny(AsciiRanges.Upper);
            if (next < 0)
            {
                return;
            }

            var s = i + next;
            if (s > 0 && char.IsLetterOrDigit(span[s - 1]))
            {
                i = s + 1;
                continue;
            }

            var e = WordEnd(span, s);

            // Most capitalised words are not followed by another one: check that before any lookup.
            var nx = e + 1 < span.Length && span[e] == ' ' ? e + 1 : -1;
            if (nx < 0 || !(char.IsUpper(span[nx]) || nx + 2 < span.Length && span[nx + 1] == '.'))
            {
                i = e + 1;
                continue;
            }

            if (e - s < 2 || !lists.IsFirstName(span[s..e]))
            {
                i = e + 1;
                continue;
            }

            // optional middle initial "J." then the surname
            var p = e;
            if (p + 1 < span.Length && span[p] == ' ')
            {
                p++;
                if (p + 2 < span.Length && char.IsAsciiLetterUpper(span[p]) && span[p + 1] == '.' && span[p + 2] == ' ')
                {
                    p += 3;
                }

                if (p < span.Length && char.IsUpper(span[p]))
                {
                    var le = WordEnd(span, p);
                    if (le - p >= 2 && lists.IsSurname(span[p..le]))
                    {
                        findings.Add(new Finding(s, le, Kind));
                        i = le;
                        continue;
                    }
                }
            }

            i = e + 1;
        }
    }

    private static int WordEnd(ReadOnlySpan<char> span, int s)
    {
        var e = s + 1;
        while (e < span.Length && (char.IsLower(span[e]) || span[e] == '\'' && e + 1 < span.Length && char.IsLower(span[e + 1])))
        {
            e++;
        }

        return e;
    }
}
