using System.IO.Hashing;
using System.Numerics;
using System.Runtime.InteropServices;
using Whetstone.Trajectories;

namespace Whetstone.Quality.NearDuplicates;

/// <summary>MinHash signatures of a run, in two parts.
/// <list type="bullet">
/// <item>Content (<see cref="Size"/> positions): word 3-grams of the normalised task text (lower case, letters and
/// digits, first <see cref="MaxTaskTokens"/> words) plus the tool-call sequence (each call's tool and arguments,
/// each pair of consecutive tool names). Each shingle is hashed once with seeded xxHash64 and spread over the
/// positions with hash functions <c>a·h + b</c> (odd <c>a</c>, mod 2^64, coefficients from the same seeded
/// xxHash64); each minimum keeps its low 8 bits (b-bit MinHash). The fraction of equal positions estimates the
/// Jaccard similarity of the shingle sets. LSH bands are cut from this part.</item>
/// <item>Identifiers (8 bytes): a fingerprint of the distinct tokens of the task text that hold a digit (order
/// numbers, ids, dates, amounts), 0 when there are none. Two requests that differ only in the entity they name
/// share almost all content shingles; near-duplicates must name the same identifiers.</item>
/// </list></summary>
internal sealed class MinHasher
{
    public const int Size = 64;
    public const int Bytes = Size + sizeof(ulong);
    public const int MaxTaskTokens = 256;
    private const ulong Seed = 0x5768_6574_7374_6F6E; // "Whetston"

    private readonly ulong[] _a = new ulong[Size];
    private readonly ulong[] _b = new ulong[Size];

    public MinHasher()
    {
        Span<byte> counter = stackalloc byte[4];
        for (var i = 0; i < Size; i++)
        {
            BitConverter.TryWriteBytes(counter, (2 * i) + 1);
            _a[i] = XxHash64.HashToUInt64(counter, (long)Seed) | 1;
            BitConverter.TryWriteBytes(counter, (2 * i) + 2);
            _b[i] = XxHash64.HashToUInt64(counter, (long)Seed);
        }
    }

    /// <summary>Writes the signature of <paramref name="trajectory"/> into <paramref name="signature"/>
    /// (<see cref="Bytes"/> bytes: content first, identifiers after).</summary>
    public void Sign(Trajectory trajectory, Span<byte> signature)
    {
        Span<ulong> mins = stackalloc ulong[Size];
        mins.Fill(ulong.MaxValue);
        ulong identifiers = 0;
        var any = false;

        // Task text: word 3-grams (or the whole text when shorter); tokens with digits are identifiers.
        Span<ulong> window = stackalloc ulong[3];
        HashSet<ulong>? seen = null;
        var count = 0;
        if (TaskText(trajectory) is { } text)
        {
            var span = text.AsSpan();
            var i = 0;
            while (i < span.Length && count < MaxTaskTokens)
            {
                var (start, end) = NextToken(span, ref i);
                if (end == start)
                {
                    break;
                }

                var token = HashToken(span[start..end]);
                if (span[start..end].IndexOfAnyInRange('0', '9') >= 0)
                {
                    // The sum of the mixed hashes of the distinct tokens: independent of their order and repeats.
                    seen ??= new HashSet<ulong>();
                    if (seen.Add(token))
                    {
                        identifiers += Mix(token ^ 0x1D00_0000_0000_0001);
                    }
                }

                window[count % 3] = token;
                count++;
                if (count >= 3)
                {
                    Add(mins, Combine(Combine(window[(count - 3) % 3], window[(count - 2) % 3]), window[(count - 1) % 3]));
                    any = true;
                }
            }

            if (count is > 0 and < 3)
            {
                var h = window[0];
                for (var k = 1; k < count; k++)
                {
                    h = Combine(h, window[k]);
                }

                Add(mins, h);
                any = true;
            }
        }

        // Tool-call sequence.
        ulong previous = 0;
        foreach (var m in trajectory.Messages)
        {
            if (m.ToolCalls is not { Count: > 0 } calls)
            {
                continue;
            }

            foreach (var c in calls)
            {
                var name = HashToken(c.Name.AsSpan()) ^ 0x0C41_1000_0000_0001;
                Add(mins, Combine(name, HashText(c.ArgumentsText())));
                if (previous != 0)
                {
                    Add(mins, Combine(previous, name) ^ 0x5E0_0000_0000_0002);
                }

                previous = name;
                any = true;
            }
        }

        if (!any)
        {
            // Nothing to compare: a signature of the run id keeps it apart from everything else.
            Add(mins, HashText(trajectory.Id));
        }

        for (var i = 0; i < Size; i++)
        {
            signature[i] = (byte)mins[i];
        }

        BitConverter.TryWriteBytes(signature[Size..], identifiers);
    }

    /// <summary>Estimated Jaccard similarity of the content parts, and whether the identifiers are the same.</summary>
    public static (double Content, bool SameIdentifiers) Similarity(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        (Estimate(Equal(a[..Size], b[..Size]), Size), a[Size..Bytes].SequenceEqual(b[Size..Bytes]));

    /// <summary>Equal positions, corrected for 8-bit collisions.</summary>
    public static double Estimate(int equal, int positions)
    {
        const double collision = 1.0 / 256;
        return Math.Max(0, ((double)equal / positions - collision) / (1 - collision));
    }

    private static int Equal(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var equal = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] == b[i])
            {
                equal++;
            }
        }

        return equal;
    }

    /// <summary>The task text the signature and the task grouping use: the run's task, else its first user turn.</summary>
    public static string? TaskText(Trajectory t)
    {
        if (!string.IsNullOrWhiteSpace(t.Task))
        {
            return t.Task;
        }

        foreach (var m in t.Messages)
        {
            if (m.Role == Role.User && !string.IsNullOrWhiteSpace(m.Content))
            {
                return m.Content;
            }
        }

        return null;
    }

    private static (int Start, int End) NextToken(ReadOnlySpan<char> span, ref int i)
    {
        while (i < span.Length && !char.IsLetterOrDigit(span[i]))
        {
            i++;
        }

        var start = i;
        while (i < span.Length && char.IsLetterOrDigit(span[i]))
        {
            i++;
        }

        return (start, i);
    }

    private void Add(Span<ulong> mins, ulong h)
    {
        for (var i = 0; i < Size; i++)
        {
            var v = unchecked((_a[i] * h) + _b[i]);
            if (v < mins[i])
            {
                mins[i] = v;
            }
        }
    }

    internal static ulong HashToken(ReadOnlySpan<char> token)
    {
        Span<char> lower = token.Length <= 64 ? stackalloc char[token.Length] : new char[token.Length];
        token.ToLowerInvariant(lower);
        return XxHash64.HashToUInt64(MemoryMarshal.AsBytes((ReadOnlySpan<char>)lower), (long)Seed);
    }

    internal static ulong HashText(string text) => XxHash64.HashToUInt64(MemoryMarshal.AsBytes(text.AsSpan()), (long)Seed);

    private static ulong Combine(ulong a, ulong b) => Mix(a ^ BitOperations.RotateLeft(b, 23) ^ 0x9E37_79B9_7F4A_7C15);

    /// <summary>A 64-bit finaliser (xxHash's avalanche).</summary>
    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xC2B2_AE3D_27D4_EB4F;
        h ^= h >> 29;
        h *= 0x1656_67B1_9E37_79F9;
        h ^= h >> 32;
        return h;
    }
}
