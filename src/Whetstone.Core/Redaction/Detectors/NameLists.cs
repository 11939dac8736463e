using Bogus;
using Bogus.Bson;

namespace Whetstone.Redaction.Detectors;

/// <summary>First names and surnames from the locale data of the Bogus package (MIT, faker.js lineage), Latin-script
/// locales only, loaded once on first use into hash sets that are looked up by span without allocating. (Plain hash
/// sets, not frozen ones: freezing 31,000 names took 40 ms of every process's start for no faster lookup.)</summary>
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

    private static readonly Lazy<NameLists> Shared = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

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

    public bool IsSurname(ReadOnlySpan<char> word) => LastLookup.Contains(word);

    private static NameLists Load()
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
