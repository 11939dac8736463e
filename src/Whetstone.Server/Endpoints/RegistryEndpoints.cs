using Whetstone.Configuration;
using Whetstone.Evaluation;
using Whetstone.Registry;
using Whetstone.Server.Auth;

namespace Whetstone.Server.Endpoints;

/// <summary>Candidates, the live model, evaluations, promotion, rollback, the evaluation-snapshot pointer and the
/// audit log — the operations of <c>whetstone candidates|live|eval|promote|rollback|dataset use-for-eval|audit</c>
/// through the same Core services. Changing anything needs the admin scope; the caller's token name is the actor
/// recorded in the audit log (and is the person the two-person rule compares).</summary>
internal static class RegistryEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var candidates = app.MapGroup("/v1/candidates").WithTags("registry");
        candidates.MapPost("", RegisterAsync).RequireScope(AuthOptions.AdminScope)
            .WithSummary("Register an immutable candidate (same model, client and job → same id).")
            .Produces<RegistrationReport>().ProducesProblem(StatusCodes.Status400BadRequest);
        candidates.MapGet("", ListCandidatesAsync).RequireScope(AuthOptions.ReadScope)
            .WithSummary("Candidates with their latest evaluation.").Produces<List<CandidateView>>();
        candidates.MapGet("/{id}", GetCandidateAsync).RequireScope(AuthOptions.ReadScope)
            .WithSummary("One candidate and all its evaluations.").Produces<CandidateView>().ProducesProblem(StatusCodes.Status404NotFound);

        app.MapPost("/v1/live", InitLiveAsync).RequireScope(AuthOptions.AdminScope).WithTags("registry")
            .WithSummary("Record the model the agent runs today as the first live candidate.")
            .Produces<RegistrationReport>().ProducesProblem(StatusCodes.Status409Conflict);

        var evaluations = app.MapGroup("/v1/evaluations").WithTags("evaluation");
        evaluations.MapPost("", EvaluateAsync).RequireScope(AuthOptions.AdminScope)
            .WithSummary("Evaluate a candidate against the live model (replay or shadow); the report says whether the gate passed.")
            .Produces<EvaluationReport>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        evaluations.MapGet("", ListEvaluationsAsync).RequireScope(AuthOptions.ReadScope)
            .WithSummary("Stored evaluations (optionally of one candidate), oldest first.").Produces<List<EvaluationSummary>>();
        evaluations.MapGet("/{id}", GetEvaluationAsync).RequireScope(AuthOptions.ReadScope)
            .WithSummary("One evaluation's full report.").Produces<EvaluationReport>().ProducesProblem(StatusCodes.Status404NotFound);
        evaluations.MapGet("/{id}/html", GetEvaluationHtmlAsync).RequireScope(AuthOptions.ReadScope)
            .WithSummary("One evaluation's report as a self-contained HTML page.").Produces<string>(contentType: "text/html");
        app.MapGet("/v1/evaluations/cases", CasesAsync).RequireScope(AuthOptions.ReadScope).WithTags("evaluation")
            .WithSummary("The step-replay cases of the evaluation snapshot (for batch jobs that answer them in a replay file).");

        var promotions = app.MapGroup("/v1/promotions").WithTags("promotion");
        promotions.MapPost("/requests", RequestAsync).RequireScope(AuthOptions.AdminScope)
            .WithSummary("Ask to make a candidate live; refused (422) without a current passing evaluation.")
            .Produces<PromotionRequest>().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        promotions.MapPost("/requests/{id}/approve", ApproveAsync).RequireScope(AuthOptions.AdminScope)
            .WithSummary("Approve a request: rewrite the live config, move live/previous (dry_run shows the diff only).")
            .Produces<ChangeReport>().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        promotions.MapGet("", HistoryAsync).RequireScope(AuthOptions.ReadScope)
            .WithSummary("Live and previous candidates, every promotion and rollback, every request.").Produces<PromotionState>();
        app.MapPost("/v1/rollback", RollbackAsync).RequireScope(AuthOptions.AdminScope).WithTags("promotion")
            .WithSummary("Undo the latest live change, or return to the state right after promotion `to`.")
            .Produces<ChangeReport>().ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        app.MapPut("/v1/snapshots/eval", UseForEvalAsync).RequireScope(AuthOptions.AdminScope).WithTags("datasets")
            .WithSummary("Make a snapshot's eval split the evaluation set.").Produces<Storage.EvalPointer>();

        var audit = app.MapGroup("/v1/audit").WithTags("audit");
        audit.MapGet("", AuditListAsync).RequireScope(AuthOptions.ReadScope).WithSummary("Audit entries, oldest first (limit: the last N).")
            .Produces<List<AuditEntry>>();
        audit.MapGet("/verify", AuditVerifyAsync).RequireScope(AuthOptions.ReadScope)
            .WithSummary("Recompute the hash chain (and compare the mirror file); ok false names the first bad entry.").Produces<AuditVerification>();
    }

    private static string Actor(HttpContext context) => context.Caller().Name;

    private static async Task<IResult> RegisterAsync(HttpContext context, CandidateBody body, WhetstoneServices services)
    {
        var (candidate, created) = await services.Registry.RegisterAsync(new RegistrationRequest
        {
            Model = body.Model ?? "",
            Client = body.Client ?? "",
            Job = body.Job,
            Artifact = body.Artifact,
            ArtifactSha256 = body.Sha256,
            Notes = body.Notes,
            Actor = Actor(context),
        }, CancellationToken.None);
        await services.Artifacts.WriteCandidatesAsync(CancellationToken.None);
        return Results.Json(new RegistrationReport(candidate.Id, created, candidate), statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListCandidatesAsync(WhetstoneServices services, CancellationToken cancellationToken)
    {
        var registry = services.Store.Registry;
        var evaluations = await registry.ListEvaluationsAsync(null, cancellationToken);
        var aliases = await registry.GetAliasesAsync(cancellationToken);
        return Results.Json((await registry.ListCandidatesAsync(cancellationToken)).Select(c => CandidateView.Of(c, aliases, evaluations)).ToList());
    }

    private static async Task<IResult> GetCandidateAsync(string id, WhetstoneServices services, CancellationToken cancellationToken)
    {
        var registry = services.Store.Registry;
        var c = await registry.GetCandidateAsync(id, cancellationToken) ?? throw new WhetstoneException(ErrorCode.NotFound, $"no candidate with id '{id}'");
        var evaluations = await registry.ListEvaluationsAsync(c.Id, cancellationToken);
        return Results.Json(CandidateView.Of(c, await registry.GetAliasesAsync(cancellationToken), evaluations) with
        {
            Evaluations = evaluations.Select(EvaluationSummary.Of).ToList(),
        });
    }

    private static async Task<IResult> InitLiveAsync(HttpContext context, CandidateBody body, WhetstoneServices services)
    {
        var candidate = await services.Registry.InitializeLiveAsync(body.Model ?? "", body.Client ?? "", Actor(context), CancellationToken.None);
        await services.Artifacts.WriteCandidatesAsync(CancellationToken.None);
        await services.Artifacts.WritePromotionAsync(CancellationToken.None);
        return Results.Json(new RegistrationReport(candidate.Id, true, candidate), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> EvaluateAsync(HttpContext context, EvaluationBody body, WhetstoneServices services)
    {
        if (string.IsNullOrWhiteSpace(body.Candidate))
        {
            throw new WhetstoneException(ErrorCode.BadInput, "candidate is required");
        }

        var (report, _) = await services.Evaluation.RunAsync(new EvaluationRequest
        {
            CandidateId = body.Candidate,
            SnapshotId = body.Snapshot,
            Baseline = body.Baseline ?? "live",
            Mode = body.Mode,
            Limit = body.Limit,
            Concurrency = body.Concurrency,
            Actor = Actor(context),
        }, context.RequestAborted);
        services.Artifacts.WriteEvalReport(report);
        await services.Artifacts.WriteCandidatesAsync(CancellationToken.None);
        return Results.Text(report.ToJson(), "application/json", statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListEvaluationsAsync(string? candidate, WhetstoneServices services, CancellationToken cancellationToken) =>
        Results.Json((await services.Store.Registry.ListEvaluationsAsync(candidate, cancellationToken)).Select(EvaluationSummary.Of).ToList());

    private static async Task<EvaluationRecord> EvaluationAsync(string id, WhetstoneServices services, CancellationToken cancellationToken) =>
        await services.Store.Registry.GetEvaluationAsync(id, cancellationToken)
        ?? throw new WhetstoneException(ErrorCode.NotFound, $"no evaluation with id '{id}'");

    private static async Task<IResult> GetEvaluationAsync(string id, WhetstoneServices services, CancellationToken cancellationToken) =>
        Results.Text((await EvaluationAsync(id, services, cancellationToken)).ReportJson, "application/json");

    private static async Task<IResult> GetEvaluationHtmlAsync(string id, WhetstoneServices services, CancellationToken cancellationToken) =>
        Results.Text(EvaluationHtml.Render(EvaluationReport.FromJson((await EvaluationAsync(id, services, cancellationToken)).ReportJson)), "text/html");

    private static async Task<IResult> CasesAsync(string? snapshot, int? limit, WhetstoneServices services, CancellationToken cancellationToken) =>
        Results.Text(EvalCases.ToJson(await services.Evaluation.CasesAsync(snapshot, limit, cancellationToken)), "application/json");

    private static async Task<IResult> RequestAsync(HttpContext context, PromotionBody body, WhetstoneServices services)
    {
        var request = await services.Promotion.RequestAsync(body.Candidate ?? "", Actor(context), CancellationToken.None, actorVerifiedAdmin: true);
        await services.Artifacts.WritePromotionAsync(CancellationToken.None);
        return Results.Json(request, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ApproveAsync(string id, HttpContext context, ApproveBody? body, WhetstoneServices services)
    {
        var result = await services.Promotion.ApproveAsync(id, Actor(context), body?.DryRun == true, CancellationToken.None, actorVerifiedAdmin: true);
        return await ReportAsync(result, services);
    }

    private static async Task<IResult> RollbackAsync(HttpContext context, RollbackBody? body, WhetstoneServices services)
    {
        var result = await services.Promotion.RollbackAsync(Actor(context), body?.To, body?.DryRun == true, CancellationToken.None, actorVerifiedAdmin: true);
        return await ReportAsync(result, services);
    }

    private static async Task<IResult> ReportAsync(LiveChangeResult result, WhetstoneServices services)
    {
        if (!result.DryRun)
        {
            await services.Artifacts.WritePromotionAsync(CancellationToken.None);
            await services.Artifacts.WriteCandidatesAsync(CancellationToken.None);
        }

        return Results.Json(new ChangeReport(result.Change, result.Candidate, result.DryRun));
    }

    private static async Task<IResult> HistoryAsync(WhetstoneServices services, CancellationToken cancellationToken)
    {
        var registry = services.Store.Registry;
        var aliases = await registry.GetAliasesAsync(cancellationToken);
        return Results.Json(new PromotionState(aliases.Live, aliases.Previous,
            await registry.ListChangesAsync(cancellationToken), await registry.ListRequestsAsync(cancellationToken)));
    }

    private static async Task<IResult> UseForEvalAsync(HttpContext context, EvalPointerBody body, WhetstoneServices services) =>
        Results.Json(await services.Snapshots.UseForEvalAsync(body.Snapshot ?? "", Actor(context), CancellationToken.None));

    private static async Task<IResult> AuditListAsync(int? limit, WhetstoneServices services, CancellationToken cancellationToken)
    {
        var entries = new List<AuditEntry>();
        await foreach (var e in services.Store.Audit.StreamAsync(cancellationToken))
        {
            entries.Add(e);
        }

        return Results.Json(limit is > 0 && entries.Count > limit ? entries.Skip(entries.Count - limit.Value).ToList() : entries);
    }

    private static async Task<IResult> AuditVerifyAsync(WhetstoneServices services, CancellationToken cancellationToken) =>
        Results.Json(await services.Audit.VerifyStoreAsync(cancellationToken));
}

internal sealed record CandidateBody(string? Model, string? Client, string? Job, string? Artifact, string? Sha256, string? Notes);

internal sealed record EvaluationBody(string? Candidate, string? Snapshot, string? Baseline, string? Mode, int? Limit, int? Concurrency);

internal sealed record PromotionBody(string? Candidate);

internal sealed record ApproveBody(bool DryRun);

internal sealed record RollbackBody(string? To, bool DryRun);

internal sealed record EvalPointerBody(string? Snapshot);


internal sealed record ChangeReport(LiveChange Change, Candidate Candidate, bool DryRun)
{
    public string Id => Change.Id;

    public IReadOnlyList<ConfigChange> Edits => Change.Changes.Where(c => c.Before != c.After).ToList();
}

internal sealed record PromotionState(string? Live, string? Previous, IReadOnlyList<LiveChange> History, IReadOnlyList<PromotionRequest> Requests);
