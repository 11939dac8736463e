using Whetstone.Registry;

namespace Whetstone.Storage;

/// <summary>Candidates (immutable), evaluations, the <c>live</c>/<c>previous</c> aliases, promotion requests and
/// the history of live changes.</summary>
public interface IRegistryStore
{
    /// <summary>Adds a candidate; an existing id is left as it is (returns false).</summary>
    Task<bool> AddCandidateAsync(Candidate candidate, CancellationToken cancellationToken = default);

    Task<Candidate?> GetCandidateAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>All candidates in registration order.</summary>
    Task<IReadOnlyList<Candidate>> ListCandidatesAsync(CancellationToken cancellationToken = default);

    Task AddEvaluationAsync(EvaluationRecord evaluation, CancellationToken cancellationToken = default);

    Task<EvaluationRecord?> GetEvaluationAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Evaluations, oldest first (of one candidate, or all).</summary>
    Task<IReadOnlyList<EvaluationRecord>> ListEvaluationsAsync(string? candidateId = null, CancellationToken cancellationToken = default);

    Task<Aliases> GetAliasesAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets <c>live</c> when nothing is live yet (the first live model); false when something already is.</summary>
    Task<bool> InitializeLiveAsync(string candidateId, CancellationToken cancellationToken = default);

    Task AddRequestAsync(PromotionRequest request, CancellationToken cancellationToken = default);

    Task<PromotionRequest?> GetRequestAsync(string id, CancellationToken cancellationToken = default);

    Task UpdateRequestAsync(PromotionRequest request, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PromotionRequest>> ListRequestsAsync(CancellationToken cancellationToken = default);

    /// <summary>Live changes (promotions and rollbacks), oldest first.</summary>
    Task<IReadOnlyList<LiveChange>> ListChangesAsync(CancellationToken cancellationToken = default);

    /// <summary>Records a change as pending and returns it with its sequence and id. Throws
    /// <see cref="ErrorCode.Conflict"/> when another change is pending.</summary>
    Task<LiveChange> BeginChangeAsync(LiveChange change, CancellationToken cancellationToken = default);

    /// <summary>Marks a pending change done and moves the aliases to its <c>CandidateAfter</c> and
    /// <c>PreviousAfter</c>, in one transaction.</summary>
    Task CompleteChangeAsync(string changeId, CancellationToken cancellationToken = default);

    /// <summary>Serializes live changes across processes (and, for PostgreSQL, across machines).</summary>
    Task<IAsyncDisposable> LockLiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}

/// <summary>The append-only, hash-chained audit log.</summary>
public interface IAuditStore
{
    /// <summary>Appends the entry <paramref name="seal"/> builds from the current last entry (null for the first),
    /// inside one write transaction, so concurrent appends chain correctly.</summary>
    Task<AuditEntry> AppendAsync(Func<AuditEntry?, AuditEntry> seal, CancellationToken cancellationToken = default);

    IAsyncEnumerable<AuditEntry> StreamAsync(CancellationToken cancellationToken = default);
}
