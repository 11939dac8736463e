using Whetstone.Configuration;
using Whetstone.Datasets;
using Whetstone.Datasets.Export;
using Whetstone.Server.Auth;

namespace Whetstone.Server.Endpoints;

/// <summary><c>/v1/snapshots</c>: take (admin), list and show (read), export (admin) — the operations of
/// <c>whetstone dataset snapshot|list|show|export</c> through the same Core services.</summary>
internal static class SnapshotEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/snapshots").WithTags("datasets");
        group.MapPost("", TakeAsync)
            .RequireScope(AuthOptions.AdminScope)
            .WithSummary("Freeze the accepted runs into an immutable, content-addressed snapshot (same inputs → same snapshot).")
            .Produces<SnapshotReport>()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("", ListAsync).RequireScope(AuthOptions.ReadScope).WithSummary("Snapshots, newest first.")
            .Produces<List<SnapshotReport>>();
        group.MapGet("/{id}", GetAsync).RequireScope(AuthOptions.ReadScope).WithSummary("One snapshot.")
            .Produces<SnapshotReport>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/exports", ExportAsync)
            .RequireScope(AuthOptions.AdminScope)
            .WithSummary("Write the snapshot's splits in a trainer's format under <home>/exports/.")
            .Produces<ExportResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> TakeAsync(HttpContext context, SnapshotBody? body, WhetstoneServices services)
    {
        var result = await services.Snapshots.TakeAsync(new SnapshotRequest
        {
            MinExamples = body?.MinExamples,
            EvalFraction = body?.EvalFraction,
            ValidationFraction = body?.ValidationFraction,
            Seed = body?.Seed,
            Actor = context.Caller().Name,
        }, CancellationToken.None);
        await services.Artifacts.WriteSnapshotExamplesAsync(result.Snapshot.Id, services.Options.Datasets.ArtifactMaxExamples, CancellationToken.None);
        return Results.Json(new SnapshotReport(result.Snapshot, result.Created, result.BecameEvalSnapshot),
            statusCode: result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListAsync(WhetstoneServices services, CancellationToken cancellationToken)
    {
        var list = await services.Store.Snapshots.ListAsync(cancellationToken);
        var pointer = await services.Store.Snapshots.GetEvalPointerAsync(cancellationToken);
        return Results.Json(list.Select(s => new SnapshotReport(s, null, s.Id == pointer?.SnapshotId)).ToList());
    }

    private static async Task<IResult> GetAsync(string id, WhetstoneServices services, CancellationToken cancellationToken)
    {
        var s = await services.Store.Snapshots.GetAsync(id, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no snapshot with id '{id}'");
        var pointer = await services.Store.Snapshots.GetEvalPointerAsync(cancellationToken);
        return Results.Json(new SnapshotReport(s, null, s.Id == pointer?.SnapshotId));
    }

    private static async Task<IResult> ExportAsync(string id, ExportBody body, WhetstoneServices services)
    {
        if (string.IsNullOrWhiteSpace(body.Format) || !ExportFormats.All.Contains(body.Format))
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"format must be one of {string.Join(", ", ExportFormats.All)}");
        }

        var target = body.Target ?? ExportFormats.DefaultTarget;
        if (!ExportFormats.Targets.Contains(target))
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"target must be one of {string.Join(", ", ExportFormats.Targets)}");
        }

        // The service chooses the folder: a client never names a path on the server's disk.
        var folder = Path.Combine(services.Home.Exports, $"{SafeName(id)}-{body.Format}-{target}");
        var result = await services.Exporter.ExportAsync(id, folder, new ExportOptions
        {
            Format = body.Format,
            Target = target,
            Strict = body.Strict ?? false,
            MaxTokens = body.MaxTokens ?? services.Options.Training.MaxTokensPerExample,
        }, CancellationToken.None);
        return Results.Json(result);
    }

    private static string SafeName(string id) =>
        id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? id
            : throw new WhetstoneException(ErrorCode.NotFound, $"no snapshot with id '{id}'");
}

internal sealed record SnapshotBody(int? MinExamples, double? EvalFraction, double? ValidationFraction, int? Seed);

internal sealed record ExportBody(string Format, string? Target, bool? Strict, int? MaxTokens);

/// <summary>A snapshot as the API shows it (as <c>dataset snapshot --json</c>).</summary>
internal sealed record SnapshotReport(Snapshot Snapshot, bool? Created, bool EvalSnapshot)
{
    public string Id => Snapshot.Id;
}
