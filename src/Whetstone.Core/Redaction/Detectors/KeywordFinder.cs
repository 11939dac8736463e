using System.Collections.Frozen;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Whetstone.Redaction.Detectors;

/// <summary>Finds ASCII keywords, case-insensitively, where they begin a word or a part of a compound name: after a
/// character that is not a lower-case letter, or at an upper-case letter (<c>user</c> in <c>user_id</c>,
/// <c>DB_USER</c>, <c>dbUser</c>, not in <c>reuser</c>). Replaces a multi-string search over a hundred keywords
/// (an Aho–Corasick automaton, one table step per character) with a filter that rules out most characters 32 at a
/// time with vector compares — a keyword start is a letter that begins a word part and is followed by two more
/// keyword characters — and then a bit table of the keywords' first three letters, so only a few candidates are
/// compared with the keywords themselves.</summary>
internal sealed class KeywordFinder
{
    private const int Block = 32;

    /// <summary>Bit per first three characters (5-bit codes: letters 1–26, <c>_</c> 27).</summary>
    private readonly ulong[] _trigrams = new ulong[1 << 15 >> 6];
    private readonly FrozenDictionary<int, string[]> _byTrigram;

    /// <param name="keywords">Lower-case ASCII letters and <c>_</c>, at least three characters, starting with two
    /// letters.</param>
    public KeywordFinder(IEnumerable<string> keywords)
    {
        var list = keywords.Distinct(StringComparer.Ordinal).ToList();
        foreach (var k in list)
        {
            if (k.Length < 3 || !char.IsAsciiLetterLower(k[0]) || !char.IsAsciiLetterLower(k[1]) || k.Any(c => !char.IsAsciiLetterLower(c) && c != '_'))
            {
                throw new ArgumentException($"keyword '{k}': three or more lower-case ASCII letters or '_', starting with two letters", nameof(keywords));
            }
        }

        _byTrigram = list.GroupBy(k => Trigram(k[0], k[1], k[2]))
            .ToFrozenDictionary(g => g.Key, g => g.OrderByDescending(k => k.Length).ToArray());
        foreach (var t in _byTrigram.Keys)
        {
            _trigrams[t >> 6] |= 1UL << t;
        }
    }

    /// <summary>Position of the leftmost keyword at or after <paramref name="from"/> that begins a word part; -1 if
    /// none.</summary>
    public int Next(ReadOnlySpan<char> text, int from)
    {
        var i = from;
        ref var r = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        while (i < text.Length)
        {
            var n = Math.Min(Block, text.Length - i);
            uint candidates;
            if (n == Block && i > 0 && i + Block + 2 <= text.Length && Vector512.IsHardwareAccelerated)
            {
                candidates = Candidates(
                    Vector512.LoadUnsafe(ref r, (nuint)(i - 1)), Vector512.LoadUnsafe(ref r, (nuint)i),
                    Vector512.LoadUnsafe(ref r, (nuint)(i + 1)), Vector512.LoadUnsafe(ref r, (nuint)(i + 2)));
            }
            else if (n == Block && i > 0 && i + Block + 2 <= text.Length && Vector256.IsHardwareAccelerated)
            {
                candidates = Candidates(
                    Vector256.LoadUnsafe(ref r, (nuint)(i - 1)), Vector256.LoadUnsafe(ref r, (nuint)i),
                    Vector256.LoadUnsafe(ref r, (nuint)(i + 1)), Vector256.LoadUnsafe(ref r, (nuint)(i + 2)))
                    | Candidates(
                    Vector256.LoadUnsafe(ref r, (nuint)(i + 15)), Vector256.LoadUnsafe(ref r, (nuint)(i + 16)),
                    Vector256.LoadUnsafe(ref r, (nuint)(i + 17)), Vector256.LoadUnsafe(ref r, (nuint)(i + 18))) << 16;
            }
            else
            {
                candidates = uint.MaxValue >> (Block - n);
            }

            while (candidates != 0)
            {
                var p = i + BitOperations.TrailingZeroCount(candidates);
                candidates &= candidates - 1;
                if (p + 3 <= text.Length && TrigramAt(ref r, p) is var t && t > 0 && (_trigrams[t >> 6] >> t & 1) != 0
                    && IsWordPartStart(text, p) && Matches(text, p, t))
                {
                    return p;
                }
            }

            i += n;
        }

        return -1;
    }

