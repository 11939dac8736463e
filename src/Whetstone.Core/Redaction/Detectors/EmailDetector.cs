using System.Text.RegularExpressions;

namespace Whetstone.Redaction.Detectors;

/// <summary>E-mail addresses (RFC 5322 dot-atom local part, dotted domain with a letter TLD).</summary>
internal sealed partial class EmailDetector : IDetector
{
    public const string Kind = "email";

    [GeneratedRegex(@"(?<![\w.+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b",
        RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    private static readonly System.Buffers.SearchValues<char> LocalChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-");

    private static readonly System.Buffers.SearchValues<char> DomainChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-");

    public void Detect(string text, ICollection<Finding> findings)
    {
        // Anchor on each '@': match the pattern only in the window around it — the run of local-part characters
        // before it (at most 65) and of domain characters after it (at most 255), each with one more character
        // for the look-behind and the final \b — so text without '@' costs one vectorized scan and a line of
        // "a@a@a@…" costs a few characters an '@', not a 320-character window.
        var at = 0;
        var lastEnd = 0;
        while ((at = text.IndexOf('@', at)) >= 0)
        {
            var domain = text.AsSpan(at + 1, Math.Min(text.Length - at - 1, 255));
            var domainRun = domain.IndexOfAnyExcept(DomainChars);
            if (domainRun < 0)
            {
                domainRun = domain.Length;
            }

            if (domainRun < 4 || !domain[..domainRun].Contains('.'))
            {
                at++; // no "x.yz" after the '@': no address here
                continue;
            }

            var local = text.AsSpan(Math.Max(lastEnd, at - 65), at - Math.Max(lastEnd, at - 65));
            var localRun = local.Length - 1 - local.LastIndexOfAnyExcept(LocalChars);
            var start = Math.Max(lastEnd, at - localRun - 1);
            var end = Math.Min(text.Length, Math.Min(at + 256, at + 1 + domainRun + 1));
            var window = text.AsSpan(start, end - start);
            foreach (var m in Pattern().EnumerateMatches(window))
            {
                if (start + m.Index <= at && start + m.Index + m.Length > at)
                {
                    if (start > 0 && m.Index == 0 && (char.IsAsciiLetterOrDigit(text[start - 1]) || text[start - 1] is '.' or '+' or '-' or '_'))
                    {
                        break;
                    }

                    findings.Add(new Finding(start + m.Index, start + m.Index + m.Length, Kind));
                    lastEnd = start + m.Index + m.Length;
                    break;
                }
            }

            at = Math.Max(at + 1, lastEnd);
        }
    }
}
