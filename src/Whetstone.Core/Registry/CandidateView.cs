namespace Whetstone.Registry;

/// <summary>What <c>candidates register</c> answers (CLI <c>--json</c> and <c>POST /v1/candidates</c>).</summary>
public sealed record RegistrationReport(string Id, bool Created, Candidate Candidate);

/// <summary>One stored evaluation without its report: who was compared with whom on which snapshot, and the gate's
/// decision with its reasons.</summary>
public sealed record EvaluationSummary(string Id, string CandidateId, string BaselineId, string SnapshotId, string Mode, bool Passed,
    IReadOnlyList<string> Reasons, DateTimeOffset CreatedAt)
{
    public static EvaluationSummary Of(EvaluationRecord e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Id, e.CandidateId, e.BaselineId, e.SnapshotId, e.Mode, e.Passed, e.Reasons, e.CreatedAt);
    }
}

/// <summary>A candidate as listed: its alias (<c>live</c>, <c>previous</c> or none), its latest evaluation, and on
/// <c>show</c> every evaluation.</summary>
public sealed record CandidateView
{
    public required Candidate Candidate { get; init; }

    public string Id => Candidate.Id;

    /// <summary><c>live</c>, <c>previous</c> or null.</summary>
    public string? Alias { get; init; }

    public EvaluationSummary? LatestEvaluation { get; init; }

    public IReadOnlyList<EvaluationSummary>? Evaluations { get; init; }

    public static CandidateView Of(Candidate c, Aliases aliases, IReadOnlyList<EvaluationRecord> evaluations)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(aliases);
        ArgumentNullException.ThrowIfNull(evaluations);
        return new()
        {
            Candidate = c,
            Alias = aliases.Live == c.Id ? "live" : aliases.Previous == c.Id ? "previous" : null,
            LatestEvaluation = evaluations.LastOrDefault(e => e.CandidateId == c.Id) is { } e ? EvaluationSummary.Of(e) : null,
        };
    }
}
