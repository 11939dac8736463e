using Bogus;
using Bogus.Bson;

namespace Whetstone.Redaction.Detectors;

/// <summary>First names and surnames from the locale data of the Bogus package (MIT, faker.js lineage), Latin-script
/// locales only, loaded once on first use into hash sets that are looked up by span without allocating.
/// <para>The lists are taken from Bogus ahead of time into an embedded resource (<c>NameLists.txt</c>, read in a few
/// milliseconds; reading them from Bogus's locale database took ~100 ms of every process's start). A test checks that
/// the resource equals what <see cref="FromBogus"/> builds from the referenced Bogus version;
/// <c>Whetstone.Bench redaction --write-names FILE</c> writes it anew.</para></summary>
internal sealed class NameLists
{
    private static readonly string[] Locales =
    [
        "en", "en_US", "en_GB", "en_AU", "en_CA", "en_IE", "en_IND", "en_NG", "de", "fr", "es", "es_MX", "it", "nl", "pt_BR",
        "pt_PT", "sv", "nb_NO", "pl", "tr", "cz", "sk", "ro", "id_ID", "vi", "hr", "lv", "af_ZA", "fi", "de_AT", "de_CH", "fr_CH", "nl_BE",
    ];

    /// <summary>Capitalised words that are names in some locale's list but ordinary English words far more often.</summary>
    private static readonly string[] CommonWords =
    [
        "The", "And", "For", "But", "Not", "All", "Any", "Can", "May", "Will", "Wed", "Sun", "Mon", "Sat", "Long", "Young", "Page", "Love",
        "Hope", "Joy", "Faith", "Grace", "Honor", "Honour", "True", "Rich", "Price", "Bill", "Mark", "Ray", "Rose", "Summer", "Winter",
        "Autumn", "Spring", "Dawn", "Eve", "Star", "Sky", "River", "Lake", "Field", "Hill", "Wood", "Stone", "King", "Queen", "Duke",
        "Prince", "Major", "General", "Bishop", "Pope", "Church", "Temple", "Chapel", "House", "Hall", "Street", "Road", "Lane", "Park",
        "Brown", "Green", "White", "Black", "Gray", "Grey", "Gold", "Silver", "Best", "Good", "Little", "Small", "Short", "Strong", "Swift",
        "Bird", "Fox", "Wolf", "Bear", "Lamb", "Crow", "Drake", "Hawk", "Baker", "Cook", "Smith", "Miller", "Carpenter", "Mason",
        "Turner", "Walker", "Hunter", "Fisher", "Porter", "Waters", "Banks", "Ward", "Case", "Chase", "Sharp", "Cross", "Power",
        "Marsh", "North", "South", "East", "West", "London", "Paris", "Berlin", "Sydney", "Austin", "Houston", "Dallas", "Phoenix",
        "Jackson", "Washington", "Lincoln", "Madison", "Florence", "Victoria", "Georgia", "Virginia", "Carolina", "Dakota", "Indiana",
        "Kansas", "Santa", "San", "Saint", "Van", "Von", "Del", "Della", "Les", "Los", "Las", "Las", "Man", "Don", "Art", "Guy",
        "Case", "Job", "Sue", "Pat", "Gene", "Iris", "Jade", "Ruby", "Amber", "Crystal", "Pearl", "Ivy", "Holly", "Lily", "Daisy",
        "Angel", "Christian", "Christmas", "Easter", "August", "April", "June", "January", "March", "Monday", "Friday", "English",
        "French", "German", "American", "British", "Irish", "Scott", "Wales", "Norman", "Roman", "Latin", "Early", "Late", "Happy",
        "Thanks", "Thank", "Dear", "Hello", "Best", "Regards", "Cheers", "Sincerely", "Please", "Sorry", "Yes", "Well", "Sure", "Great",
        "Action", "Thought", "Observation", "Search", "Lookup", "Finish", "Answer", "Question", "Task", "User", "Assistant", "System",
    ];

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> CommonLookup =
        new HashSet<string>(CommonWords, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private const string ResourceName = "redaction/name-lists.txt";

    private static readonly Lazy<NameLists> Shared = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private NameLists(HashSet<string> first, HashSet<string> last)
    {
        FirstNames = first;
        Surnames = last;
        FirstLookup = first.GetAlternateLookup<ReadOnlySpan<char>>();
        LastLookup = last.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static NameLists Instance => Shared.Value;

    public IReadOnlySet<string> FirstNames { get; }

    public IReadOnlySet<string> Surnames { get; }

    private HashSet<string>.AlternateLookup<ReadOnlySpan<char>> FirstLookup { get; }

    private HashSet<string>.AlternateLookup<ReadOnlySpan<char>> LastLookup { get; }

    public bool IsFirstName(ReadOnlySpan<char> word) => FirstLookup.Contains(word);

    /// <summary>Whether the word is one of the capitalised words taken out of the lists (<c>Street</c>, <c>London</c>,
    /// <c>Monday</c>, …).</summary>
    public static bool IsCommonCapitalised(ReadOnlySpan<char> word) => CommonLookup.Contains(word);

    public bool IsSurname(ReadOnlySpan<char> word) => LastLookup.Contains(word);

    /// <summary>The lists as the embedded resource holds them.</summary>
    private static NameLists LoadEmbedded()
    {
        using var stream = typeof(NameLists).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Reads the resource's format: <c>#</c> comment lines, a <c>[first]</c> and a <c>[last]</c> section,
    /// one name a line.</summary>
    internal static NameLists Parse(string text)
    {
        var first = new HashSet<string>(StringComparer.Ordinal);
        var last = new HashSet<string>(StringComparer.Ordinal);
        HashSet<string>? into = null;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan(range).TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line is "[first]" or "[last]")
            {
                into = line is "[first]" ? first : last;
                continue;
            }

            (into ?? throw new FormatException("a name before the [first] or [last] section")).Add(line.ToString());
        }

        return new NameLists(first, last);
    }

    /// <summary>The resource's text for these lists (sorted, so it changes only when the lists do).</summary>
    internal string Serialize()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("# First names and surnames from the locale data of the NuGet package Bogus (MIT License, Copyright (c) Brian\n");
        sb.Append("# Chavez; data from faker.js), Latin-script locales: ").Append(string.Join(' ', Locales)).Append(".\n");
        sb.Append("# Generated by NameLists.FromBogus (Whetstone.Bench redaction --write-names); checked by a test. Do not edit.\n");
        sb.Append("[first]\n");
        foreach (var n in FirstNames.Order(StringComparer.Ordinal))
        {
            sb.Append(n).Append('\n');
        }

        sb.Append("[last]\n");
        foreach (var n in Surnames.Order(StringComparer.Ordinal))
        {
            sb.Append(n).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The lists read from Bogus's locale database (slow: for generating and checking the resource).</summary>
    internal static NameLists FromBogus()
    {
        var first = new HashSet<string>(StringComparer.Ordinal);
        var last = new HashSet<string>(StringComparer.Ordinal);
        foreach (var locale in Locales)
        {
            if (!Database.LocaleResourceExists(locale))
            {
                continue;
            }

            foreach (var path in (string[])["first_name", "male_first_name", "female_first_name", "nonbinary_first_name"])
            {
                AddAll(locale, path, first);
            }

            foreach (var path in (string[])["last_name", "male_last_name", "female_last_name"])
            {
                AddAll(locale, path, last);
            }
        }

        foreach (var w in CommonWords)
        {
            first.Remove(w);
            last.Remove(w);
        }

        return new NameLists(first, last);
    }

    private static void AddAll(string locale, string path, HashSet<string> into)
    {
        if (!Database.HasKey("name", path, locale, locale))
        {
            return;
        }

        if (Database.Get("name", path, locale, locale) is BArray names)
        {
            for (var i = 0; i < names.Count; i++)
            {
                var s = names[i].StringValue;
                if (s is { Length: >= 2 } && char.IsUpper(s[0]) && !s.Contains(' ') && s.AsSpan().IndexOfAnyInRange('\u0400', '\uFFFF') < 0)
                {
                    into.Add(s);
                }
            }
        }
    }
}
