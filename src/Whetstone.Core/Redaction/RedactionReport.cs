namespace Whetstone.Redaction;

/// <summary>What the redactor removed from one trajectory: counts by kind, never values.</summary>
public sealed record RedactionReport
{
    public static readonly RedactionReport Empty = new();

    public IReadOnlyDictionary<string, int> Counts { get; init; } = new Dictionary<string, int>();

    public int Total { get; init; }

    /// <summary>Version of the detector set that produced this report.</summary>
    public string? DetectorVersion { get; init; }

    /// <summary>For a run that reports no outcome and ends with a short answer: a keyed hash (<c>h:…</c>) of that
    /// answer as it was before redaction, so that answer consensus can tell which runs of a task gave the same
    /// answer although the redactor may have replaced a name in one run's answer and not in another's (or numbered
    /// it differently). Never the answer itself.</summary>
    public string? AnswerKey { get; init; }
}
