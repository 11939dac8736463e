using System.Collections;
using System.Net;
using System.Net.Sockets;
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

    [Fact]
    public async Task Serve_OnAPortInUse_SaysSoWithTheConflictExitCode()
    {
        using var home = new TempDir();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await CliRunner.RunWithEnvAsync(new Hashtable { ["WHETSTONE_ADMIN_TOKEN"] = "admin-token-0123456789" },
            "serve", "--home", home.Path, "--urls", $"http://127.0.0.1:{port}");

        Assert.Equal(ExitCodes.For(ErrorCode.Conflict), result.Code);
        Assert.Contains($"127.0.0.1:{port}", result.Error, StringComparison.Ordinal);
        Assert.Contains("address_in_use", result.Error, StringComparison.Ordinal);
    }
}
