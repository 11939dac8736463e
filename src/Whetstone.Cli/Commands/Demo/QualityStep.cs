using System.Globalization;
using Whetstone.Storage;

namespace Whetstone.Cli.Commands.Demo;

/// <summary>Demo step 2: the quality gate — re-score everything with the set-level rules (task clusters,
/// near-duplicates, inefficient paths, answer consensus) and print accepted / not accepted counts by reason.</summary>
internal static class QualityStep
{
    public static readonly DemoStep Step = new("quality gate: score, cluster, deduplicate; counts by reason", RunAsync);

    private static async Task<int> RunAsync(DemoContext demo, CancellationToken ct)
    {
        var services = demo.Cli.Services;
        var summary = await services.Quality.RescoreAsync(services.Store.Trajectories, cancellationToken: ct);
        demo.Out.WriteLine($"policy {summary.PolicyVersion}: {summary.Accepted} of {summary.Total} runs accepted, {summary.Rejected} not accepted; " +
            $"{summary.Clusters} task clusters, {summary.NearDuplicates} near-duplicates");
        if (summary.ByReason.Count > 0)
        {
            demo.Out.WriteLine("not accepted, by reason (a run can have several):");
            foreach (var (reason, count) in summary.ByReason.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
            {
                demo.Out.WriteLine($"  {reason,-28} {count.ToString(CultureInfo.InvariantCulture),6}");
            }
        }

        long zeroTurns = 0, learnedTurns = 0, detourRuns = 0;
        await foreach (var s in services.Store.Trajectories.StreamAsync(new TrajectoryFilter { Accepted = true }, ct))
        {
            var zeros = s.Verdict.TurnWeights.Count(w => w == 0);
            zeroTurns += zeros;
            learnedTurns += s.Verdict.TurnWeights.Count - zeros;
            detourRuns += zeros > 0 ? 1 : 0;
        }

        demo.Out.WriteLine($"accepted runs: {learnedTurns} assistant turns learned, {zeroTurns} detour turns kept as context with weight 0 (in {detourRuns} runs)");
        return ExitCodes.Ok;
    }
}
