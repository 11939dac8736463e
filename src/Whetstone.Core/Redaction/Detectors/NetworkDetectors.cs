using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Whetstone.Redaction.Detectors;

/// <summary>IPv4 and IPv6 addresses. Version numbers (<c>v1.2.3.4</c>, "version 1.2.0.1"), the unspecified and
/// broadcast addresses and IPv6-looking times are not reported.</summary>
internal sealed partial class IpAddressDetector : IDetector
{
    public const string V4 = "ipv4";
    public const string V6 = "ipv6";

    [GeneratedRegex(@"(?<![\w.-])(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}(?![\w-]|\.[0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"(?<![\w:.])(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?<=:)[0-9]{1,3}(?:\.[0-9]{1,3}){3})?(?![\w:])", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv6();

    public void Detect(string text, ICollection<Finding> findings)
    {
        var span = text.AsSpan();
        // An IPv4 address has three dots and at least four digits.
        if (span.Contains('.') && SecretText.HasDigits(span, 4) && span.Count('.') >= 3)
        {
            foreach (var m in Ipv4().EnumerateMatches(text))
            {
                var ip = span.Slice(m.Index, m.Length);
                if (ip is "0.0.0.0" or "255.255.255.255" || ip.StartsWith("127.", StringComparison.Ordinal) || IsVersionContext(span, m.Index))
                {
                    continue;
                }

                findings.Add(new Finding(m.Index, m.Index + m.Length, V4));
            }
        }

        if (span.Contains("::", StringComparison.Ordinal) || span.Count(':') >= 7)
        {
            foreach (var m in Ipv6().EnumerateMatches(text))
            {
                var s = span.Slice(m.Index, m.Length);
                var groups = s.Count(':');
                if (s.Length < 6 || groups < 2 || s is "::" or "::1" || !s.Contains("::", StringComparison.Ordinal) && groups < 7)
                {
                    continue;
                }

                if (IPAddress.TryParse(s, out var addr) && addr.AddressFamily == AddressFamily.InterNetworkV6 && HexGroups(s) >= 3)
                {
                    findings.Add(new Finding(m.Index, m.Index + m.Length, V6));
                }
            }
        }
    }

    private static int HexGroups(ReadOnlySpan<char> s)
    {
        var n = 0;
        foreach (var range in s.Split(':'))
        {
            if (range.End.Value > range.Start.Value)
            {
                n++;
            }
        }

        return n;
    }

    private static bool IsVersionContext(ReadOnlySpan<char> text, int index)
    {
        var before = text[Math.Max(0, index - 10)..index];
        return before.EndsWith("v", StringComparison.OrdinalIgnoreCase) || before.Contains("version", StringComparison.OrdinalIgnoreCase)
            || before.EndsWith("@", StringComparison.Ordinal);
    }
}

/// <summary>MAC addresses: six hex pairs joined by ':' or '-', or three dotted quads (Cisco).</summary>
internal sealed partial class MacAddressDetector : IDetector
{
    public const string Kind = "mac_address";

    [GeneratedRegex(@"(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}(?<s>[:-])[0-9A-Fa-f]{2}(?:\k<s>[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f:-])|(?<![0-9A-Fa-f.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![0-9A-Fa-f.])", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public void Detect(string text, ICollection<Finding> findings)
    {
        if (!HasCandidate(text))
        {
            return;
        }

        foreach (var m in Pattern().EnumerateMatches(text))
        {
            var s = text.AsSpan(m.Index, m.Length);
            if (s.IndexOfAnyExcept("0:-.") < 0 || s.Contains("ff:ff:ff:ff:ff:ff", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // Dotted quads of decimal digits are more often numbers than MACs.
            if (s.Contains('.') && s.IndexOfAnyExcept("0123456789.") < 0)
            {
                continue;
            }

            findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
        }
    }

    /// <summary>A separator with two hex digits on each side and the same separator three places on.</summary>
    private static bool HasCandidate(string text)
    {
        var span = text.AsSpan();
        var i = 2;
        while (i < span.Length - 3)
        {
            var next = span[i..].IndexOfAny(':', '-', '.');
            if (next < 0)
            {
                return false;
            }

            i += next;
            if (i + 3 < span.Length && char.IsAsciiHexDigit(span[i - 1]) && char.IsAsciiHexDigit(span[i - 2]) && char.IsAsciiHexDigit(span[i + 1])
                && char.IsAsciiHexDigit(span[i + 2]) && (span[i + 3] == span[i] || char.IsAsciiHexDigit(span[i + 3])))
            {
                return true;
            }

            i++;
        }

        return false;
    }
}
