using Whetstone.Trajectories;

namespace Whetstone.Quality;

/// <summary>Applies the per-run quality rules to one (redacted) run.</summary>
public interface ITrajectoryScorer
{
    QualityVerdict Score(Trajectory trajectory);
}
