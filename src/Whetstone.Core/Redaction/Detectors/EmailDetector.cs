using System.Text.RegularExpressions;

namespace Whetstone.Redaction.Detectors;

/// <summary>E-mail addresses (RFC 5322 dot-atom local part, dotted domain with a letter TLD).</summary>
internal sealed partial class EmailDetector : IDetector
{
    public const string Kind = "email";

    [GeneratedRegex(@"(?<![\w.+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b",
        RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public void Detect(string text, ICollection<Finding> findings)
    {
        // Anchor on each '@': match the pattern only in the window around it (the local part is at most 64
        // characters, the domain at most 255), so text without '@' costs one vectorized scan.
        var at = 0;
        var lastEnd = 0;
        while ((at = text.IndexOf('@', at)) >= 0)
        {
            var start = Math.Max(lastEnd, at - 65);
            var end = Math.Min(text.Length, at + 256);
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
