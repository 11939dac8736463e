using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Whetstone.Redaction.Detectors;

/// <summary>Finds runs of at least <see cref="MinLength"/> consecutive characters of one ASCII alphabet (tokens,
/// keys, addresses are such runs; prose words and JSON punctuation are not). The text is classified 32 characters at
/// a time with vector compares (one per range of consecutive characters in the alphabet), and runs are found on the
/// resulting bit masks — a run inside a block by shifting the mask onto itself, a run across blocks by carrying the
/// length of the run that reaches the block's end — so text without a long run costs a few instructions per 32
/// characters. Without hardware vectors the same masks are built one character at a time.</summary>
internal sealed class RunFinder
{
    private const int Block = 32;

    private readonly AsciiSet _set;
    private readonly SearchValues<char> _values;
    private const int MaxRanges = 8;

    // The alphabet as up to eight ranges of consecutive characters (unused ranges have width 0 and match nothing):
    // fixed fields rather than arrays so the mask is computed without a loop (the JIT inlines no loop).
    private readonly ushort _s0, _s1, _s2, _s3, _s4, _s5, _s6, _s7;
    private readonly ushort _w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7;

    // Shifts that turn a block's mask into "a run of MinLength starts here" (0 where unused: x & x >> 0 is x).
    private readonly int _h0, _h1, _h2, _h3, _h4, _h5;

    /// <param name="alphabet">The run's characters (ASCII).</param>
    /// <param name="minLength">Shortest run reported (at least 2).</param>
    public RunFinder(string alphabet, int minLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minLength, 2);
        _set = new AsciiSet(alphabet);
        var shifts = new int[6];
        var count = 0;
        var have = 1;
        while (have * 2 <= Math.Min(minLength, Block))
        {
            shifts[count++] = have;
            have *= 2;
        }

        if (have < Math.Min(minLength, Block))
        {
            shifts[count] = Math.Min(minLength, Block) - have;
        }
        (_h0, _h1, _h2, _h3, _h4, _h5) = (shifts[0], shifts[1], shifts[2], shifts[3], shifts[4], shifts[5]);
        _values = SearchValues.Create(alphabet);
        MinLength = minLength;
        // Arrays rather than List<ushort>: a list of a value type is generic code nothing precompiles.
        var starts = new ushort[MaxRanges];
        var widths = new ushort[MaxRanges];
        var ranges = 0;
        for (var c = 0; c < 128; c++)
        {
            if (_set.Contains((char)c) && (c == 0 || !_set.Contains((char)(c - 1))))
            {
                var e = c;
                while (e + 1 < 128 && _set.Contains((char)(e + 1)))
                {
                    e++;
                }

                if (ranges < MaxRanges)
                {
                    starts[ranges] = (ushort)c;
                    widths[ranges] = (ushort)(e - c + 1);
                }

                ranges++;
            }
        }

        if (ranges > MaxRanges)
        {
            throw new ArgumentException($"the alphabet has {ranges} ranges of consecutive characters; at most {MaxRanges} are supported", nameof(alphabet));
        }

