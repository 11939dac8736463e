using CsCheck;
using Whetstone.Redaction;
using Whetstone.Redaction.Detectors;

namespace Whetstone.Core.Tests.Redaction;

/// <summary>The vectorized scanners the detectors are built on, checked against plain one-character-at-a-time
/// versions of the same definitions on generated text (long enough to cross several 32-character blocks).</summary>
public sealed class ScanningTests
{
    private static readonly string[] Pieces =
    [
        "a", "Z", "0", "_", "-", ".", "=", "/", " ", "  ", "\n", "\"", ":", ",", "é", "日", "abcdefghijklmnopqrstuvwxyz",
        "0123456789ABCDEF0123456789abcdef", "token", "Token", "TOKEN", "shipping", "pass", "api_key", "user_id", "x", "key",
        "dd_api", "tokens", "ghp_", "sk-", "AKIA", "xoxb-", "=", "==", "$", "~", "+",
    ];

    private static readonly Gen<string> Text = Gen.Int[0, Pieces.Length - 1].Select(i => Pieces[i]).Array[0, 60].Select(a => string.Concat(a));

    [Fact]
    public void RunFinderNext_GeneratedText_FindsTheRunsAPlainScanFinds()
    {
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.=/";
        Gen.Select(Text, Gen.Int[2, 40]).Sample((text, min) =>
        {
            var finder = new RunFinder(alphabet, min);
            var expected = new List<(int, int)>();
            var i = 0;
            while (i < text.Length)
            {
                if (!alphabet.Contains(text[i], StringComparison.Ordinal))
                {
                    i++;
                    continue;
                }

                var s = i;
                while (i < text.Length && alphabet.Contains(text[i], StringComparison.Ordinal))
                {
                    i++;
                }

                if (i - s >= min)
                {
                    expected.Add((s, i));
                }
            }

            var actual = new List<(int, int)>();
            var from = 0;
            while (finder.Next(text, from, out var start, out var end))
            {
                actual.Add((start, end));
                from = end;
            }

            Assert.Equal(expected, actual);
        }, iter: 2000);
    }

    [Fact]
    public void RunFinderConstructor_AlphabetWithTooManyRanges_Throws()
    {
        Assert.Throws<ArgumentException>(() => new RunFinder("acegikmoqsuwy", 4));
    }

    [Fact]
    public void KeywordFinderNext_GeneratedText_FindsWhatAPlainScanFinds()
    {
        string[] keywords = ["token", "pass", "key", "dd_api", "user", "pin", "shipper"];
        var finder = new KeywordFinder(keywords);
        Gen.Select(Text, Gen.Int[0, 400]).Sample((text, from) =>
        {
            from = Math.Min(from, text.Length);
            var expected = -1;
            for (var p = from; p < text.Length && expected < 0; p++)
            {
                var startsPart = char.IsAsciiLetterUpper(text[p]) || char.IsAsciiLetterLower(text[p]) && (p == 0 || !char.IsAsciiLetterLower(text[p - 1]));
                if (startsPart && keywords.Any(k => p + k.Length <= text.Length && string.Equals(text.Substring(p, k.Length), k, StringComparison.OrdinalIgnoreCase)))
                {
                    expected = p;
                }
            }

            Assert.Equal(expected, finder.Next(text, from));
        }, iter: 2000);
    }

    [Theory]
    [InlineData("DB_PASSWORD=x", "pass", 3)]
    [InlineData("dbPassword=x", "pass", 2)]
    [InlineData("shipping", "pin", -1)]
    [InlineData("reuser", "user", -1)]
    [InlineData("dd_api_key", "dd_api", 0)]
    public void KeywordFinderNext_Keyword_FoundOnlyWhereAWordPartBegins(string text, string keyword, int expected)
    {
        Assert.Equal(expected, new KeywordFinder([keyword]).Next(text, 0));
    }

