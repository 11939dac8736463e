using System.Collections;
using System.Diagnostics;
using System.Text;
using Whetstone.Configuration;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

/// <summary>Publishes the native build of <c>whetstone</c> (src/Whetstone.Cli.Native, Native AOT) once, the way a
/// user does, and holds it to the full build's <c>redact</c>: same output bytes, messages and exit codes on the same
/// inputs and settings. Publishing links with clang (scripts/test-services.sh installs it); without it these tests
/// fail rather than skip.</summary>
public sealed class NativeBuild : IDisposable
{
    private readonly TempDir _dir = new();

    public NativeBuild()
    {
        var project = Path.Combine(TestPaths.Root, "src", "Whetstone.Cli.Native");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "publish", project, "-c", "Release", "-v", "quiet", "-nologo", "-o", _dir.Path })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("dotnet publish of the native build did not finish in 8 minutes");
        }

        Executable = Path.Combine(_dir.Path, "whetstone");
        if (process.ExitCode != 0 || !File.Exists(Executable))
        {
            throw new InvalidOperationException($"dotnet publish of the native build failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        }
    }

    public string Executable { get; }

    public async Task<CliRunner.Result> RunAsync(IDictionary env, string? stdin, params string[] args)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Whetstone__", StringComparison.OrdinalIgnoreCase) || k == "WHETSTONE_HOME").ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (DictionaryEntry e in env)
        {
            info.Environment[(string)e.Key] = (string?)e.Value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(stdin);
            await process.StandardInput.BaseStream.WriteAsync(bytes);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return new CliRunner.Result(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class NativeRedactBuildTests(NativeBuild native) : IClassFixture<NativeBuild>
{
    // Secrets and personal data of many kinds, a line the fast reader declines (\u escape, non-ASCII, other key
    // order), escapes the writer would write differently (\/), CRLF, a blank line and three bad lines.
    private const string Input =
        "{\"id\": 1, \"text\": \"Contact jane.roe@example.com or +1 (415) 555-0132; card 4111 1111 1111 1111\"}\n"
        + "{\"id\": \"b\", \"text\": \"export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ9mK2vT4s and ghp_R7mQ2xK9pL4vN8sT1wY6zA3cF5hJ0dG2bE4k\"}\r\n"
        + "{\"id\": 3, \"text\": \"{\\\"password\\\": \\\"hunter2-Correct-Horse\\\", \\\"url\\\": \\\"https:\\/\\/x.example\\/\\\"}\"}\n"
        + "\n"
        + "{\"text\": \"Gr\\u00fc\\u00dfe, Hans M\\u00fcller \\u2014 IBAN DE89 3704 0044 0532 0130 00\", \"id\": \"u\"}\n"
        + "{\"id\": 5, \"text\": \"Hello Maria Garcia, my name is Tom Baker. Server 10.1.2.3, mac 00:1A:2B:3C:4D:5E\"}\n"
        + "{\"id\": 6, \"text\": \"password=Hunter2Secret!\" \n"
        + "{\"id\": 7}\n"
        + "[1]\n"
        + "{\"id\": 8, \"text\": \"jane.roe@example.com again, and nothing else: the weather is fine\"}\n";

    [Fact]
    public async Task Redact_File_SameBytesMessagesAndExitCodeAsFullBuild()
    {
        using var dir = new TempDir();
        var input = dir.Write("in.jsonl", Input);
        var home = dir.File("home");

        var full = await CliRunner.RunAsync("redact", "--input", input, "--output", dir.File("full.jsonl"), "--home", home);
        var nat = await native.RunAsync(new Hashtable(), null, "redact", "--input", input, "--output", dir.File("native.jsonl"), "--home", home);

        Assert.Equal(2, full.Code);
        Assert.Equal(full.Code, nat.Code);
        Assert.Equal(full.Error, nat.Error);
        Assert.Contains("line 7:", nat.Error, StringComparison.Ordinal);
        Assert.Contains("line 8: missing \"text\"", nat.Error, StringComparison.Ordinal);
        var expected = File.ReadAllBytes(dir.File("full.jsonl"));
        Assert.Equal(expected, File.ReadAllBytes(dir.File("native.jsonl")));
        var text = Encoding.UTF8.GetString(expected);
        Assert.Equal(6, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        foreach (var placeholder in new[] { "<EMAIL_1>", "<PHONE_1>", "<GITHUB_PAT_1>", "<IBAN_1>" })
        {
            Assert.Contains(placeholder, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("wJalrXUtnFEMI", text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(home), "redact must not create a home");
    }

    [Fact]
    public async Task Redact_HomeSettingsAndEnvironment_HonouredAsByFullBuild()
    {
        using var dir = new TempDir();
        var layout = new HomeLayout(dir.File("home"));
        layout.EnsureCreated();
        layout.LoadOrCreateIdKey();
        File.WriteAllText(layout.ConfigFile, """
            {"Whetstone": {"Redaction": {
              "Policy": {"email": "keep", "person": "hash", "secrets": "hash"},
              "Allow": ["10.1.2.3"],
              "AllowPatterns": ["^\\+1 \\(415\\).*$"]
            }}}
            """);
        var env = new Hashtable { ["Whetstone__Redaction__Policy__mac_address"] = "keep" };
        var input = dir.Write("in.jsonl", Input);

        var full = await CliRunner.RunWithEnvAsync(env, "redact", "--input", input, "--output", dir.File("full.jsonl"), "--home", layout.Root);
        var nat = await native.RunAsync(env, null, "redact", "--input", input, "--output", dir.File("native.jsonl"), "--home", layout.Root);

        Assert.True(File.Exists(dir.File("full.jsonl")), full.Error);
        Assert.Equal(2, full.Code);
        Assert.Equal((full.Code, full.Error), (nat.Code, nat.Error));
        var expected = File.ReadAllText(dir.File("full.jsonl"));
        Assert.Equal(expected, File.ReadAllText(dir.File("native.jsonl")));
        Assert.Contains("jane.roe@example.com", expected, StringComparison.Ordinal); // email: keep
        Assert.Contains("+1 (415) 555-0132", expected, StringComparison.Ordinal); // allow pattern
        Assert.Contains("10.1.2.3", expected, StringComparison.Ordinal); // allowed value
        Assert.Contains("00:1A:2B:3C:4D:5E", expected, StringComparison.Ordinal); // mac_address: keep, from the environment
        Assert.Contains("<GITHUB_PAT_h:", expected, StringComparison.Ordinal); // secrets: hash with the home's key
    }

    [Fact]
    public async Task Redact_StdinToStdout_SameAsFiles()
    {
        using var dir = new TempDir();
        var input = dir.Write("in.jsonl", Input);
        var file = await native.RunAsync(new Hashtable(), null, "redact", "--input", input, "--output", dir.File("native.jsonl"), "--home", dir.File("h"));
        var piped = await native.RunAsync(new Hashtable(), Input, "redact", "--input", "-", "--output", "-", "--home", dir.File("h"));

        Assert.Equal((2, file.Error), (piped.Code, piped.Error));
        Assert.Equal(File.ReadAllText(dir.File("native.jsonl")), piped.Out);
    }

    [Fact]
    public async Task OtherCommandsAndBadSettings_RefusedWithExit2AndAReason()
    {
        using var dir = new TempDir();
        var demo = await native.RunAsync(new Hashtable(), null, "--home", dir.File("h"), "demo");
        Assert.Equal(2, demo.Code);
        Assert.Contains("'demo' is not in the native build", demo.Error, StringComparison.Ordinal);
        Assert.Contains("full build", demo.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("h")));

        var input = dir.Write("in.jsonl", Input);
        var env = new Hashtable { ["Whetstone__Redaction__Policy__emial"] = "keep", ["Whetstone__Redaction__AllowPatterns__0"] = "([a-z" };
        var full = await CliRunner.RunWithEnvAsync(env, "redact", "--input", input, "--output", dir.File("o1.jsonl"), "--home", dir.File("h"));
        var nat = await native.RunAsync(env, null, "redact", "--input", input, "--output", dir.File("o2.jsonl"), "--home", dir.File("h"));
        Assert.Equal(2, nat.Code);
        Assert.Contains("Whetstone:Redaction:Policy:emial: unknown kind", nat.Error, StringComparison.Ordinal);
        Assert.Contains("Whetstone:Redaction:AllowPatterns:0: not a valid regular expression", nat.Error, StringComparison.Ordinal);
        Assert.Equal((full.Code, full.Error), (nat.Code, nat.Error));
        Assert.False(File.Exists(dir.File("o2.jsonl")), "nothing is written when the settings are bad");

        var missing = await native.RunAsync(new Hashtable(), null, "redact", "--input", dir.File("nope.jsonl"), "--output", dir.File("o3.jsonl"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("nope.jsonl: no such file", missing.Error, StringComparison.Ordinal);

        var usage = await native.RunAsync(new Hashtable(), null, "redact", "--input", input);
        Assert.Equal(2, usage.Code);
        Assert.Contains("--output", usage.Error, StringComparison.Ordinal);
    }
}
