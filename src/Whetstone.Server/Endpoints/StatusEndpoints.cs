using Whetstone.Configuration;
using Whetstone.Server.Auth;
using Whetstone.Server.Ingest;
using Whetstone.Server.Otlp;
using Whetstone.Server.Preparation;
using Whetstone.Storage;

namespace Whetstone.Server.Endpoints;

/// <summary><c>GET /health</c> (no token) and <c>GET /v1/status</c> (read): what the home holds and what the
/// service did since it started.</summary>
internal static class StatusEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => Results.Json(new Health("ok")))
            .AllowAnonymousCaller().WithTags("service").WithSummary("Liveness: 200 while the service runs.")
            .Produces<Health>();
        app.MapGet("/v1/status", StatusAsync)
            .RequireScope(AuthOptions.ReadScope).WithTags("service")
            .WithSummary("Runs by verdict, reason, model and redacted kind; what the service did since it started.")
            .Produces<ServiceStatus>();
    }

    private static async Task<IResult> StatusAsync(WhetstoneServices services, RunIngestor ingestor, TraceIngestor traces,
        PreparationState preparation, CancellationToken cancellationToken)
    {
        var counts = await services.Store.Trajectories.CountAsync(cancellationToken);
        return Results.Json(new ServiceStatus(services.Home.Root, services.Store.Description, counts, ingestor.AcceptedSinceStart,
            traces.Counters(), preparation.Snapshot()));
    }
}

internal sealed record Health(string Status);

internal sealed record ServiceStatus(string Home, string Store, StoreCounts Trajectories, long AcceptedSinceStart,
    TraceCounters Traces, PreparationReport Preparation);
