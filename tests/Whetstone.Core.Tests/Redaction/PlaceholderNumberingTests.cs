using Whetstone.Redaction;

namespace Whetstone.Core.Tests.Redaction;

public class PlaceholderNumberingTests
{
    [Fact]
    public void HighestPlaceholders_PerKind_TakesTheLargestNumber()
    {
        var highest = Redactor.HighestPlaceholders("mail <EMAIL_1>, <EMAIL_3> and key <AWS_ACCESS_KEY_2>; not <email_9> or <EMAIL_x>");

        Assert.Equal(3, highest["EMAIL"]);
        Assert.Equal(2, highest["AWS_ACCESS_KEY"]);
        Assert.Equal(2, highest.Count);
    }

    [Fact]
    public void ContinueNumbering_ShiftsOnlyKindsAlreadyUsed()
    {
        var used = new Dictionary<string, int> { ["EMAIL"] = 2 };

        var text = Redactor.ContinueNumbering("<EMAIL_1> wrote from <PHONE_1> to <EMAIL_2>", used);

        Assert.Equal("<EMAIL_3> wrote from <PHONE_1> to <EMAIL_4>", text);
        Assert.Null(Redactor.ContinueNumbering(null, used));
    }
}
