using CsCheck;
using Whetstone.Redaction;
using Whetstone.Trajectories;

namespace Whetstone.Core.Tests.Redaction;

/// <summary>Properties over generated text mixing prose, secrets and personal data.</summary>
public sealed class RedactionPropertyTests
{
    private static readonly Redactor Redactor = new(DetectorSet.Default(), new byte[32]);

    private static readonly string[] Pieces =
    [
        "hello", "the order", "shipped", " ", " ", "\n", ", ", ": ", "=", "\"", "'", "token", "password", "api_key=", "Hi ",
        "Maria", "Justin Kool", "john.doe@example.com", "ann@example.org", "+44 20 7946 0958", "703-607-3363",
        "ghp_R7mQ2xK9pL4vN8sT1wY6zA3cF5hJ0dG2bE4k", "AKIAQ5T2MZ3XW4VR7NLE", "sk_live_51HcR2kLmN8pQrStUvWxYz0123456789abcdEFGH",
        "xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD", "4111 1111 1111 1111", "203.0.113.45", "123-45-6789",
        "DB_PASSWORD=hunter2hunter2", "<EMAIL_1>", "{\"password\": \"x1y2z3w4\"}", "é", "日本", "2023-09-11", "42",
    ];

    private static readonly string[] Prose = ["hello", "the order", "shipped", " ", "\n", ", ", "Maria", "42", "é", "日本", "2023-09-11", "bo@example.com", "+44 20 7946 0958"];

    private static readonly Gen<string> ProseText = Gen.Int[0, Prose.Length - 1].Select(i => Prose[i]).Array[0, 12].Select(a => string.Concat(a));

    private static readonly Gen<string> Text = Gen.Int[0, Pieces.Length - 1].Select(i => Pieces[i]).Array[0, 24].Select(a => string.Join(" ; ", a));

    [Fact]
    public void RedactText_RedactedText_ChangesNothing()
    {
        Text.Sample(t =>
        {
            var once = Redactor.RedactText(t).Redacted;
            var twice = Redactor.RedactText(once).Redacted;
            Assert.Equal(once, twice);
        }, iter: 400);
    }

    [Fact]
    public void Find_Findings_AreInRangeSortedAndDisjoint()
    {
        Text.Sample(t =>
        {
            var fs = Redactor.Find(t);
            for (var i = 0; i < fs.Count; i++)
            {
                if (fs[i].Start < 0 || fs[i].End > t.Length || fs[i].Start >= fs[i].End || i > 0 && fs[i].Start < fs[i - 1].End)
                {
                    return false;
                }
            }

            return true;
        }, iter: 400);
    }

    [Fact]
    public void Redact_Placeholders_ConsistentWithinAndIndependentAcrossTrajectories()
    {
        Gen.Select(ProseText, ProseText).Sample((a, b) =>
        {
            var email = "ann@example.org";
            var t1 = new Trajectory { Id = "t1", Messages = [new Message { Role = Role.User, Content = a + " " + email }, new Message { Role = Role.Assistant, Content = email + " ok " + b }] };
            var t2 = new Trajectory { Id = "t2", Messages = [new Message { Role = Role.User, Content = email }] };
            var r1 = Redactor.Redact(t1).Trajectory;
            var r2 = Redactor.Redact(t2).Trajectory;
            var p1 = r1.Messages[0].Content![(r1.Messages[0].Content!.LastIndexOf('<'))..];
            var p2 = r1.Messages[1].Content![..(r1.Messages[1].Content!.IndexOf('>') + 1)];

            // Same value, same placeholder within a run; a fresh run numbers from 1 again.
            Assert.Equal(p1, p2);
            Assert.StartsWith("<EMAIL_", p1, StringComparison.Ordinal);
            Assert.Equal("<EMAIL_1>", r2.Messages[0].Content);
        }, iter: 200);
    }
}
