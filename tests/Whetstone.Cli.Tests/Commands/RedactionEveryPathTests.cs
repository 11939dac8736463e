using System.Text;
using System.Text.Json;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

/// <summary>Plants secrets and personal data in every field of a run, ingests it through the CLI into a fresh home,
/// and scans every file the home holds (database, WAL, artifacts, logs, configuration) as bytes.</summary>
public sealed class RedactionEveryPathTests
{
    private static readonly string[] Planted =
    [
        "ghp_R7mQ2xK9pL4vN8sT1wY6zA3cF5hJ0dG2bE4k",                      // task
        "sk-proj-Tq3Lm8Zp2Rx7Vn5Kc1Wb9Hy4Jd6Fg0Sa_Qe2Ut8Io3Pl5Mk7Nj9",     // system prompt
        "jane.roe@example.org",                                          // user text
        "+44 20 7946 0958",                                              // assistant text
        "AKIAQ5T2MZ3XW4VR7NLE",                                          // tool arguments
        "Pr1vate!Passw0rd",                                              // tool arguments (password key)
        "xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD",      // tool result
        "4111 1111 1111 1111",                                           // tool result
        "sess-7f3a9c2e1b4d",                                             // session id
        "user-83731",                                                    // metadata user id
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", // outcome notes
        "chaew5Oeth",                                                    // bare password after the assistant asks
        "Virginia J. Graham",                                            // name field in a tool result
        "sk_live_51HcR2kLmN8pQrStUvWxYz0123456789abcdEFGH",              // feedback comment
        "reasoning-secret-Zx81Qp",                                       // reasoning (api_key=)
    ];

    private static string Run() => JsonSerializer.Serialize(new
    {
        id = "leaky-run",
        session_id = "sess-7f3a9c2e1b4d",
        task = "deploy with ghp_R7mQ2xK9pL4vN8sT1wY6zA3cF5hJ0dG2bE4k",
        metadata = new { user_id = "user-83731", lane = "fast" },
        messages = new object[]
        {
            new { role = "system", content = "You are an agent. OPENAI_API_KEY=sk-proj-Tq3Lm8Zp2Rx7Vn5Kc1Wb9Hy4Jd6Fg0Sa_Qe2Ut8Io3Pl5Mk7Nj9" },
            new { role = "user", content = "I'm jane.roe@example.org, please log me in." },
            new { role = "assistant", content = "Sure, what is your password?", reasoning_content = "use api_key=reasoning-secret-Zx81Qp" },
            new { role = "user", content = "sure, it's chaew5Oeth" },
            new
            {
                role = "assistant",
                content = (string?)null,
                tool_calls = new[]
                {
                    new { id = "c1", type = "function", function = new { name = "login", arguments = "{\"aws_key\": \"AKIAQ5T2MZ3XW4VR7NLE\", \"password\": \"Pr1vate!Passw0rd\", \"pin\": \"chaew5Oeth\"}" } },
                },
            },
            new { role = "tool", tool_call_id = "c1", name = "login", content = "{\"slack\": \"xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD\", \"card\": \"4111 1111 1111 1111\", \"name\": \"Virginia J. Graham\"}" },
            new { role = "assistant", content = "Done. I'll call you at +44 20 7946 0958." },
        },
        outcome = new
        {
            status = "completed",
            notes = "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            feedback = new[] { new { rating = "positive", comment = "use sk_live_51HcR2kLmN8pQrStUvWxYz0123456789abcdEFGH next time", from = "user-83731" } },
        },
    });

    [Fact]
    public async Task Ingest_SecretsInEveryField_NoneReachesAnyFileOfTheHome()
    {
        using var dir = new TempDir();
        var home = dir.File("home");
        var input = dir.Write("run.jsonl", Run() + "\n");

        var ingest = await CliRunner.RunAsync("ingest", input, "--home", home);
        var show = await CliRunner.RunAsync("trajectories", "show", "leaky-run", "--json", "--home", home);
        var list = await CliRunner.RunAsync("trajectories", "list", "--json", "--home", home);

        Assert.Equal(0, ingest.Code);
        Assert.Equal(0, show.Code);
        var files = Directory.EnumerateFiles(home, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("whetstone.db", StringComparison.Ordinal));
        foreach (var secret in Planted)
        {
            var needle = Encoding.UTF8.GetBytes(secret);
            foreach (var file in files)
            {
                var bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
                Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"'{secret[..6]}…' found in {Path.GetFileName(file)}");
            }

            foreach (var output in new[] { ingest.Out, ingest.Error, show.Out, list.Out })
            {
                Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
            }
        }

        Assert.Contains("<GITHUB_PAT_1>", show.Out, StringComparison.Ordinal);
        Assert.Contains("\"redaction\"", show.Out, StringComparison.Ordinal);
    }
}
