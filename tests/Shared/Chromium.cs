using System.Diagnostics;

namespace Whetstone.Tests;

/// <summary>Debian's headless Chromium (installed by scripts/test.sh), run as a real browser over loopback or files.</summary>
internal static class Chromium
{
    public static string Path()
    {
        var path = Environment.GetEnvironmentVariable("WHETSTONE_CHROMIUM") ?? "/usr/bin/chromium";
        return File.Exists(path) ? path : throw new InvalidOperationException(
            $"Chromium not found at {path}: run the tests with scripts/test.sh, which installs Debian's chromium");
    }

    /// <summary>Runs headless Chromium with a fresh profile in <paramref name="scratch"/>; returns stdout and stderr.</summary>
    public static async Task<(string Stdout, string Stderr)> RunAsync(string scratch, params string[] args)
    {
        var info = new ProcessStartInfo(Path()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + System.IO.Path.Combine(scratch, "chromium-" + Guid.NewGuid().ToString("N")[..6]),
        }.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (await stdout, await stderr);
    }
}
