using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    private readonly Dictionary<int, string[]> _byTrigram;

    /// <summary>A 512-bit Bloom filter of the keywords' first three letters, as 32 words of 16 bits, for the AVX-512
    /// path: looked up for 32 characters at once (a word permute and a variable shift), it rules out ~4 of 5 word
    /// starts before the scalar checks.</summary>
    private readonly Vector512<ushort> _bloom;

    /// <param name="keywords">Lower-case ASCII letters and <c>_</c>, at least three characters, starting with two
    /// letters.</param>
    public KeywordFinder(IEnumerable<string> keywords)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<string>();
        foreach (var k in keywords)
        {
            if (seen.Add(k))
            {
                list.Add(k);
            }
        }

        var groups = new Dictionary<int, List<string>>();
        foreach (var k in list)
        {
            if (k.Length < 3 || !char.IsAsciiLetterLower(k[0]) || !char.IsAsciiLetterLower(k[1]) || k.AsSpan().ContainsAnyExcept(KeywordChars))
            {
                throw new ArgumentException($"keyword '{k}': three or more lower-case ASCII letters or '_', starting with two letters", nameof(keywords));
            }

            var t = Trigram(k[0], k[1], k[2]);
            if (!groups.TryGetValue(t, out var group))
            {
                groups[t] = group = [];
            }

            group.Add(k);
        }

        // Longest first within a trigram, keeping the given order among equal lengths.
        _byTrigram = new Dictionary<int, string[]>(groups.Count);
        foreach (var (t, group) in groups)
        {
            _byTrigram[t] = StableOrder.LongestFirst(group, k => k.Length);
            _trigrams[t >> 6] |= 1UL << t;
        }

        var bloom = new ushort[32];
        foreach (var k in list)
        {
            var h = BloomHash(VectorCode(k[0]), VectorCode(k[1]), VectorCode(k[2]));
            bloom[h >> 4] |= (ushort)(1 << (h & 15));
        }

        _bloom = Vector512.Create((ReadOnlySpan<ushort>)bloom);
    }

    private static readonly System.Buffers.SearchValues<char> KeywordChars = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz_");

    /// <summary>The code of a keyword character as the vector path computes it: letters 1–26 in either case,
    /// <c>_</c> 31.</summary>
    private static int VectorCode(char c) => ((c | 0x20) - 0x60) & 31;

    private static int BloomHash(int a, int b, int c) => ((a << 4) ^ (b << 2) ^ c) & 511;

    /// <summary>Position of the leftmost keyword at or after <paramref name="from"/> that begins a word part; -1 if
    /// none.</summary>
    public int Next(ReadOnlySpan<char> text, int from)
    {
        // A block of 32 positions needs the character before it and the two after it, so vectors cover positions
        // 1 … length − 3 (the last block overlaps the one before it); position 0 and short texts go one by one.
        const int Reach = Block + 2;
        var i = from;
        if (i == 0 && IsKeywordAt(text, 0))
        {
            return 0;
        }

        i = Math.Max(i, 1);
        if (text.Length < Reach + 1 || !Vector256.IsHardwareAccelerated)
        {
            for (; i < text.Length; i++)
            {
                if (IsKeywordAt(text, i))
                {
                    return i;
                }
            }

            return -1;
        }

        ref var r = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        while (i <= text.Length - 3)
        {
            var start = Math.Min(i, text.Length - Reach);
            var candidates = BlockCandidates(ref r, start) & (uint.MaxValue << (i - start));
            while (candidates != 0)
            {
                var p = start + BitOperations.TrailingZeroCount(candidates);
                candidates &= candidates - 1;
                if (TrigramAt(ref r, p) is var t && t > 0 && (_trigrams[t >> 6] >> t & 1) != 0 && Matches(text, p, t))
                {
                    return p;
                }
            }

            i = start + Block;
        }

        return -1;
    }

    /// <summary>Bit k set where position <paramref name="start"/> + k may begin a keyword (the vector filters:
    /// word-part start, keyword characters, and with AVX-512 the Bloom filter). Reads positions start − 1 …
    /// start + 33.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint BlockCandidates(ref ushort r, int start)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var cur = Vector512.LoadUnsafe(ref r, (nuint)start);
            var next = Vector512.LoadUnsafe(ref r, (nuint)(start + 1));
            var next2 = Vector512.LoadUnsafe(ref r, (nuint)(start + 2));
            var candidates = Candidates(Vector512.LoadUnsafe(ref r, (nuint)(start - 1)), cur, next, next2);
            return candidates != 0 && Avx512BW.IsSupported ? candidates & Bloom(cur, next, next2) : candidates;
        }

        return Candidates(
                Vector256.LoadUnsafe(ref r, (nuint)(start - 1)), Vector256.LoadUnsafe(ref r, (nuint)start),
                Vector256.LoadUnsafe(ref r, (nuint)(start + 1)), Vector256.LoadUnsafe(ref r, (nuint)(start + 2)))
            | Candidates(
                Vector256.LoadUnsafe(ref r, (nuint)(start + 15)), Vector256.LoadUnsafe(ref r, (nuint)(start + 16)),
                Vector256.LoadUnsafe(ref r, (nuint)(start + 17)), Vector256.LoadUnsafe(ref r, (nuint)(start + 18))) << 16;
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

    /// <summary>Bit k set where the three characters from k on may begin a keyword by the Bloom filter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Bloom(Vector512<ushort> cur, Vector512<ushort> next, Vector512<ushort> next2)
    {
        var low5 = Vector512.Create((ushort)31);
        var a = ((cur | Vector512.Create((ushort)0x20)) - Vector512.Create((ushort)0x60)) & low5;
        var b = ((next | Vector512.Create((ushort)0x20)) - Vector512.Create((ushort)0x60)) & low5;
        var c = ((next2 | Vector512.Create((ushort)0x20)) - Vector512.Create((ushort)0x60)) & low5;
        var h = (Vector512.ShiftLeft(a, 4) ^ Vector512.ShiftLeft(b, 2) ^ c) & Vector512.Create((ushort)511);
        var word = Avx512BW.PermuteVar32x16(_bloom, Vector512.ShiftRightLogical(h, 4));
        var bit = Avx512BW.ShiftRightLogicalVariable(word, h & Vector512.Create((ushort)15)) & Vector512<ushort>.One;
        return (uint)(~Vector512.Equals(bit, Vector512<ushort>.Zero)).ExtractMostSignificantBits();
    }

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
