using System.Text.Json;
using Whetstone.Trajectories;

namespace Whetstone.Datasets;

/// <summary>A snapshot item with a run's stored canonical JSON (<see cref="Doc"/>); when it came from
/// <see cref="Storage.PinnedEntries"/> it is exactly what the item pins. <see cref="Trajectory"/> parses it on first use
/// (so callers may parse in parallel).</summary>
public sealed class SnapshotEntry(SnapshotItem item, byte[] doc)
{
    private Trajectory? _trajectory;

    public SnapshotItem Item { get; } = item;

    public byte[] Doc { get; } = doc;

    /// <summary>Whether <see cref="Doc"/> is the content the snapshot pinned (SHA-256 of the bytes).</summary>
    public bool MatchesPin() =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Doc)) == Item.DocSha256;

    public Trajectory Trajectory => _trajectory ??= JsonSerializer.Deserialize(Doc, WhetstoneJson.Compact.Trajectory)
        ?? throw new WhetstoneException(ErrorCode.StoreFailure, $"stored content of '{Item.TrajectoryId}' is null");
}
