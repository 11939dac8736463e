using Whetstone.Redaction.Detectors;

namespace Whetstone.Redaction;

/// <summary>The detector sets Whetstone ships.</summary>
public static class DetectorSet
{
    /// <summary>All detectors, in priority order.</summary>
    public static IReadOnlyList<IDetector> Default() => [new EmailDetector()];
}
