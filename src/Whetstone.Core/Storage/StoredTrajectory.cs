using Whetstone.Quality;
using Whetstone.Redaction;
using Whetstone.Trajectories;

namespace Whetstone.Storage;

/// <summary>A trajectory as kept in the store: the (already redacted) run, its verdict and redaction report.</summary>
public sealed record StoredTrajectory
{
    public required Trajectory Trajectory { get; init; }

    public required QualityVerdict Verdict { get; init; }

    public RedactionReport Redaction { get; init; } = RedactionReport.Empty;

    public required DateTimeOffset IngestedAt { get; init; }

    /// <summary>Insertion order assigned by the store (0 before insertion).</summary>
    public long Sequence { get; init; }

    public string Id => Trajectory.Id;

    /// <summary>The verdict's decision with the human override applied.</summary>
    public bool IsAccepted => Verdict.Override?.Accepted ?? Verdict.Accepted;
}
