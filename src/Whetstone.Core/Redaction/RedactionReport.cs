namespace Whetstone.Redaction;

/// <summary>What the redactor removed from one trajectory: counts by kind, never values.</summary>
public sealed record RedactionReport
{
    public static readonly RedactionReport Empty = new();

    public IReadOnlyDictionary<string, int> Counts { get; init; } = new Dictionary<string, int>();

    public int Total { get; init; }

    /// <summary>Version of the detector set that produced this report.</summary>
    public string? DetectorVersion { get; init; }
}
