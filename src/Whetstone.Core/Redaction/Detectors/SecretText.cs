using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Whetstone.Redaction.Detectors;

/// <summary>Character classes and value checks shared by the secret detectors.</summary>
internal static class SecretText
{
    public static readonly SearchValues<char> Alnum = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    public static readonly SearchValues<char> Word = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
    public static readonly SearchValues<char> WordDash = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
    public static readonly SearchValues<char> WordDashDot = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.");
    public static readonly SearchValues<char> WordDashEq = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=");
    public static readonly SearchValues<char> HexLower = SearchValues.Create("0123456789abcdef");
    public static readonly SearchValues<char> Hex = SearchValues.Create("0123456789abcdefABCDEF");
    public static readonly SearchValues<char> Letters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    public static readonly SearchValues<char> UpperDigits = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    public static readonly SearchValues<char> LowerDigits = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789");
    public static readonly SearchValues<char> Base32Upper = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    public static readonly SearchValues<char> Base64 = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
    public static readonly SearchValues<char> Base64Url = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-");
    public static readonly SearchValues<char> Bech32 = SearchValues.Create("qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L");

    private static readonly SearchValues<string> RedactedMarks = SearchValues.Create(["[redacted", "redacted]"], StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="text"/> holds at least <paramref name="count"/> ASCII digits, counted 16 at a
    /// time: a necessary condition that lets the number detectors skip most text without running a pattern.</summary>
    /// <summary>Keys that vendors publish in their SDKs and documentation as examples and test values: public by
    /// design, so they are not redacted (a training example that quotes the SDK keeps its code intact). Facts, not
    /// rules: the Firebase Android SDK's example Google API keys (github.com/firebase/firebase-android-sdk), as listed
    /// in gitleaks' gcp-api-key allowlist (MIT). AWS's documented examples end in <c>EXAMPLE</c> and are caught by
    /// <see cref="IsPlaceholder"/> by shape.</summary>
    private static readonly System.Collections.Frozen.FrozenSet<string> PublishedExamples = System.Collections.Frozen.FrozenSet.ToFrozenSet(
    [
        "AIzaSyabcdefghijklmnopqrstuvwxyz1234567", "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs", "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM",
        "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU", "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0", "AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A",
        "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c", "AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4", "AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY",
        "AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM", "AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ", "AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
        "AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU", "AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw", "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE",
        "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
    ], StringComparer.Ordinal);

    private static readonly System.Collections.Frozen.FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> PublishedExampleLookup =
        PublishedExamples.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Whether <paramref name="value"/> is a key published as an example (see <see cref="PublishedExamples"/>).</summary>
    public static bool IsPublishedExample(ReadOnlySpan<char> value) => value.Length == 39 && PublishedExampleLookup.Contains(value);

    public static bool HasDigits(ReadOnlySpan<char> text, int count)
    {
        var i = 0;
        var n = 0;
        if (Vector256.IsHardwareAccelerated && text.Length >= 16)
        {
            ref var r = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            for (; i <= text.Length - 16; i += 16)
            {
                var v = Vector256.LoadUnsafe(ref r, (nuint)i) - Vector256.Create((ushort)'0');
                n += BitOperations.PopCount(Vector256.LessThan(v, Vector256.Create((ushort)10)).ExtractMostSignificantBits());
                if (n >= count)
                {
                    return true;
                }
            }
        }

        for (; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i]) && ++n >= count)
            {
                return true;
            }
        }

        return n >= count;
    }

    /// <summary>Letters, digits and underscore: what may not touch a token on the left.</summary>
    public static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || (c > 127 && char.IsLetterOrDigit(c));

    /// <summary>Shannon entropy in bits per character.</summary>
    public static double Entropy(ReadOnlySpan<char> s)
    {
        if (s.Length == 0)
        {
            return 0;
        }

        Span<int> counts = stackalloc int[128];
        var other = 0;
        foreach (var c in s)
        {
            if (c < 128)
            {
                counts[c]++;
            }
            else
            {
                other++;
            }
        }

        double h = 0;
        foreach (var n in counts)
        {
            if (n > 0)
            {
                var p = (double)n / s.Length;
                h -= p * Math.Log2(p);
            }
        }

        if (other > 0)
        {
            var p = (double)other / s.Length;
            h -= p * Math.Log2(p);
        }

        return h;
    }

    /// <summary>A value that only stands in for a secret: masked (<c>xxxx</c>, <c>****</c>, <c>####</c>), mostly zeros,
    /// a documentation example, or a template/variable reference.</summary>
    public static bool IsPlaceholder(ReadOnlySpan<char> value)
    {
        if (value.Length == 0)
        {
            return true;
        }

        if (IsPublishedExample(value))
        {
            return true;
        }

        if (value.EndsWith("EXAMPLE", StringComparison.Ordinal) || value.Contains("EXAMPLEKEY", StringComparison.Ordinal)
            || value.Contains("..", StringComparison.Ordinal) || value.Contains('…')
            || value.IndexOfAny('[', ']') >= 0 && value.IndexOfAny(RedactedMarks) >= 0)
        {
            return true;
        }

        if (IsRepetitive(value) || HasAlphabetRun(value))
        {
            return true;
        }

        var run = 1;
        var maxRun = 1;
        var maxRunChar = value[0];
        Span<int> counts = stackalloc int[6];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var slot = c switch { 'x' => 0, 'X' => 1, '*' => 2, '#' => 3, '0' => 4, '.' or '•' or '_' or '<' or '>' => 5, _ => -1 };
            if (slot >= 0)
            {
                counts[slot]++;
            }

            if (i > 0)
            {
                run = c == value[i - 1] ? run + 1 : 1;
                if (run > maxRun)
                {
                    maxRun = run;
                    maxRunChar = c;
                }
            }
        }

        if (maxRun >= 5 && maxRunChar is 'x' or 'X' or '*' or '#' or '•' or '.' or '0' or '<' or '>' or '-')
        {
            return true;
        }

        foreach (var n in counts)
        {
            if (n * 2 >= value.Length && value.Length >= 4)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A value that is a reference to a secret kept elsewhere, not a secret: <c>$VAR</c>, <c>${VAR}</c>,
    /// <c>$(cmd)</c>, <c>`cmd`</c>, <c>{{ tmpl }}</c>, <c>&lt;your key&gt;</c>, <c>[PASSWORD]</c>, <c>%VAR%</c>,
    /// <c>process.env.X</c>, <c>os.environ[..]</c>.</summary>
    public static bool IsReference(ReadOnlySpan<char> value)
    {
        if (value.Length == 0)
        {
            return true;
        }

        var c = value[0];
        if (c is '$' or '`' or '<' or '[' or '%' or '@' && value.Length > 1 && (value[1] is '{' or '(' or '[' || char.IsAsciiLetter(value[1]) || value[1] == '_'))
        {
            return true;
        }

        if (c is '{' && value.Length > 1)
        {
            return true;
        }

        if (value.StartsWith("process.env", StringComparison.Ordinal) || value.StartsWith("os.environ", StringComparison.Ordinal) ||
            value.StartsWith("os.getenv", StringComparison.Ordinal) || value.StartsWith("env.", StringComparison.Ordinal) ||
            value.StartsWith("ENV[", StringComparison.Ordinal) || value.StartsWith("System.getenv", StringComparison.Ordinal) ||
            value.StartsWith("Environment.", StringComparison.Ordinal) || value.StartsWith("secrets.", StringComparison.Ordinal) ||
            value.StartsWith("var.", StringComparison.Ordinal) || value.StartsWith("local.", StringComparison.Ordinal) ||
            value.StartsWith("self.", StringComparison.Ordinal) || value.StartsWith("this.", StringComparison.Ordinal) ||
            value.StartsWith("config.", StringComparison.Ordinal) || value.StartsWith("settings.", StringComparison.Ordinal) ||
            value.StartsWith("params.", StringComparison.Ordinal) || value.StartsWith("args.", StringComparison.Ordinal))
        {
            return true;
        }

        return false;
    }

    /// <summary>Words people write where a secret would go, never a secret themselves.</summary>
    public static bool IsStandInWord(ReadOnlySpan<char> value)
    {
        Span<char> lower = stackalloc char[Math.Min(value.Length, 32)];
        if (value.Length > 32)
        {
            return false;
        }

        value.ToLowerInvariant(lower);
        return lower switch
        {
            "password" or "passwd" or "pass" or "pwd" or "secret" or "token" or "apikey" or "api_key" or "api-key" or "key"
                or "changeme" or "change_me" or "changeit" or "null" or "none" or "nil" or "true" or "false" or "undefined"
                or "redacted" or "example" or "test" or "testing" or "dummy" or "placeholder" or "your_password"
                or "yourpassword" or "your-password" or "your_token" or "your_api_key" or "your-api-key" or "yourapikey"
                or "mypassword" or "my_password" or "secret_key" or "secretkey" or "string" or "str" or "required"
                or "optional" or "default" or "empty" or "hidden" or "masked" or "yyy" or "xxx" or "abc" or "foo"
                or "bar" or "foobar" or "baz" or "todo" or "tbd" or "n/a" or "na" or "user" or "username" or "admin"
                or "guest" or "root" or "password123" or "123456" or "12345678" or "qwerty" or "letmein" or "sample"
                or "demo" or "value" or "access_token" or "refresh_token" or "bearer" or "basic" or "auth" or "env"
                or "client_secret" or "api_token" or "secret123" or "notasecret" or "not-a-secret" or "insert" => true,
            _ => lower.StartsWith("your") || lower.StartsWith("<") || lower.StartsWith("insert_") || lower.StartsWith("replace"),
        };
    }

    /// <summary>Looks machine-made: long enough, several character classes, enough entropy, and not a run of
    /// dictionary words (<c>my-service-name</c>), a version or a path.</summary>
    public static bool LooksRandom(ReadOnlySpan<char> value, int minLength = 16, double minEntropy = 3.0)
    {
        if (value.Length < minLength || IsPlaceholder(value))
        {
            return false;
        }

        int upper = 0, lower = 0, digit = 0, other = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                upper++;
            }
            else if (char.IsAsciiLetterLower(c))
            {
                lower++;
            }
            else if (char.IsAsciiDigit(c))
            {
                digit++;
            }
            else if (c is '/' or ' ' or '\\')
            {
                return false;
            }
            else
            {
                other++;
            }
        }

        if (WordySegments(value) >= 2)
        {
            return false;
        }

        var classes = (upper > 0 ? 1 : 0) + (lower > 0 ? 1 : 0) + (digit > 0 ? 1 : 0);
        if (classes < 2 || digit == 0 && value.Length < 24)
        {
            return false;
        }

        return Entropy(value) >= minEntropy;
    }

    /// <summary>Mostly one short unit repeated (<c>aaaaaaaa</c>, <c>123123123123</c>, <c>1111…=</c>): a filler, not a
    /// secret. A unit of up to four characters must repeat over at least 70% of a value of 12 or more.</summary>
    public static bool IsRepetitive(ReadOnlySpan<char> value)
    {
        if (value.Length < 12)
        {
            return false;
        }

        for (var period = 1; period <= 4; period++)
        {
            var same = 0;
            for (var i = period; i < value.Length; i++)
            {
                if (value[i] == value[i - period])
                {
                    same++;
                }
            }

            if (same >= (value.Length - period) * 0.7)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Holds eight or more consecutive letters of the alphabet (<c>abcdefgh</c>): typed by a person as a
    /// stand-in.</summary>
    public static bool HasAlphabetRun(ReadOnlySpan<char> value)
    {
        var run = 1;
        for (var i = 1; i < value.Length; i++)
        {
            run = char.IsAsciiLetter(value[i]) && value[i] == value[i - 1] + 1 ? run + 1 : 1;
            if (run >= 8)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Segments between <c>. _ - /</c> made of four or more lower-case letters only (<c>jetbrains</c>,
    /// <c>elimination</c>): words, which machine-made secrets do not contain.</summary>
    public static int WordySegments(ReadOnlySpan<char> value)
    {
        var n = 0;
        foreach (var r in value.SplitAny("._-/"))
        {
            var seg = value[r];
            if (seg.Length >= 4 && seg.IndexOfAnyExcept(AsciiRanges.Lower) < 0)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Length of the run of <paramref name="set"/> characters starting at <paramref name="start"/>.</summary>
    public static int RunLength(string text, int start, SearchValues<char> set, int cap)
    {
        var span = text.AsSpan(start, Math.Min(cap + 1, text.Length - start));
        var end = span.IndexOfAnyExcept(set);
        return end < 0 ? span.Length : end;
    }
}
