namespace Whetstone.Redaction.Detectors;

/// <summary>A set of ASCII characters as a 128-bit map: membership is two shifts and a test, for the scalar loops
/// of the detectors (vectorized searches use <see cref="System.Buffers.SearchValues{T}"/>).</summary>
internal readonly struct AsciiSet
{
    private readonly ulong _low;
    private readonly ulong _high;

    public AsciiSet(IEnumerable<char> chars)
    {
        foreach (var c in chars)
        {
            if (c >= 128)
            {
                throw new ArgumentOutOfRangeException(nameof(chars), "only ASCII characters");
            }

            if (c < 64)
            {
                _low |= 1UL << c;
            }
            else
            {
                _high |= 1UL << (c - 64);
            }
        }
    }

    public AsciiSet(string chars)
        : this((IEnumerable<char>)chars)
    {
    }

    public bool Contains(char c) => c < 64 ? (_low >> c & 1) != 0 : c < 128 && (_high >> (c - 64) & 1) != 0;
}