    /// <summary>Whether a keyword begins a word part at <paramref name="p"/>.</summary>
    internal bool IsKeywordAt(ReadOnlySpan<char> text, int p)
    {
        if (p + 3 > text.Length || !IsWordPartStart(text, p))
        {
            return false;
        }

        var t = TrigramAt(ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text)), p);
        return t > 0 && (_trigrams[t >> 6] >> t & 1) != 0 && Matches(text, p, t);
    }

    private static bool IsWordPartStart(ReadOnlySpan<char> text, int p) =>
        char.IsAsciiLetterUpper(text[p]) || char.IsAsciiLetterLower(text[p]) && (p == 0 || !char.IsAsciiLetterLower(text[p - 1]));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Matches(ReadOnlySpan<char> text, int p, int trigram)
    {
        foreach (var k in _byTrigram[trigram])
        {
            if (StartsWithFolded(text[p..], k))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The 15-bit code of the three characters at <paramref name="p"/> (5 bits each: letters 1–26 in either
    /// case, <c>_</c> 27), or 0 when one of them cannot be in a keyword. The caller checks that they exist.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TrigramAt(ref ushort r, int p)
    {
        var codes = Codes;
        uint a = Unsafe.Add(ref r, p), b = Unsafe.Add(ref r, p + 1), c = Unsafe.Add(ref r, p + 2);
        if ((a | b | c) >= 128)
        {
            return 0;
        }

        int x = codes[(int)a], y = codes[(int)b], z = codes[(int)c];
        return x == 0 || y == 0 || z == 0 ? 0 : x << 10 | y << 5 | z;
    }

    /// <summary>5-bit keyword character codes of the ASCII characters: letters 1–26 (either case), <c>_</c> 27.</summary>
    private static ReadOnlySpan<byte> Codes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0, 0, 0, 0, 27,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0, 0, 0, 0, 0,
    ];

    /// <summary>Whether <paramref name="text"/> starts with <paramref name="keyword"/> (lower case) in any case.</summary>
    private static bool StartsWithFolded(ReadOnlySpan<char> text, string keyword)
    {
        if (text.Length < keyword.Length)
        {
            return false;
        }

        for (var k = 3; k < keyword.Length; k++)
        {
            var c = text[k];
            var w = keyword[k];
            if (c != w && (w == '_' || (c | 0x20) != w || !char.IsAsciiLetter(c)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The 15-bit code of a keyword's first three characters.</summary>
    private static int Trigram(char a, char b, char c) => Codes[a] << 10 | Codes[b] << 5 | Codes[c];

    /// <summary>Bit k set where character k may begin a keyword: a letter, upper case or after a character that is
    /// not a lower-case letter, followed by a letter and by a letter or <c>_</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Candidates(Vector512<ushort> prev, Vector512<ushort> cur, Vector512<ushort> next, Vector512<ushort> next2)
    {
        var lowerPrev = Vector512.LessThan(prev - Vector512.Create((ushort)'a'), Vector512.Create((ushort)26));
        var lowerCur = Vector512.LessThan(cur - Vector512.Create((ushort)'a'), Vector512.Create((ushort)26));
        var upperCur = Vector512.LessThan(cur - Vector512.Create((ushort)'A'), Vector512.Create((ushort)26));
        var letterNext = Vector512.LessThan((next | Vector512.Create((ushort)0x20)) - Vector512.Create((ushort)'a'), Vector512.Create((ushort)26));
        var keyNext2 = Vector512.LessThan((next2 | Vector512.Create((ushort)0x20)) - Vector512.Create((ushort)'a'), Vector512.Create((ushort)26))
            | Vector512.Equals(next2, Vector512.Create((ushort)'_'));
        return (uint)((upperCur | Vector512.AndNot(lowerCur, lowerPrev)) & letterNext & keyNext2).ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Candidates(Vector256<ushort> prev, Vector256<ushort> cur, Vector256<ushort> next, Vector256<ushort> next2)
    {
        var lowerPrev = Vector256.LessThan(prev - Vector256.Create((ushort)'a'), Vector256.Create((ushort)26));
        var lowerCur = Vector256.LessThan(cur - Vector256.Create((ushort)'a'), Vector256.Create((ushort)26));
        var upperCur = Vector256.LessThan(cur - Vector256.Create((ushort)'A'), Vector256.Create((ushort)26));
        var letterNext = Vector256.LessThan((next | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)26));
        var keyNext2 = Vector256.LessThan((next2 | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)26))
            | Vector256.Equals(next2, Vector256.Create((ushort)'_'));
        return ((upperCur | Vector256.AndNot(lowerCur, lowerPrev)) & letterNext & keyNext2).ExtractMostSignificantBits();
    }
}
