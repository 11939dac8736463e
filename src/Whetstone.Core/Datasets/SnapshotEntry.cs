using System.Text.Json;
using Whetstone.Trajectories;

namespace Whetstone.Datasets;

/// <summary>A snapshot item with the run exactly as it was when the snapshot was taken: <see cref="Doc"/> holds the
/// stored canonical JSON whose SHA-256 the item pins; <see cref="Trajectory"/> parses it on first use (so callers
/// may parse in parallel).</summary>
public sealed class SnapshotEntry(SnapshotItem item, byte[] doc)
{
    private Trajectory? _trajectory;

    public SnapshotItem Item { get; } = item;

    public byte[] Doc { get; } = doc;

    public Trajectory Trajectory => _trajectory ??= JsonSerializer.Deserialize(Doc, WhetstoneJson.Compact.Trajectory)
        ?? throw new WhetstoneException(ErrorCode.StoreFailure, $"stored content of '{Item.TrajectoryId}' is null");
}
