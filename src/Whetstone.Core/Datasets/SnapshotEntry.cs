using Whetstone.Trajectories;

namespace Whetstone.Datasets;

/// <summary>A snapshot item with the run exactly as it was when the snapshot was taken.</summary>
public sealed record SnapshotEntry(SnapshotItem Item, Trajectory Trajectory);
