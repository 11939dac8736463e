using System.Text.RegularExpressions;

namespace Whetstone.Redaction.Detectors;

/// <summary>Payment card numbers: 13–19 digits, whole or grouped by spaces or dashes, with an issuer prefix
/// (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro) and a valid Luhn check digit.</summary>
internal sealed partial class PaymentCardDetector : IDetector
{
    public const string Kind = "credit_card";

    [GeneratedRegex(@"(?<![\w.-])[2-6][0-9]{3}(?:[ -]?[0-9]{2,7}){2,4}(?![\w]|[.-][0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Candidate();

    public void Detect(string text, ICollection<Finding> findings)
    {
        // A card number has 13 to 19 digits: text with fewer holds none.
        if (!SecretText.HasDigits(text, 13))
        {
            return;
        }

        Span<char> digits = stackalloc char[24];
        foreach (var m in Candidate().EnumerateMatches(text))
        {
            var n = 0;
            foreach (var c in text.AsSpan(m.Index, m.Length))
            {
                if (char.IsAsciiDigit(c))
                {
                    if (n == digits.Length)
                    {
                        n = 0;
                        break;
                    }

                    digits[n++] = c;
                }
            }

            if (n is >= 13 and <= 19 && HasIssuerPrefix(digits[..n]) && Luhn(digits[..n]))
            {
                findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
            }
        }
    }

    internal static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var dbl = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (dbl)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            dbl = !dbl;
        }

        return sum % 10 == 0;
    }

    private static bool HasIssuerPrefix(ReadOnlySpan<char> d)
    {
        var two = (d[0] - '0') * 10 + (d[1] - '0');
        var four = two * 100 + (d[2] - '0') * 10 + (d[3] - '0');
        return d[0] == '4' && d.Length is 13 or 16 or 19
            || two is >= 51 and <= 55 && d.Length == 16 || four is >= 2221 and <= 2720 && d.Length == 16
            || two is 34 or 37 && d.Length == 15
            || (four == 6011 || two == 65 || four / 10 is >= 644 and <= 649) && d.Length is 16 or 19
            || four is >= 3528 and <= 3589 && d.Length is 16 or 19
            || (two is 36 or 38 or 39 || four / 10 is >= 300 and <= 305) && d.Length is 14 or 16
            || two == 62 && d.Length is >= 16 and <= 19
            || two is 50 or 56 or 57 or 58 or 63 or 67 && d.Length is >= 12 and <= 19;
    }
}

/// <summary>International bank account numbers: a country code, two check digits and the account, whole or in
/// groups of four; the country's length and the ISO 13616 mod-97 check must hold.</summary>
internal sealed partial class IbanDetector : IDetector
{
    public const string Kind = "iban";

    private static readonly Dictionary<string, int> Lengths = new(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22,
        ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DK"] = 18, ["DO"] = 28,
        ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GE"] = 22, ["GI"] = 23,
        ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26,
        ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20,
        ["LV"] = 21, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NL"] = 18,
        ["NO"] = 15, ["PK"] = 24, ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["SA"] = 24,
        ["SC"] = 31, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["ST"] = 25, ["SV"] = 28, ["TL"] = 23, ["TN"] = 24,
        ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20,
    };

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Candidate();

    public void Detect(string text, ICollection<Finding> findings)
    {
        if (!MayHoldCandidate(text))
        {
            return;
        }

        Span<char> compact = stackalloc char[40];
        foreach (var m in Candidate().EnumerateMatches(text))
        {
            var raw = text.AsSpan(m.Index, m.Length);
            var n = 0;
            foreach (var c in raw)
            {
                if (c != ' ' && n < compact.Length)
                {
                    compact[n++] = c;
                }
            }

            var iban = compact[..n];
            if (Lengths.TryGetValue(iban[..2].ToString(), out var len) && len == n && Mod97(iban))
            {
                findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
            }
        }
    }

    /// <summary>Whether some position holds what every <see cref="Candidate"/> match begins with: two capitals and
    /// two digits, not preceded by an ASCII letter or digit. Most texts have none, and skipping the pattern for them
    /// saves more than its scan: the generated regex looks for each capital with <c>IndexOfAnyInRange</c>, which
    /// allocates in ReadyToRun code (<see cref="AsciiRanges"/>) — ~400 bytes a text, a third of what the detectors
    /// allocated on mixed agent text.</summary>
    internal static bool MayHoldCandidate(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i + 4 <= text.Length)
        {
            var k = text[i..^3].IndexOfAny(AsciiRanges.Upper);
            if (k < 0)
            {
                return false;
            }

            i += k;
            if (char.IsAsciiLetterUpper(text[i + 1]) && char.IsAsciiDigit(text[i + 2]) && char.IsAsciiDigit(text[i + 3])
                && (i == 0 || !char.IsAsciiLetterOrDigit(text[i - 1])))
            {
                return true;
            }

            i++;
        }

        return false;
    }

    internal static bool Mod97(ReadOnlySpan<char> iban)
    {
        var rem = 0;
        for (var k = 0; k < iban.Length; k++)
        {
            var c = iban[(k + 4) % iban.Length];
            if (char.IsAsciiDigit(c))
            {
                rem = (rem * 10 + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                rem = (rem * 100 + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return rem == 1;
    }
}

/// <summary>US Social Security numbers <c>123-45-6789</c> (or with spaces after "SSN"/"social security"), excluding
/// numbers never issued: area 000, 666 or 900–999, group 00, serial 0000.</summary>
internal sealed partial class SsnDetector : IDetector
{
    public const string Kind = "us_ssn";

    private static readonly System.Buffers.SearchValues<string> Cues =
        System.Buffers.SearchValues.Create(["ssn", "social security"], StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"(?<![\w.-])(?!000|666|9[0-9]{2})[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}(?![\w]|[.-][0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Dashed();

    [GeneratedRegex(@"(?i)\b(?:ssn|social security(?: number| no\.?| #)?)\b[^0-9\n]{0,16}(?<n>(?!000|666|9[0-9]{2})[0-9]{3}[ ]?(?!00)[0-9]{2}[ ]?(?!0000)[0-9]{4})(?![0-9])", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex InContext();

    public void Detect(string text, ICollection<Finding> findings)
    {
        // Both patterns need nine digits.
        if (!SecretText.HasDigits(text, 9))
        {
            return;
        }

        if (text.Contains('-'))
        {
            foreach (var m in Dashed().EnumerateMatches(text))
            {
                findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
            }
        }

        if (text.AsSpan().IndexOfAny(Cues) >= 0)
        {
            foreach (Match m in InContext().Matches(text))
            {
                var g = m.Groups["n"];
                findings.Add(new Finding(g.Index, g.Index + g.Length, Kind));
            }
        }
    }
}
