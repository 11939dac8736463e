using Whetstone.Configuration;
using Whetstone.Datasets;

namespace Whetstone.Server.Preparation;

/// <summary>The decision of one check: prepare now, or why not.</summary>
internal sealed record PreparationDecision(bool Prepare, string Reason, long NewRuns);

/// <summary>"Prepare when enough examples exist": at least <see cref="PreparationOptions.MinNewRuns"/> accepted
/// runs more than the latest snapshot holds, and <see cref="PreparationOptions.CooldownMinutes"/> passed since the
/// latest snapshot and since the policy's own last attempt (so an attempt that changed nothing is not repeated at
/// every check).</summary>
internal static class PreparationPolicy
{
    public const string Ready = "ready";
    public const string Disabled = "disabled";
    public const string TooFewNewRuns = "too_few_new_runs";
    public const string Cooldown = "cooldown";

    public static PreparationDecision Decide(PreparationOptions options, long acceptedNow, Snapshot? latest,
        DateTimeOffset? lastAttempt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var newRuns = Math.Max(0, acceptedNow - (latest?.Counts.Total ?? 0));
        if (!options.Enabled)
        {
            return new(false, Disabled, newRuns);
        }

        if (newRuns < options.MinNewRuns)
        {
            return new(false, TooFewNewRuns, newRuns);
        }

        var cooldown = TimeSpan.FromMinutes(options.CooldownMinutes);
        var since = new[] { latest?.CreatedAt, lastAttempt }.Where(t => t is not null).Max();
        if (since is { } t && now - t < cooldown)
        {
            return new(false, Cooldown, newRuns);
        }

        return new(true, Ready, newRuns);
    }
}