    [Fact]
    public void KeywordFinderConstructor_KeywordNotLowerCaseLetters_Throws()
    {
        Assert.Throws<ArgumentException>(() => new KeywordFinder(["Token"]));
        Assert.Throws<ArgumentException>(() => new KeywordFinder(["ab"]));
        Assert.Throws<ArgumentException>(() => new KeywordFinder(["a_b"]));
    }

    [Fact]
    public void PrefixedTokenDetectorDetect_GeneratedText_FindsWhatTryingEveryPositionFinds()
    {
        var detector = new PrefixedTokenDetector(TokenRules.All);
        var prefixes = TokenRules.All.Select(r => r.Prefix).Distinct().ToArray();
        var bodies = new[] { "R7mQ2xK9pL4vN8sT1wY6zA3cF5hJ0dG2bE4k", "0123456789abcdef0123456789abcdef0123456789abcdef", "Zq8w3Xr5Tn1Kp7Ly2Vb4", "AbCdEfGhIjKlMnOpQrStUvWx", "=", "-", ".", "/", " ", "\"", "_x", "==" };
        var tokenText = Gen.OneOf(Gen.Int[0, prefixes.Length - 1].Select(i => prefixes[i]), Gen.Int[0, bodies.Length - 1].Select(i => bodies[i]))
            .Array[0, 30].Select(a => string.Concat(a));
        tokenText.Sample(text =>
        {
            var expected = new List<Finding>();
            var i = 0;
            while (i < text.Length)
            {
                var end = detector.TryMatch(text, i, out var kind);
                if (end > i)
                {
                    expected.Add(new Finding(i, end, kind!));
                    i = end;
                }
                else
                {
                    i++;
                }
            }

            var actual = new List<Finding>();
            detector.Detect(text, actual);
            Assert.Equal(expected, actual);
        }, iter: 3000);
    }

    [Fact]
    public void TokenRules_Alphabets_AreAscii()
    {
        foreach (var r in TokenRules.All)
        {
            Assert.True(r.Prefix.All(char.IsAscii), r.Prefix);
            for (var c = 128; c <= char.MaxValue; c++)
            {
                Assert.False(r.Body.Contains((char)c), $"{r.Kind}: body holds U+{c:X4}");
            }
        }
    }

    [Theory]
    [InlineData('a', true)]
    [InlineData('~', true)]
    [InlineData('b', false)]
    [InlineData('é', false)]
    [InlineData('\0', false)]
    public void AsciiSetContains_Character_MatchesTheDefinition(char c, bool expected)
    {
        Assert.Equal(expected, new AsciiSet("a~").Contains(c));
    }

    [Fact]
    public void AsciiRanges_EveryCharacter_InTheSetExactlyWhenInTheRange()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var ch = (char)c;
            Assert.Equal(ch is >= 'A' and <= 'Z', AsciiRanges.Upper.Contains(ch));
            Assert.Equal(ch is >= 'a' and <= 'z', AsciiRanges.Lower.Contains(ch));
            Assert.Equal(ch is >= '0' and <= '9', AsciiRanges.Digits.Contains(ch));
        }
    }

    /// <summary>The IBAN detector's prefilter must hold wherever its pattern can match (the pattern copied from
    /// <see cref="IbanDetector"/>), or an IBAN would be missed.</summary>
    [Fact]
    public void IbanMayHoldCandidate_GeneratedText_TrueWheneverThePatternMatches()
    {
        var pattern = new System.Text.RegularExpressions.Regex(@"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?(?![A-Za-z0-9])", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        string[] pieces = ["GB", "82", "DE", "89", "WEST", "1234", "5698", " ", "-", "x", "A", "7", "é", "\n", "GB82", "0000"];
        var matched = 0;
        Gen.Int[0, pieces.Length - 1].Select(i => pieces[i]).Array[0, 30].Select(a => string.Concat(a)).Sample(text =>
        {
            if (pattern.IsMatch(text))
            {
                Interlocked.Increment(ref matched);
                Assert.True(IbanDetector.MayHoldCandidate(text), text);
            }
        }, iter: 5000);
        Assert.True(matched > 100, $"only {matched} generated texts matched the pattern");
    }
}
