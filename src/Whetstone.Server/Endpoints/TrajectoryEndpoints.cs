using System.Text.Json;
using Whetstone.Configuration;
using Whetstone.Ingest;
using Whetstone.Server.Auth;
using Whetstone.Server.Ingest;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Server.Endpoints;

/// <summary><c>/v1/trajectories</c>: submit runs (capture), read them (read), add late feedback (capture).</summary>
internal static class TrajectoryEndpoints
{
    public const int DefaultListLimit = 100;
    public const int MaxListLimit = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/trajectories").WithTags("trajectories");
        group.MapPost("", SubmitAsync)
            .RequireScope(AuthOptions.CaptureScope)
            .WithSummary("Submit completed runs: one run, {\"trajectories\": [...]}, or NDJSON. 202 after the durable commit.")
            .Accepts<SubmitBody>(MediaTypes.Json, MediaTypes.RunBodies)
            .Produces<SubmitResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("", ListAsync)
            .RequireScope(AuthOptions.ReadScope)
            .WithSummary("Stored runs in insertion order, a page at a time (?after=SEQUENCE).")
            .Produces<TrajectoryPage>();
        group.MapGet("/{id}", GetAsync)
            .RequireScope(AuthOptions.ReadScope)
            .WithSummary("One stored run with its verdict and redaction report.")
            .Produces<StoredTrajectory>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/feedback", FeedbackAsync)
            .RequireScope(AuthOptions.CaptureScope)
            .WithSummary("Outcome, reward or user feedback that arrived after the run; the run is re-scored.")
            .Accepts<FeedbackBody>("application/json")
            .Produces<FeedbackResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> SubmitAsync(HttpContext context, string? format, RunBatchReader reader,
        RunIngestor ingestor, WhetstoneOptions options)
    {
        var ndjson = MediaTypes.IsNdjson(context.Request.ContentType);
        if (!ndjson && !MediaTypes.IsJsonOrMissing(context.Request.ContentType))
        {
            return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "unsupported media type",
                $"'{context.Request.ContentType}' is not accepted: send application/json or application/x-ndjson", "unsupported_media_type");
        }

        RunBatch batch;
        using (var body = await RequestBody.ReadAsync(context.Request, options.Server.MaxRequestBytes, context.RequestAborted))
        {
            batch = reader.Read(body.Memory, ndjson, format ?? TrajectoryFormats.Auto);
        }

        if (!batch.Ok)
        {
            return BadBatch(batch);
        }

