using System.Globalization;
using Whetstone.Configuration;
using Whetstone.Registry.LiveConfig;
using Whetstone.Storage;

namespace Whetstone.Registry;

/// <summary>The result of an approval or a rollback (or of its dry run).</summary>
public sealed record LiveChangeResult(LiveChange Change, Candidate Candidate, bool DryRun)
{
    /// <summary>The keys whose text changes (unchanged keys are recorded in the change but not listed here).</summary>
    public IReadOnlyList<ConfigChange> Edits => Change.Changes.Where(c => c.Before != c.After).ToList();
}

/// <summary>Moves <c>live</c>: a promotion needs a request backed by a passing evaluation of that exact candidate
/// against the current live model on the current evaluation snapshot, and an admin's approval (by a second admin
/// when the two-person rule is on). Rollback undoes the latest change or returns to the state right after an
/// earlier promotion. Every step — refusals included — is appended to the audit log. Changes are serialized by a
/// lock, recorded as pending before the live config is written and as done after; a pending change left by a crash
/// is completed by the next command.</summary>
public sealed class PromotionService(IWhetstoneStore store, AuditLog audit, WhetstoneOptions options, LiveConfigFile config, TimeProvider time)
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    /// <param name="actorVerifiedAdmin">The host has already authenticated the actor as an admin (the server's admin
    /// token); otherwise the name is checked against <c>Whetstone:Admins</c>.</param>
    public async Task<PromotionRequest> RequestAsync(string candidateId, string actor, CancellationToken cancellationToken = default, bool actorVerifiedAdmin = false)
    {
        await using var gate = await store.Registry.LockLiveAsync(LockTimeout, cancellationToken);
        await RepairAsync(actor, cancellationToken);
        await RequireAdminAsync(actor, actorVerifiedAdmin, "promotion_refused", [candidateId], cancellationToken);
        var candidate = await store.Registry.GetCandidateAsync(candidateId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no candidate with id '{candidateId}'");
        var (evaluation, live, pointer) = await CurrentEvaluationAsync(candidate, actor, cancellationToken);
        var requests = await store.Registry.ListRequestsAsync(cancellationToken);
        var request = new PromotionRequest
        {
            Id = "req-" + (requests.Count + 1).ToString(CultureInfo.InvariantCulture),
            CandidateId = candidate.Id,
            EvaluationId = evaluation.Id,
            BaselineId = live,
            SnapshotId = pointer,
            RequestedBy = actor,
            RequestedAt = time.GetUtcNow(),
        };
        await store.Registry.AddRequestAsync(request, cancellationToken);
        await audit.AppendAsync(actor, "promotion_requested", [request.Id, candidate.Id, evaluation.Id],
            AuditLog.Payload(("baseline", live), ("snapshot", pointer)), cancellationToken);
        return request;
    }

    public async Task<LiveChangeResult> ApproveAsync(string requestId, string actor, bool dryRun, CancellationToken cancellationToken = default,
        bool actorVerifiedAdmin = false)
    {
        await using var gate = await store.Registry.LockLiveAsync(LockTimeout, cancellationToken);
        await RepairAsync(actor, cancellationToken);
        await RequireAdminAsync(actor, actorVerifiedAdmin, "approval_refused", [requestId], cancellationToken);
        var request = await store.Registry.GetRequestAsync(requestId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no promotion request '{requestId}'");
        if (request.Status != RequestStatus.Pending)
        {
            await RefuseAsync(actor, "approval_refused", "request_not_pending", $"request {request.Id} is {Name(request.Status)}, not pending", [request.Id], cancellationToken);
        }

        if (options.Promotion.RequireSecondApprover && string.Equals(request.RequestedBy, actor, StringComparison.Ordinal))
        {
            await RefuseAsync(actor, "approval_refused", "same_approver",
                $"{actor} requested {request.Id}; with Whetstone:Promotion:RequireSecondApprover another admin must approve it", [request.Id], cancellationToken);
        }

        var candidate = await store.Registry.GetCandidateAsync(request.CandidateId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.StoreFailure, $"candidate {request.CandidateId} of {request.Id} is missing");
        var aliases = await store.Registry.GetAliasesAsync(cancellationToken);
        var pointer = (await store.Snapshots.GetEvalPointerAsync(cancellationToken))?.SnapshotId;
        if (aliases.Live != request.BaselineId || pointer != request.SnapshotId)
        {
            if (!dryRun)
            {
                await store.Registry.UpdateRequestAsync(request with { Status = RequestStatus.Superseded }, cancellationToken);
            }

            await RefuseAsync(actor, "approval_refused", "evaluation_stale",
                $"since {request.Id} was made, the live candidate or the evaluation snapshot changed (live {aliases.Live}, evaluation snapshot {pointer}); evaluate again",
                [request.Id, candidate.Id], cancellationToken);
        }

        var planned = config.PlanFor(candidate);
        var change = new LiveChange
        {
            Id = "",
            Kind = ChangeKind.Promotion,
            State = ChangeState.Pending,
            CandidateBefore = aliases.Live,
            CandidateAfter = candidate.Id,
            PreviousAfter = aliases.Live,
            RequestId = request.Id,
            Actor = actor,
            At = time.GetUtcNow(),
            ConfigPath = config.Path,
            Changes = planned,
        };
        if (dryRun)
        {
            return new LiveChangeResult(change, candidate, DryRun: true);
        }

        var pending = await store.Registry.BeginChangeAsync(change, cancellationToken);
        await audit.AppendAsync(actor, "promotion_approved", [request.Id, pending.Id, candidate.Id],
            AuditLog.Payload(("requested_by", request.RequestedBy), ("from", aliases.Live), ("to", candidate.Id), ("config", config.Path)), cancellationToken);
        config.Apply(planned);
        await store.Registry.CompleteChangeAsync(pending.Id, cancellationToken);
        await store.Registry.UpdateRequestAsync(request with { Status = RequestStatus.Approved, ApprovedBy = actor, ApprovedAt = time.GetUtcNow() }, cancellationToken);
        await audit.AppendAsync(actor, "promoted", [pending.Id, candidate.Id],
            AuditLog.Payload(("previous", aliases.Live), ("keys", planned.Where(c => c.Before != c.After).Select(c => c.Key).ToList())), cancellationToken);
        return new LiveChangeResult(pending with { State = ChangeState.Done }, candidate, DryRun: false);
    }

    /// <summary>Undoes the latest live change (<paramref name="toPromotion"/> null), or returns to the state right
    /// after promotion <paramref name="toPromotion"/>.</summary>
    public async Task<LiveChangeResult> RollbackAsync(string actor, string? toPromotion, bool dryRun, CancellationToken cancellationToken = default,
        bool actorVerifiedAdmin = false)
    {
        await using var gate = await store.Registry.LockLiveAsync(LockTimeout, cancellationToken);
        await RepairAsync(actor, cancellationToken);
        await RequireAdminAsync(actor, actorVerifiedAdmin, "rollback_refused", toPromotion is null ? [] : [toPromotion], cancellationToken);
        var history = (await store.Registry.ListChangesAsync(cancellationToken)).Where(c => c.State == ChangeState.Done).ToList();
        var aliases = await store.Registry.GetAliasesAsync(cancellationToken);
        string targetCandidate;
        IEnumerable<(string Key, string? Raw)> targetKeys;
        string target;
        if (toPromotion is null)
        {
            if (history.Count == 0 || history[^1].CandidateBefore is null)
            {
                await RefuseAsync(actor, "rollback_refused", "nothing_to_roll_back", "there is no promotion to roll back", [], cancellationToken);
            }

            var last = history[^1];
            targetCandidate = last.CandidateBefore!;
            targetKeys = last.Changes.Select(c => (c.Key, c.Before));
            target = last.Id;
        }
        else
        {
            var p = history.FirstOrDefault(c => c.Id == toPromotion)
                ?? throw new WhetstoneException(ErrorCode.NotFound, $"no completed promotion '{toPromotion}' (see 'whetstone promote history')");
            if (p.Kind != ChangeKind.Promotion)
            {
                await RefuseAsync(actor, "rollback_refused", "not_a_promotion", $"{p.Id} is a rollback; --to takes a promotion id", [p.Id], cancellationToken);
            }

            targetCandidate = p.CandidateAfter;
            targetKeys = p.Changes.Select(c => (c.Key, c.After));
            target = p.Id;
        }

        var planned = config.PlanRestore(targetKeys);
        if (targetCandidate == aliases.Live && planned.All(c => c.Before == c.After))
        {
            await RefuseAsync(actor, "rollback_refused", "already_live", $"{targetCandidate} is live and the config already matches {target}", [target], cancellationToken);
        }

        var candidate = await store.Registry.GetCandidateAsync(targetCandidate, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.StoreFailure, $"candidate {targetCandidate} is missing");
        var change = new LiveChange
        {
            Id = "",
            Kind = ChangeKind.Rollback,
            State = ChangeState.Pending,
            CandidateBefore = aliases.Live,
            CandidateAfter = targetCandidate,
            PreviousAfter = aliases.Live,
            Target = target,
            Actor = actor,
            At = time.GetUtcNow(),
            ConfigPath = config.Path,
            Changes = planned,
        };
        if (dryRun)
        {
            return new LiveChangeResult(change, candidate, DryRun: true);
        }

        var pending = await store.Registry.BeginChangeAsync(change, cancellationToken);
        await audit.AppendAsync(actor, "rollback_started", [pending.Id, target, targetCandidate],
            AuditLog.Payload(("from", aliases.Live), ("to", targetCandidate), ("target", target)), cancellationToken);
        config.Apply(planned);
        await store.Registry.CompleteChangeAsync(pending.Id, cancellationToken);
        await audit.AppendAsync(actor, "rolled_back", [pending.Id, targetCandidate],
            AuditLog.Payload(("previous", aliases.Live), ("keys", planned.Where(c => c.Before != c.After).Select(c => c.Key).ToList())), cancellationToken);
        return new LiveChangeResult(pending with { State = ChangeState.Done }, candidate, DryRun: false);
    }

    /// <summary>Completes a change left pending by a crash between recording it and writing the config: the write is
    /// idempotent, then the aliases move. The repair is audited.</summary>
    public async Task<LiveChange?> RepairAsync(string actor, CancellationToken cancellationToken = default)
    {
        var pending = (await store.Registry.ListChangesAsync(cancellationToken)).FirstOrDefault(c => c.State == ChangeState.Pending);
        if (pending is null)
        {
            return null;
        }

        config.Apply(pending.Changes);
        await store.Registry.CompleteChangeAsync(pending.Id, cancellationToken);
        if (pending.RequestId is { } requestId && await store.Registry.GetRequestAsync(requestId, cancellationToken) is { Status: RequestStatus.Pending } request)
        {
            await store.Registry.UpdateRequestAsync(request with { Status = RequestStatus.Approved, ApprovedBy = pending.Actor, ApprovedAt = pending.At }, cancellationToken);
        }

        await audit.AppendAsync(actor, "live_change_repaired", [pending.Id, pending.CandidateAfter],
            AuditLog.Payload(("kind", pending.Kind == ChangeKind.Promotion ? "promotion" : "rollback"), ("started_by", pending.Actor)), cancellationToken);
        return pending;
    }

    /// <summary>The candidate's evaluation that makes it promotable, or a refusal naming why not.</summary>
    private async Task<(EvaluationRecord Evaluation, string Live, string Pointer)> CurrentEvaluationAsync(Candidate candidate, string actor, CancellationToken cancellationToken)
    {
        var aliases = await store.Registry.GetAliasesAsync(cancellationToken);
        if (aliases.Live == candidate.Id)
        {
            await RefuseAsync(actor, "promotion_refused", "already_live", $"{candidate.Id} is already live", [candidate.Id], cancellationToken);
        }

        if (aliases.Live is null)
        {
            await RefuseAsync(actor, "promotion_refused", "no_live", "no live model is recorded yet: run 'whetstone live init' first", [candidate.Id], cancellationToken);
        }

        var pointer = await store.Snapshots.GetEvalPointerAsync(cancellationToken);
        var evaluations = await store.Registry.ListEvaluationsAsync(candidate.Id, cancellationToken);
        if (evaluations.Count == 0 || pointer is null)
        {
            await RefuseAsync(actor, "promotion_refused", "no_evaluation", $"{candidate.Id} has no evaluation; run 'whetstone eval {candidate.Id}'", [candidate.Id], cancellationToken);
        }

        var history = await store.Registry.ListChangesAsync(cancellationToken);
        var liveSince = history.Where(c => c.State == ChangeState.Done).Select(c => c.At).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var since = liveSince > pointer!.SetAt ? liveSince : pointer.SetAt;
        var current = evaluations.LastOrDefault(e => e.BaselineId == aliases.Live && e.SnapshotId == pointer.SnapshotId && e.CreatedAt >= since);
        if (current is null)
        {
            var latest = evaluations[^1];
            await RefuseAsync(actor, "promotion_refused", "evaluation_stale",
                $"{candidate.Id}'s latest evaluation ({latest.Id}) was against {latest.BaselineId} on {latest.SnapshotId}; live is now {aliases.Live} and the evaluation snapshot {pointer.SnapshotId}: evaluate again",
                [candidate.Id, latest.Id], cancellationToken);
        }

        if (!current!.Passed)
        {
            await RefuseAsync(actor, "promotion_refused", "evaluation_failed",
                $"{candidate.Id}'s evaluation {current.Id} did not pass the gate: {string.Join("; ", current.Reasons)}", [candidate.Id, current.Id], cancellationToken);
        }

        return (current, aliases.Live!, pointer.SnapshotId);
    }

    private async Task RequireAdminAsync(string actor, bool verified, string action, IReadOnlyList<string> subjects, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(actor))
        {
            throw new WhetstoneException(ErrorCode.BadInput, "--as NAME is required");
        }

        if (!verified && !options.IsAdmin(actor))
        {
            await RefuseAsync(actor, action, "not_admin", $"'{actor}' is not an admin (Whetstone:Admins)", subjects, cancellationToken);
        }
    }

    /// <summary>Audits the refusal, then throws it.</summary>
    private async Task RefuseAsync(string actor, string action, string reason, string message, IReadOnlyList<string> subjects, CancellationToken cancellationToken)
    {
        await audit.AppendAsync(actor, action, subjects, AuditLog.Payload(("reason", reason), ("message", message)), cancellationToken);
        throw new WhetstoneException(ErrorCode.Refused, message, reason);
    }

    private static string Name(RequestStatus s) => s switch
    {
        RequestStatus.Approved => "approved",
        RequestStatus.Superseded => "superseded",
        _ => "pending",
    };
}
