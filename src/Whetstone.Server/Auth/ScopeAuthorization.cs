using Whetstone.Configuration;

namespace Whetstone.Server.Auth;

/// <summary>Endpoint metadata: the scopes that may call an endpoint (admin always may).</summary>
internal sealed record RequiredScopes(IReadOnlyList<string> Scopes);

/// <summary>Endpoint metadata: no token needed (health, OpenAPI document).</summary>
internal sealed record Anonymous;

internal static class ScopeEndpointExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredScopes(scopes));

    public static TBuilder AllowAnonymousCaller<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Anonymous());

    /// <summary>The authenticated caller of this request (set by <see cref="ScopeAuthorization"/>).</summary>
    public static Caller Caller(this HttpContext context) =>
        context.Features.Get<Caller>() ?? throw new InvalidOperationException("no authenticated caller on this endpoint");
}

/// <summary>Runs after routing and before any endpoint reads the body: no token or an unknown one → 401, a token
/// without the endpoint's scope → 403, both as ProblemDetails. Endpoints without scope metadata need admin (fail
/// closed). The token is never logged.</summary>
internal sealed class ScopeAuthorization(RequestDelegate next, TokenAuthenticator tokens)
{
    private static readonly RequiredScopes AdminOnly = new([AuthOptions.AdminScope]);

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        // Routing's own rejections (405 method, 415 media type) are not route endpoints: they run nothing.
        if (endpoint is not RouteEndpoint || endpoint.Metadata.GetMetadata<Anonymous>() is not null)
        {
            await next(context);
            return;
        }

        var required = endpoint.Metadata.GetMetadata<RequiredScopes>() ?? AdminOnly;
        var caller = tokens.Authenticate(context.Request.Headers.Authorization.ToString());
        if (caller is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "missing or unknown bearer token",
                "send 'Authorization: Bearer TOKEN' with a token from Whetstone:Auth", "unauthorized");
            return;
        }

        if (!caller.HasAny(required.Scopes))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "the token lacks the scope for this operation",
                $"token '{caller.Name}' has scopes [{string.Join(", ", caller.Scopes)}]; this operation needs one of [{string.Join(", ", required.Scopes)}]",
                "forbidden");
            return;
        }

        context.Features.Set(caller);
        await next(context);
    }
}
