using System.Text.Json;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

public sealed class RedactCommandTests
{
    [Fact]
    public async Task Redact_Lines_WritesRedactedTextAndFindingsInInputOrder()
    {
        using var dir = new TempDir();
        var input = dir.Write("in.jsonl", """
            {"id": "a", "text": "mail john.doe@example.com, token ghp_R7mQ2xK9pL4vN8sT1wY6zA3cF5hJ0dG2bE4k"}
            {"id": 7, "text": "nothing here"}
            {"text": "héllo 日本 ann@example.org", "id": "u"}
            """);
        var output = dir.File("out.jsonl");

        var r = await CliRunner.RunAsync("redact", "--input", input, "--output", output, "--home", dir.File("home"));

        Assert.Equal(0, r.Code);
        var lines = File.ReadAllLines(output);
        Assert.Equal(3, lines.Length);
        using var a = JsonDocument.Parse(lines[0]);
        Assert.Equal(["id", "redacted", "findings"], a.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("a", a.RootElement.GetProperty("id").GetString());
        Assert.Equal("mail <EMAIL_1>, token <GITHUB_PAT_1>", a.RootElement.GetProperty("redacted").GetString());
        var f = a.RootElement.GetProperty("findings").EnumerateArray().Select(x => (x.GetProperty("start").GetInt32(), x.GetProperty("end").GetInt32(), x.GetProperty("kind").GetString())).ToList();
        Assert.Equal([(5, 25, "email"), (33, 73, "github_pat")], f);
        Assert.Equal("""{"id":7,"redacted":"nothing here","findings":[]}""", lines[1]);
        using var u = JsonDocument.Parse(lines[2]);
        var g = u.RootElement.GetProperty("findings")[0];
        Assert.Equal((9, 24), (g.GetProperty("start").GetInt32(), g.GetProperty("end").GetInt32())); // UTF-16 offsets
        Assert.False(Directory.Exists(dir.File("home")), "redact must not create a home");
    }

    [Fact]
    public async Task Redact_BadLine_ReportedByNumberOthersProcessedExit2()
    {
        using var dir = new TempDir();
        var input = dir.Write("in.jsonl", "{\"id\":1,\"text\":\"ok a@b.example.com\"}\n{\"id\":2,\"text\":\"password=Hunter2Secret!\" \n{\"id\":3}\n[1]\n{\"id\":4,\"text\":\"fine\"}\n");
        var output = dir.File("out.jsonl");

        var r = await CliRunner.RunAsync("redact", "--input", input, "--output", output, "--home", dir.File("home"));

        Assert.Equal(2, r.Code);
        Assert.Contains("line 2:", r.Error, StringComparison.Ordinal);
        Assert.Contains("line 3: missing \"text\"", r.Error, StringComparison.Ordinal);
        Assert.Contains("line 4:", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Hunter2", r.Error, StringComparison.Ordinal);
        var ids = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt32()).ToList();
        Assert.Equal([1, 4], ids);
    }

    [Fact]
    public async Task Redact_MissingInput_IsBadUsage()
    {
        using var dir = new TempDir();
        var r = await CliRunner.RunAsync("redact", "--input", dir.File("nope.jsonl"), "--output", dir.File("o.jsonl"));
        Assert.Equal(2, r.Code);
    }
}
