using System.Text.RegularExpressions;

namespace Whetstone.Redaction.Detectors;

/// <summary>Dates of birth: a date right after "date of birth", "DOB", "birth date", "birthday" or "I was born
/// on". A date alone is not personal data; a date in this context is.</summary>
internal sealed partial class DateOfBirthDetector : IDetector
{
    public const string Kind = "date_of_birth";

    /// <summary>Words the pattern needs, searched in one vectorized pass.</summary>
    private static readonly System.Buffers.SearchValues<string> Cues =
        System.Buffers.SearchValues.Create(["birth", "dob", "d.o.b", "born"], StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"(?i)(?:\bd\.?o\.?b\b\.?|date[ _-]of[ _-]birth|birth[ _-]?date|birthday|\bI was born(?: on)?)[""']?[ \t]{0,4}(?:[:=,-]|is|was)?[ \t""']{0,4}(?<d>[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})|(?:[0-9]{1,2}(?:st|nd|rd|th)?[ ](?:of[ ])?)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?(?:[ ][0-9]{1,2}(?:st|nd|rd|th)?)?,?[ ][0-9]{4})", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Pattern();

    public void Detect(string text, ICollection<Finding> findings)
    {
        if (text.AsSpan().IndexOfAny(Cues) < 0)
        {
            return;
        }

        foreach (Match m in Pattern().Matches(text))
        {
            var g = m.Groups["d"];
            findings.Add(new Finding(g.Index, g.Index + g.Length, Kind));
        }
    }
}

/// <summary>Street addresses: a house number, one to four capitalised words and a street type
/// (<c>742 Evergreen Terrace</c>, <c>1600 Pennsylvania Ave NW, Suite 200</c>), optionally followed by a unit, a
/// city, a US state and a ZIP code.</summary>
internal sealed partial class StreetAddressDetector : IDetector
{
    public const string Kind = "street_address";

    [GeneratedRegex(@"(?<![\w.,-])[0-9]{1,6}[A-Za-z]?(?:-[0-9]{1,4})?[ ](?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?[ ])?(?:[A-Z][A-Za-z'-]{1,20}[ ]){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace|Ter|Way|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Alley|Crescent|Close|Row|Trail|Trl)\b\.?(?:[ ](?:N|S|E|W|NE|NW|SE|SW)\b)?(?:,?[ ](?:Apt|Apartment|Suite|Ste|Unit|Floor|Fl|#)\.?[ ]?#?[A-Za-z0-9-]{1,6})?(?:,[ ][A-Z][A-Za-z]+(?:[ ][A-Z][A-Za-z]+){0,2}(?:,[ ][A-Z]{2})?(?:[ ][0-9]{5}(?:-[0-9]{4})?)?)?", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    private static readonly System.Buffers.SearchValues<string> StreetTypes = System.Buffers.SearchValues.Create(
        [" Street", " St", " Avenue", " Ave", " Road", " Rd", " Boulevard", " Blvd", " Lane", " Ln", " Drive", " Dr", " Court", " Ct",
         " Place", " Pl", " Terrace", " Ter", " Way", " Parkway", " Pkwy", " Highway", " Hwy", " Circle", " Cir", " Square", " Sq",
         " Alley", " Crescent", " Close", " Row", " Trail", " Trl"], StringComparison.Ordinal);

    public void Detect(string text, ICollection<Finding> findings)
    {
        if (text.AsSpan().IndexOfAny(StreetTypes) < 0)
        {
            return;
        }

        foreach (var m in Pattern().EnumerateMatches(text))
        {
            findings.Add(new Finding(m.Index, m.Index + m.Length, Kind));
        }
    }
}
