using System.Reflection;
using Whetstone.Server.Auth;

namespace Whetstone.Server.Endpoints;

/// <summary><c>GET /console</c>: a read-only page over the API (what is live, candidates, evaluations with their
/// reports, promotions and rollbacks, snapshots, jobs, the audit log and whether its chain verifies). The page itself
/// holds no data: it asks for a read token and calls the same endpoints with it, so it needs no cookie or session.</summary>
internal static class ConsoleEndpoints
{
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("console.html")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/console", (HttpContext context) =>
            {
                // The page loads nothing from elsewhere and runs only its own inline script.
                context.Response.Headers.ContentSecurityPolicy =
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-src 'self'; img-src data:";
                context.Response.Headers["Referrer-Policy"] = "no-referrer";
                return Results.Text(Page.Value, "text/html; charset=utf-8");
            })
            .AllowAnonymousCaller().WithTags("service").WithSummary("Read-only web console (asks for a read token).").ExcludeFromDescription();
}
