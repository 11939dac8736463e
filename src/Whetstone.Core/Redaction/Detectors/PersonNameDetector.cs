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

    [GeneratedRegex(@"(?i:\bmy name is|\bmy name's|\b(?:her|his|their|your|whose) name is|\bthis is|\bcall me|\bi am|\bi'm|\bnamed|\bsigned,?)[ ](?<n>" + NameWord + @"(?:[ ](?:[A-Z]\.[ ])?" + NameWord + @"){0,2})", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
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
        var lastMention = -1;
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
            if (nx >= 0 && (char.IsUpper(span[nx]) || nx + 2 < span.Length && span[nx + 1] == '.')
                && e - s >= 2 && lists.IsFirstName(span[s..e]) && SurnameEnd(span, e, lists) is var le and > 0)
            {
                findings.Add(new Finding(s, le, Kind));
                i = le;
                continue;
            }

            if (Mention(span, s, e, lists, ref lastMention) is var end and > 0)
            {
                findings.Add(new Finding(s, end, Kind));
            }

            i = e + 1;
        }
    }

    /// <summary>After a first name ending at <paramref name="e"/>: an optional middle initial (<c>J.</c>) and a listed
    /// surname; returns the surname's end (without a possessive <c>'s</c>), or 0.</summary>
    private static int SurnameEnd(ReadOnlySpan<char> span, int e, NameLists lists)
    {
        var p = e + 1;
        if (p + 2 < span.Length && char.IsAsciiLetterUpper(span[p]) && span[p + 1] == '.' && span[p + 2] == ' ')
        {
            p += 3;
        }

        if (p >= span.Length || !char.IsUpper(span[p]))
        {
            return 0;
        }

        var le = WordEnd(span, p);
        if (span[p..le].EndsWith("'s", StringComparison.Ordinal))
        {
            le -= 2; // "Calvin Murphy's record": the name without its possessive
        }

        return le - p >= 2 && lists.IsSurname(span[p..le]) ? le : 0;
    }

    /// <summary>A listed first name on its own, where the words around it say a person is meant: after a word that
    /// takes a person (<c>call Cindy</c>, <c>a meeting with Bob</c>, <c>reply to Sally</c>, <c>a gift for Emily</c>),
    /// in a list after such a name (<c>Alice, Bob, and Tracy</c>), or as a possessive (<c>Nick's memes</c>). Names
    /// that are more often a product, model or language (<c>ask Claude</c>, <c>written in Julia</c>) are left out.
    /// Returns the end of the name (without a possessive <c>'s</c>), or 0.</summary>
    private static int Mention(ReadOnlySpan<char> span, int s, int e, NameLists lists, ref int lastMention)
    {
        var word = span[s..e];
        var possessive = word.EndsWith("'s", StringComparison.Ordinal);
        if (possessive)
        {
            word = word[..^2];
        }

        // The cheap structural checks first: most capitalised words have no cue and are never looked up.
        var byContext = possessive || Handle(span, s + word.Length) || Cued(span, s, lastMention);
        if (!byContext && !SeparatorThenCapital(span, s + word.Length))
        {
            return 0;
        }

        if (word.Length < 2 || word.Length > 20 || !lists.IsFirstName(word) || NotPeople.Contains(word)
            || !byContext && !ListedNext(span, s + word.Length, lists))
        {
            return 0;
        }

        // "with Taylor Swift", "by Louis Harold Gray": a cued first name takes up to two capitalised words after
        // it (a surname the lists do not hold), unless they are ordinary words.
        var end = s + word.Length;
        if (!possessive)
        {
            for (var k = 0; k < 2 && end + 2 < span.Length && span[end] == ' ' && char.IsAsciiLetterUpper(span[end + 1]); k++)
            {
                var we = WordEnd(span, end + 1);
                var w = span[(end + 1)..we];
                if (w.EndsWith("'s", StringComparison.Ordinal))
                {
                    w = w[..^2];
                }

                if (w.Length < 2 || IsCommonWord(w) || NameLists.IsCommonCapitalised(w) || NotPeople.Contains(w) || NotSurnames.Contains(w)
                    || we < span.Length && char.IsLetterOrDigit(span[we]))
                {
                    break;
                }

                end += 1 + w.Length;
            }
        }

        lastMention = end;
        return end;
    }

    /// <summary>Whether the word before <paramref name="s"/> takes a person, or the text since the previous mention
    /// is a list separator (<c>, </c>, <c> and </c>, <c>, and </c>, <c> or </c>).</summary>
    private static bool Cued(ReadOnlySpan<char> span, int s, int lastMention)
    {
        if (lastMention >= 0 && s - lastMention is > 0 and <= 6)
        {
            var gap = span[lastMention..s];
            if (gap is ", " or " and " or ", and " or " or " or ", or " or " & ")
            {
                return true;
            }
        }

        if (s < 3 || span[s - 1] != ' ')
        {
            return false;
        }

        var pe = s - 1;
        if (pe > 0 && span[pe - 1] == '.')
        {
            pe--; // "Mrs. Fritz", "Dr. Okafor"
        }

        var ps = pe;
        while (ps > 0 && char.IsAsciiLetter(span[ps - 1]))
        {
            ps--;
        }

        if (pe - ps is < 2 or > 9 || ps > 0 && char.IsLetterOrDigit(span[ps - 1]))
        {
            return false;
        }

        Span<char> lower = stackalloc char[9];
        var n = span[ps..pe].ToLowerInvariant(lower);
        return IsPersonCue(lower[..n]);
    }

    /// <summary>A handle in parentheses right after the name: <c>Nick (nickie)</c>, <c>Bob (bob@example.com)</c>.</summary>
    private static bool Handle(ReadOnlySpan<char> span, int e) =>
        e + 2 < span.Length && span[e] == ' ' && span[e + 1] == '(' && char.IsAsciiLetterLower(span[e + 2]);

    /// <summary>Another listed first name right after this one in a list: <c>Olivie, Hugo</c>, <c>Justin and
    /// Michael</c>, <c>John, Mary, and …</c>.</summary>
    private static bool ListedNext(ReadOnlySpan<char> span, int e, NameLists lists)
    {
        var skip = SeparatorLength(span[e..]);
        if (skip == 0)
        {
            return false;
        }

        var ns = e + skip;
        var ne = WordEnd(span, ns);
        var next = span[ns..ne];
        if (next.EndsWith("'s", StringComparison.Ordinal))
        {
            next = next[..^2];
        }

        return next.Length >= 2 && lists.IsFirstName(next) && !NotPeople.Contains(next);
    }

    /// <summary>Capitalised words that follow a name without being part of it.</summary>
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NotSurnames = new HashSet<string>(
    [
        "Tuesday", "Wednesday", "Thursday", "Saturday", "Sunday", "February", "July", "September", "October", "November",
        "December", "I", "Is", "Was", "Has", "Had", "Did", "Does", "If", "In", "On", "At", "To", "Of", "Or", "It", "We",
        "He", "She", "They", "Then", "When", "What", "Who", "Why", "How", "Which", "Where", "My", "Our", "Your", "His", "Her",
        "Thought", "Action", "Observation", "Answer", "Final", "Note", "Hey", "Hi", "Ok", "Okay", "Yes", "No", "Thanks",
    ], StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private static bool SeparatorThenCapital(ReadOnlySpan<char> span, int e) => SeparatorLength(span[e..]) > 0;

    /// <summary>The length of a list separator (<c>, </c>, <c> and </c>, <c>, and </c>) that starts
    /// <paramref name="rest"/> and is followed by a capital letter, or 0.</summary>
    private static int SeparatorLength(ReadOnlySpan<char> rest)
    {
        var skip = rest.StartsWith(", and ", StringComparison.Ordinal) ? 6
            : rest.StartsWith(" and ", StringComparison.Ordinal) ? 5
            : rest.StartsWith(", ", StringComparison.Ordinal) ? 2 : 0;
        return skip > 0 && skip < rest.Length && char.IsUpper(rest[skip]) ? skip : 0;
    }

    /// <summary>Words after which a capitalised first name is a person (a switch on constant strings compiles to a
    /// length and character test: cheaper than hashing the word before every capitalised word).</summary>
    private static bool IsPersonCue(ReadOnlySpan<char> w) => w is "with" or "to" or "for" or "from" or "call" or "called"
        or "text" or "texted" or "email" or "emailed" or "message" or "messaged" or "ask" or "asked" or "tell" or "told"
        or "meet" or "met" or "invite" or "invited" or "remind" or "reminded" or "buy" or "cc" or "ping" or "thank"
        or "thanks" or "visit" or "reply" or "replied" or "dear" or "hi" or "hey" or "hello" or "send" or "sent" or "pay"
        or "paid" or "sister" or "brother" or "wife" or "husband" or "son" or "daughter" or "mom" or "dad" or "mother"
        or "father" or "friend" or "colleague" or "boss" or "manager" or "uncle" or "aunt" or "cousin" or "grandma"
        or "grandpa" or "mr" or "mrs" or "ms" or "dr" or "prof" or "professor" or "date" or "contact" or "notify" or "phone"
        or "by";

    /// <summary>Listed first names that, standing alone in agent traffic, are mostly a product, an AI model or a
    /// language, a place, or a word (the lists hold <c>America</c>, <c>Brooklyn</c>, <c>Miracle</c>, …).</summary>
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NotPeople = new HashSet<string>(
    [
        "Claude", "Gemini", "Alexa", "Siri", "Cortana", "Julia", "Ada", "Pascal", "Haskell", "Mac", "Luigi", "Karma",
        "Jasmine", "Aurora", "Nova", "Vega", "Apollo", "Orion", "Juno", "Luna", "Gaia", "Raven", "Sunny", "Ford", "Mercedes",
        "Kali", "America", "Asia", "Brooklyn", "Camden", "Chester", "Cleveland", "Colombo", "Columbus", "Darwin", "Eden",
        "Florida", "Forest", "France", "Genesis", "Geneva", "Heaven", "Hobart", "Israel", "Jordan", "Kenya", "Kent", "Chelsea",
        "Devon", "Leone", "Milan", "Miracle", "Missouri", "Montana", "Okey", "Oman", "Orlando", "Princess", "Raleigh",
        "Richmond", "Royal", "Salvador", "Santiago", "Sierra", "Storm", "Trenton", "Trinity", "Troy", "Unique", "Verona",
        "Vienna", "Wellington", "Zion", "Destiny", "Justice", "Precious", "Harmony", "Serenity", "Haven", "Sage",
    ], StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

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
