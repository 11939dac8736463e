using System.Text.RegularExpressions;
using Whetstone.Configuration;
using Whetstone.Evaluation;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Core.Tests.Evaluation;

/// <summary>The HTML report as a person sees it: rendered by a real headless Chromium (Debian's, installed by
/// scripts/test.sh), never only parsed as text.</summary>
public sealed partial class EvaluationHtmlBrowserTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Task<(string Stdout, string Stderr)> RunChromiumAsync(params string[] args) => Chromium.RunAsync(_dir.Path, args);

    private string WriteFireActReport()
    {
        var runs = TrajectoryFileReader.Read(File.OpenRead(TestPaths.FireAct), "fireact.jsonl").Select(i => Some.Stored(i.Trajectory!)).ToList();
        var report = new ShadowComparer(new EvaluationOptions()).Compare(
            runs.Where(r => r.Trajectory.Model?.Name == "gpt-3.5-turbo-0613-ft"),
            runs.Where(r => r.Trajectory.Model?.Name == "llama-2-7b-lora"),
            new ShadowRunOptions
            {
                Candidate = new ModelRef { Id = "cand-strong", Model = "gpt-3.5-turbo-0613-ft", Client = "none" },
                Baseline = new ModelRef { Id = "cand-weak", Model = "llama-2-7b-lora", Client = "none" },
                Snapshot = "snap-1",
                ReportId = "eval-browser",
            });
        return _dir.Write("report.html", EvaluationHtml.Render(report));
    }

    [Fact]
    public async Task Render_InChromium_ShowsDecisionBarsAndCases()
    {
        var page = WriteFireActReport();

        var (dom, _) = await RunChromiumAsync("--dump-dom", new Uri(page).AbsoluteUri);

        Assert.Contains("PASSED", dom, StringComparison.Ordinal);
        Assert.Contains("success_rate", dom, StringComparison.Ordinal);
        Assert.True(RectRegex().Count(dom) >= 8, "expected metric bars drawn as SVG rectangles");
        Assert.Contains("hotpotqa-", dom, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExternalRegex(), dom);
    }

    [Fact]
    public async Task Render_InChromium_PaintsAScreenshot()
    {
        var page = WriteFireActReport();
        var png = _dir.File("report.png");

        await RunChromiumAsync("--screenshot=" + png, "--window-size=1280,1600", new Uri(page).AbsoluteUri);

        Assert.True(File.Exists(png), "Chromium wrote no screenshot");
        var bytes = await File.ReadAllBytesAsync(png, TestContext.Current.CancellationToken);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.True(bytes.Length > 20_000, $"screenshot of {bytes.Length} bytes looks blank");
    }

    [GeneratedRegex("<rect\\b")]
    private static partial Regex RectRegex();

    [GeneratedRegex("(src|href)=\"https?://")]
    private static partial Regex ExternalRegex();
}