        (_s0, _s1, _s2, _s3, _s4, _s5, _s6, _s7) = (starts[0], starts[1], starts[2], starts[3], starts[4], starts[5], starts[6], starts[7]);
        (_w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7) = (widths[0], widths[1], widths[2], widths[3], widths[4], widths[5], widths[6], widths[7]);
    }

    public int MinLength { get; }

    public bool Contains(char c) => _set.Contains(c);

    /// <summary>The next run of at least <see cref="MinLength"/> alphabet characters that starts at or after
    /// <paramref name="from"/> (a run reaching back before <paramref name="from"/> is cut there: callers continue
    /// from the end of the previous run, which is never an alphabet character).</summary>
    public bool Next(ReadOnlySpan<char> text, int from, out int start, out int end)
    {
        start = end = 0;
        var length = MinLength;
        var carry = 0; // alphabet characters just before the current block, counted from `from`
        var i = from;
        ref var r = ref MemoryMarshal.GetReference(text);
        while (i < text.Length)
        {
            uint mask;
            var n = Math.Min(Block, text.Length - i);
            if (n == Block && Vector512.IsHardwareAccelerated)
            {
                mask = (uint)Mask(Vector512.LoadUnsafe(ref Unsafe.As<char, ushort>(ref r), (nuint)i));
            }
            else if (n == Block && Vector256.IsHardwareAccelerated)
            {
                mask = Mask(Vector256.LoadUnsafe(ref Unsafe.As<char, ushort>(ref r), (nuint)i))
                    | Mask(Vector256.LoadUnsafe(ref Unsafe.As<char, ushort>(ref r), (nuint)(i + 16))) << 16;
            }
            else if (text.Length >= Block && Vector512.IsHardwareAccelerated)
            {
                // The last, partial block: the 32 characters that end the text, less those already looked at.
                mask = (uint)Mask(Vector512.LoadUnsafe(ref Unsafe.As<char, ushort>(ref r), (nuint)(text.Length - Block))) >> (Block - n);
            }
            else if (text.Length >= Block && Vector256.IsHardwareAccelerated)
            {
                var last = text.Length - Block;
                mask = (Mask(Vector256.LoadUnsafe(ref Unsafe.As<char, ushort>(ref r), (nuint)last))
                    | Mask(Vector256.LoadUnsafe(ref Unsafe.As<char, ushort>(ref r), (nuint)(last + 16))) << 16) >> (Block - n);
            }
            else
            {
                mask = 0;
                for (var k = 0; k < n; k++)
                {
                    if (_set.Contains(text[i + k]))
                    {
                        mask |= 1u << k;
                    }
                }
            }

            var hit = -1;
            if (mask == (n == Block ? uint.MaxValue : (1u << n) - 1))
            {
                carry += n;
                if (carry >= length)
                {
                    hit = i + n - 1;
                }
            }
            else
            {
                var lead = BitOperations.TrailingZeroCount(~mask);
                if (carry + lead >= length)
                {
                    hit = lead > 0 ? i : i - 1;
                }
                else if (length <= Block && Inside(mask) is var x && x != 0)
                {
                    hit = i + BitOperations.TrailingZeroCount(x);
                }

                // Alphabet characters at the block's top end, continuing into the next block.
                carry = n == Block ? BitOperations.LeadingZeroCount(~mask) : 0;
            }

            if (hit >= 0)
            {
                start = hit;
                while (start > from && _set.Contains(text[start - 1]))
                {
                    start--;
                }

                var after = text[hit..].IndexOfAnyExcept(_values);
                end = after < 0 ? text.Length : hit + after;
                return true;
            }

            i += n;
        }

        return false;
    }

    /// <summary>Bit k set where characters k … k + <see cref="MinLength"/> − 1 of the block are all in the
    /// alphabet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Inside(uint x)
    {
        x &= x >> _h0;
        x &= x >> _h1;
        x &= x >> _h2;
        x &= x >> _h3;
        x &= x >> _h4;
        return x & x >> _h5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Mask(Vector256<ushort> v) =>
        (Vector256.LessThan(v - Vector256.Create(_s0), Vector256.Create(_w0))
        | Vector256.LessThan(v - Vector256.Create(_s1), Vector256.Create(_w1))
        | Vector256.LessThan(v - Vector256.Create(_s2), Vector256.Create(_w2))
        | Vector256.LessThan(v - Vector256.Create(_s3), Vector256.Create(_w3))
        | Vector256.LessThan(v - Vector256.Create(_s4), Vector256.Create(_w4))
        | Vector256.LessThan(v - Vector256.Create(_s5), Vector256.Create(_w5))
        | Vector256.LessThan(v - Vector256.Create(_s6), Vector256.Create(_w6))
        | Vector256.LessThan(v - Vector256.Create(_s7), Vector256.Create(_w7))).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Mask(Vector512<ushort> v) =>
        (Vector512.LessThan(v - Vector512.Create(_s0), Vector512.Create(_w0))
        | Vector512.LessThan(v - Vector512.Create(_s1), Vector512.Create(_w1))
        | Vector512.LessThan(v - Vector512.Create(_s2), Vector512.Create(_w2))
        | Vector512.LessThan(v - Vector512.Create(_s3), Vector512.Create(_w3))
        | Vector512.LessThan(v - Vector512.Create(_s4), Vector512.Create(_w4))
        | Vector512.LessThan(v - Vector512.Create(_s5), Vector512.Create(_w5))
        | Vector512.LessThan(v - Vector512.Create(_s6), Vector512.Create(_w6))
        | Vector512.LessThan(v - Vector512.Create(_s7), Vector512.Create(_w7))).ExtractMostSignificantBits();
}
