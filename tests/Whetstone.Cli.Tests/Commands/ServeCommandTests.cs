using System.Collections;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_WithoutAnyToken_RefusesToStartWithExit2()
    {
        using var home = new TempDir();

        var result = await CliRunner.RunWithEnvAsync(new Hashtable(), "serve", "--home", home.Path, "--urls", "http://127.0.0.1:0");

        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains("WHETSTONE_CAPTURE_TOKEN", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_InvalidServerLimit_NamesTheKey()
    {
        using var home = new TempDir();

        var result = await CliRunner.RunWithEnvAsync(new Hashtable
        {
            ["WHETSTONE_ADMIN_TOKEN"] = "admin-token-0123456789",
            ["Whetstone__Server__MaxMessagesPerRun"] = "0",
        }, "serve", "--home", home.Path, "--urls", "http://127.0.0.1:0");

        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains("Whetstone:Server:MaxMessagesPerRun", result.Error, StringComparison.Ordinal);
    }
}
