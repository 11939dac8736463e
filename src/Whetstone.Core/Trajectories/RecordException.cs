namespace Whetstone.Trajectories;

/// <summary>Thrown by a reader for a record it cannot use; the import reports it with the file and line and goes
/// on with the next record. <see cref="Path"/> is a JSON path into the record (<c>$.messages[3].role</c>).</summary>
public sealed class RecordException(string path, string message) : Exception(message)
{
    public string Path { get; } = path;

    public override string ToString() => $"{Path}: {Message}";
}
