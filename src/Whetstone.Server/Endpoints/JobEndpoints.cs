using Whetstone.Configuration;
using Whetstone.Server.Auth;
using Whetstone.Server.Preparation;
using Whetstone.Training;

namespace Whetstone.Server.Endpoints;

/// <summary><c>/v1/jobs</c> and <c>/v1/launches</c>: prepare (admin), list and show (read), launch (admin), launch
/// history (read) — the operations of <c>whetstone job …</c> through the same Core services.</summary>
internal static class JobEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/jobs").WithTags("training");
        group.MapPost("", PrepareAsync)
            .RequireScope(AuthOptions.AdminScope)
            .WithSummary("Export a snapshot for a trainer and write the job manifest (same inputs → same job).")
            .Produces<JobReport>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("", ListAsync).RequireScope(AuthOptions.ReadScope).WithSummary("Prepared jobs, newest first.")
            .Produces<List<JobManifest>>();
        group.MapGet("/{id}", GetAsync).RequireScope(AuthOptions.ReadScope).WithSummary("One job's manifest.")
            .Produces<JobManifest>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/launches", LaunchAsync)
            .RequireScope(AuthOptions.AdminScope)
            .WithSummary("Run the job's trainer (argv, no shell). A dry run answers with the record; a real launch runs in the background (202) and is recorded when it ends.")
            .Produces<LaunchRecord>()
            .Produces<LaunchStarted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id}/launches", JobLaunchesAsync).RequireScope(AuthOptions.ReadScope).WithSummary("One job's launch history.")
            .Produces<List<LaunchRecord>>();
        app.MapGet("/v1/launches", AllLaunchesAsync).RequireScope(AuthOptions.ReadScope).WithTags("training")
            .WithSummary("The launch history of every job, in order.").Produces<List<LaunchRecord>>();
    }

    private static async Task<IResult> PrepareAsync(HttpContext context, JobBody body, WhetstoneServices services)
    {
        if (string.IsNullOrWhiteSpace(body.SnapshotId))
        {
            throw new WhetstoneException(ErrorCode.BadInput, "snapshot_id is required");
        }

        var result = await services.Jobs.PrepareAsync(new JobRequest
        {
            SnapshotId = body.SnapshotId,
            Trainer = body.Trainer ?? "",
            BaseModel = body.BaseModel ?? "",
            Method = body.Method ?? "lora",
            Parameters = body.Parameters ?? new Dictionary<string, string>(),
            Format = body.Format,
            Actor = context.Caller().Name,
        }, CancellationToken.None);
        services.Artifacts.WriteJob(result.Manifest);
        return Results.Json(new JobReport(result.Manifest, result.Created),
            statusCode: result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListAsync(WhetstoneServices services, CancellationToken cancellationToken) =>
        Results.Json((await services.Store.Jobs.ListJobsAsync(cancellationToken)).ToList());

    private static async Task<IResult> GetAsync(string id, WhetstoneServices services, CancellationToken cancellationToken) =>
        Results.Json(await services.Store.Jobs.GetJobAsync(id, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no job with id '{id}'"));

    private static async Task<IResult> LaunchAsync(string id, HttpContext context, LaunchBody? body, WhetstoneServices services,
        LaunchRunner runner)
    {
        var actor = context.Caller().Name;
        if (body?.DryRun == true)
        {
            var record = await services.Launcher.LaunchAsync(id, dryRun: true, actor, CancellationToken.None);
            await services.Artifacts.WriteLaunchesAsync(CancellationToken.None);
            return Results.Json(record);
        }

        _ = await services.Store.Jobs.GetJobAsync(id, CancellationToken.None)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no job with id '{id}'");
        runner.Start(id, actor);
        return Results.Json(new LaunchStarted(id, "started"), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> JobLaunchesAsync(string id, WhetstoneServices services, CancellationToken cancellationToken) =>
        Results.Json((await services.Store.Jobs.ListLaunchesAsync(id, cancellationToken)).ToList());

    private static async Task<IResult> AllLaunchesAsync(WhetstoneServices services, CancellationToken cancellationToken) =>
        Results.Json((await services.Store.Jobs.ListLaunchesAsync(null, cancellationToken)).ToList());
}

internal sealed record JobBody(string SnapshotId, string? Trainer, string? BaseModel, string? Method,
    Dictionary<string, string>? Parameters, string? Format);

internal sealed record JobReport(JobManifest Job, bool Created)
{
    public string Id => Job.Id;
}

internal sealed record LaunchBody(bool? DryRun);

internal sealed record LaunchStarted(string JobId, string Status);