        var results = await ingestor.StoreAsync(batch.Runs, "http");
        return Results.Json(new SubmitResponse(
            results.Select(r => r.Stored.Id).ToList(),
            results.Count(r => r.Result == InsertResult.Inserted),
            results.Where(r => r.Result == InsertResult.Duplicate).Select(r => r.Stored.Id).ToList()),
            statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>400 naming the first bad item and its JSON path, with the first problems listed.</summary>
    internal static IResult BadBatch(RunBatch batch)
    {
        var first = batch.Problems[0];
        return Problems.Result(StatusCodes.Status400BadRequest,
            "the batch holds a run that cannot be read; nothing of it was stored",
            first.ToString() + (batch.ProblemCount > 1 ? $" (and {batch.ProblemCount - 1} more problems)" : ""),
            first.Item is null && first.Message.StartsWith("not valid JSON", StringComparison.Ordinal) ? "malformed_json" : "bad_run",
            new Dictionary<string, object?>
            {
                ["item"] = first.Item,
                ["line"] = first.Line,
                ["id"] = first.Id,
                ["path"] = first.Path,
                ["error_count"] = batch.ProblemCount,
                ["errors"] = batch.Problems.Select(p => new ProblemItem(p.Item, p.Line, p.Id, p.Path, p.Message)).ToList(),
            });
    }

    private static async Task<IResult> ListAsync(WhetstoneServices services, bool? accepted, string? model, int? limit, long? after,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxListLimit)
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"limit must be between 1 and {MaxListLimit}");
        }

        var take = limit ?? DefaultListLimit;
        var items = new List<TrajectorySummary>(take);
        await foreach (var row in services.Store.Trajectories.StreamAsync(new TrajectoryFilter
        {
            Accepted = accepted,
            ModelName = model,
            AfterSequence = after ?? 0,
            Limit = take,
        }, cancellationToken))
        {
            items.Add(TrajectorySummary.From(row));
        }

        return Results.Json(new TrajectoryPage(items, items.Count == take ? items[^1].Sequence : null));
    }

    private static async Task<IResult> GetAsync(string id, WhetstoneServices services, CancellationToken cancellationToken)
    {
        var row = await services.Store.Trajectories.GetAsync(id, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no trajectory with id '{id}'");
        return Results.Json(row, WhetstoneJson.Compact.StoredTrajectory);
    }

    private static async Task<IResult> FeedbackAsync(string id, HttpContext context, WhetstoneServices services, WhetstoneOptions options)
    {
        using var body = await RequestBody.ReadAsync(context.Request, options.Server.MaxRequestBytes, context.RequestAborted);
        OutcomeUpdate update;
        try
        {
            using var doc = JsonDocument.Parse(body.Memory);
            update = OutcomeUpdate.Parse(doc.RootElement);
        }
        catch (JsonException e)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "bad feedback", "not valid JSON: " + e.Message, "malformed_json",
                new Dictionary<string, object?> { ["path"] = string.IsNullOrEmpty(e.Path) ? "$" : e.Path });
        }
        catch (RecordException e)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "bad feedback", $"{e.Path}: {e.Message}", "bad_feedback",
                new Dictionary<string, object?> { ["path"] = e.Path });
        }

        var stored = await services.Feedback.ApplyAsync(id, update, CancellationToken.None);
        return Results.Json(new FeedbackResponse(stored.Id, stored.IsAccepted, stored.Verdict.Score, stored.Verdict.Reasons,
            stored.Trajectory.Outcome));
    }
}

/// <summary>Documents the body of <c>POST /v1/trajectories</c> (a single run or NDJSON are accepted too).</summary>
internal sealed record SubmitBody(IReadOnlyList<JsonElement> Trajectories);

internal sealed record SubmitResponse(IReadOnlyList<string> Ids, int Inserted, IReadOnlyList<string> Duplicates);

internal sealed record ProblemItem(int? Item, int? Line, string? Id, string Path, string Message);

/// <summary>Documents the body of <c>POST /v1/trajectories/{id}/feedback</c>.</summary>
internal sealed record FeedbackBody(string? Status, bool? GoalsMet, bool? Delivered, double? Reward, string? Notes, JsonElement? Feedback);

internal sealed record FeedbackResponse(string Id, bool Accepted, double Score, IReadOnlyList<string> Reasons, Outcome Outcome);

internal sealed record TrajectoryPage(IReadOnlyList<TrajectorySummary> Items, long? NextAfter);

/// <summary>One row of <c>GET /v1/trajectories</c>.</summary>
internal sealed record TrajectorySummary
{
    public required string Id { get; init; }

    public long Sequence { get; init; }

    public bool Accepted { get; init; }

    public double Score { get; init; }

    public IReadOnlyList<string> Reasons { get; init; } = [];

    public string? Model { get; init; }

    public string? TaskKey { get; init; }

    public string? Source { get; init; }

    public int Messages { get; init; }

    public int ToolCalls { get; init; }

    public string? NearDuplicateOf { get; init; }

    public DateTimeOffset IngestedAt { get; init; }

    public static TrajectorySummary From(StoredTrajectory s) => new()
    {
        Id = s.Id,
        Sequence = s.Sequence,
        Accepted = s.IsAccepted,
        Score = s.Verdict.Score,
        Reasons = s.Verdict.Reasons,
        Model = s.Trajectory.Model?.Name,
        TaskKey = s.Trajectory.TaskKey,
        Source = s.Trajectory.Source,
        Messages = s.Trajectory.Messages.Count,
        ToolCalls = s.Trajectory.Messages.Sum(m => m.ToolCalls?.Count ?? 0),
        NearDuplicateOf = s.Verdict.NearDuplicateOf,
        IngestedAt = s.IngestedAt,
    };
}
