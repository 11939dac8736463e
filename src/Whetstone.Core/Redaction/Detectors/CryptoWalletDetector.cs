using System.Numerics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Whetstone.Redaction.Detectors;

/// <summary>Cryptocurrency wallet addresses: Bitcoin and Litecoin legacy addresses (Base58Check checksum verified),
/// SegWit/Taproot addresses (<c>bc1…</c>, <c>ltc1…</c>, bech32/bech32m checksum verified) and Ethereum-style
/// addresses (<c>0x</c> and 40 hex digits).</summary>
internal sealed partial class CryptoWalletDetector : IDetector
{
    public const string Kind = "crypto_wallet";

    private static readonly System.Buffers.SearchValues<string> Bech32Prefixes =
        System.Buffers.SearchValues.Create(["bc1", "ltc1", "tb1"], StringComparison.OrdinalIgnoreCase);

    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    [GeneratedRegex(@"(?<![A-Za-z0-9])[13LM][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Base58();

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:bc|tb|ltc)1[02-9ac-hj-np-z]{11,71}(?![A-Za-z0-9])", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Bech32();

    [GeneratedRegex(@"(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Ethereum();

    /// <summary>Every pattern matches a whole run of ASCII letters and digits (the lookarounds exclude one on either
    /// side) of at least 14 characters (bech32: a 3-character prefix and 11 more).</summary>
    private static readonly RunFinder LongAlnumRun = new("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 14);

    public void Detect(string text, ICollection<Finding> findings)
    {
        if (!LongAlnumRun.Next(text, 0, out _, out _))
        {
            return;
        }

        foreach (var m in Base58().EnumerateMatches(text))
        {
            if (IsBase58Check(text.AsSpan(m.Index, m.Length)))
            {
                findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
            }
        }

        if (text.AsSpan().IndexOfAny(Bech32Prefixes) >= 0)
        {
            foreach (var m in Bech32().EnumerateMatches(text))
            {
                if (IsBech32(text.AsSpan(m.Index, m.Length)))
                {
                    findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
                }
            }
        }

        if (text.Contains("0x", StringComparison.Ordinal))
        {
            foreach (var m in Ethereum().EnumerateMatches(text))
            {
                findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
            }
        }
    }

    internal static bool IsBase58Check(ReadOnlySpan<char> s)
    {
        BigInteger value = 0;
        foreach (var c in s)
        {
            var d = Base58Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (d < 0)
            {
                return false;
            }

            value = value * 58 + d;
        }

        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var leading = 0;
        while (leading < s.Length && s[leading] == '1')
        {
            leading++;
        }

        var full = new byte[leading + bytes.Length];
        bytes.CopyTo(full, leading);
        if (full.Length != 25)
        {
            return false;
        }

        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(full.AsSpan(0, 21), h);
        SHA256.HashData(h, h);
        return h[..4].SequenceEqual(full.AsSpan(21, 4));
    }

    internal static bool IsBech32(ReadOnlySpan<char> s)
    {
        Span<char> lower = stackalloc char[s.Length];
        s.ToLowerInvariant(lower);
        var sep = lower.LastIndexOf('1');
        if (sep < 1 || lower.Length - sep < 7)
        {
            return false;
        }

        const string charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
        var hrp = lower[..sep];
        uint chk = 1;
        foreach (var c in hrp)
        {
            chk = PolyStep(chk) ^ (uint)(c >> 5);
        }

        chk = PolyStep(chk);
        foreach (var c in hrp)
        {
            chk = PolyStep(chk) ^ (uint)(c & 31);
        }

        foreach (var c in lower[(sep + 1)..])
        {
            var v = charset.IndexOf(c, StringComparison.Ordinal);
            if (v < 0)
            {
                return false;
            }

            chk = PolyStep(chk) ^ (uint)v;
        }

        return chk is 1 or 0x2bc830a3;
    }

    private static uint PolyStep(uint pre)
    {
        var b = pre >> 25;
        return ((pre & 0x1ffffff) << 5)
            ^ ((b & 1) != 0 ? 0x3b6a57b2u : 0)
            ^ ((b & 2) != 0 ? 0x26508e6du : 0)
            ^ ((b & 4) != 0 ? 0x1ea119fau : 0)
            ^ ((b & 8) != 0 ? 0x3d4233ddu : 0)
            ^ ((b & 16) != 0 ? 0x2a1462b3u : 0);
    }
}
