using Whetstone.Redaction.Detectors;

namespace Whetstone.Core.Tests.Redaction;

public sealed class NameListsTests
{
    [Fact]
    public void Instance_EmbeddedLists_EqualWhatBogusLocaleDataGives()
    {
        var fromBogus = NameLists.FromBogus();
        var embedded = NameLists.Instance;

        // If this fails after a Bogus upgrade: Whetstone.Bench redaction --write-names src/Whetstone.Core/Redaction/Detectors/NameLists.txt
        Assert.True(fromBogus.FirstNames.SetEquals(embedded.FirstNames), "first names differ from Bogus");
        Assert.True(fromBogus.Surnames.SetEquals(embedded.Surnames), "surnames differ from Bogus");
        Assert.Equal(fromBogus.Serialize(), embedded.Serialize());
    }

    [Fact]
    public void Parse_SerializedLists_RoundTrips()
    {
        var lists = NameLists.Parse("# comment\n[first]\nMaria\nJohn\r\n[last]\nOkafor\n");

        Assert.True(lists.IsFirstName("Maria") && lists.IsFirstName("John") && lists.IsSurname("Okafor"));
        Assert.False(lists.IsSurname("Maria"));
        Assert.Equal(lists.Serialize(), NameLists.Parse(lists.Serialize()).Serialize());
    }

    [Fact]
    public void Parse_NameBeforeSection_Throws()
    {
        Assert.Throws<FormatException>(() => NameLists.Parse("Maria\n[first]\n"));
    }
}
