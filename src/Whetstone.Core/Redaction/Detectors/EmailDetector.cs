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
        if (!text.Contains('@', StringComparison.Ordinal))
        {
            return;
        }

        foreach (var m in Pattern().EnumerateMatches(text))
        {
            findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
        }
    }
}
