using Whetstone.Trajectories;

namespace Whetstone.Quality;

/// <summary>The verdict before any quality policy is configured: every run accepted with reason
/// <c>no_policy</c>, every assistant turn learned.</summary>
internal sealed class NoPolicyScorer : ITrajectoryScorer
{
    public QualityVerdict Score(Trajectory trajectory) =>
        QualityVerdict.NoPolicy(trajectory.Messages.Count(m => m.Role == Role.Assistant));
}
