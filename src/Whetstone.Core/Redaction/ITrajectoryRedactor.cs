using Whetstone.Trajectories;

namespace Whetstone.Redaction;

/// <summary>Removes secrets and personal data from every field of a run before it is stored.</summary>
public interface ITrajectoryRedactor
{
    RedactedTrajectory Redact(Trajectory trajectory);
}

public sealed record RedactedTrajectory(Trajectory Trajectory, RedactionReport Report);
