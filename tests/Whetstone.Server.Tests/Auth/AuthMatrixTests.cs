using System.Collections;
using System.Net;
using Whetstone.Configuration;
using Whetstone.Server.Auth;

namespace Whetstone.Server.Tests.Auth;

/// <summary>Every endpoint × every kind of caller: no token → 401, a token without the scope → 403, otherwise the
/// endpoint runs (its own status, never 401/403).</summary>
public sealed class AuthMatrixTests
{
    public enum Who
    {
        Nobody,
        Unknown,
        Capture,
        Read,
        Admin,
    }

    private static readonly (string Method, string Path, string Body, string Scope)[] Endpoints =
    [
        ("POST", "/v1/trajectories", Http.OpenAiRun("auth-run"), "capture"),
        ("POST", "/v1/trajectories/auth-run/feedback", """{"reward":1}""", "capture"),
        ("POST", "/v1/traces", """{"resourceSpans":[]}""", "capture"),
        ("GET", "/v1/trajectories", "", "read"),
        ("GET", "/v1/trajectories/auth-run", "", "read"),
        ("GET", "/v1/status", "", "read"),
        ("GET", "/v1/snapshots", "", "read"),
        ("GET", "/v1/snapshots/snap-x", "", "read"),
        ("GET", "/v1/jobs", "", "read"),
        ("GET", "/v1/jobs/job-x", "", "read"),
        ("GET", "/v1/jobs/job-x/launches", "", "read"),
        ("GET", "/v1/launches", "", "read"),
        ("POST", "/v1/snapshots", "{}", "admin"),
        ("POST", "/v1/snapshots/snap-x/exports", """{"format":"hf"}""", "admin"),
        ("POST", "/v1/jobs", """{"snapshot_id":"snap-x","trainer":"trl","base_model":"m"}""", "admin"),
        ("POST", "/v1/jobs/job-x/launches", """{"dry_run":true}""", "admin"),
    ];

    [Fact]
    public async Task EveryEndpoint_EveryCaller_GetsTheStatusItsScopesAllow()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Client().PostAsync("/v1/trajectories", Http.Json(Http.OpenAiRun("auth-run")), TestContext.Current.CancellationToken);
        var failures = new List<string>();
        foreach (var who in Enum.GetValues<Who>())
        {
            var client = server.Client(who switch
            {
                Who.Nobody => null,
                Who.Unknown => "not-a-configured-token-000",
                Who.Capture => RunningServer.CaptureToken,
                Who.Read => RunningServer.ReadToken,
                _ => RunningServer.AdminToken,
            });
            foreach (var (method, path, body, scope) in Endpoints)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST")
                {
                    request.Content = Http.Json(body);
                }

                var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                var status = (int)response.StatusCode;
                var expected = who is Who.Nobody or Who.Unknown ? 401
                    : who == Who.Admin || who.ToString().Equals(scope, StringComparison.OrdinalIgnoreCase) ? 0
                    : 403;
                var ok = expected == 0 ? status is not (401 or 403) : status == expected;
                if (!ok)
                {
                    failures.Add($"{who} {method} {path}: {status} (expected {(expected == 0 ? "allowed" : expected)})");
                }

                if (status is 401 or 403)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task Health_AndOpenApi_NeedNoToken()
    {
        await using var server = await RunningServer.StartAsync();
        var client = server.Client(null);

        var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);
        var openapi = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, openapi.StatusCode);
        var doc = await openapi.JsonAsync();
        Assert.True(doc.GetProperty("paths").TryGetProperty("/v1/trajectories", out _));
        Assert.True(doc.GetProperty("paths").TryGetProperty("/v1/traces", out _));
    }

    [Fact]
    public async Task Unauthorized_AnswersWithBearerChallenge()
    {
        await using var server = await RunningServer.StartAsync();

        var response = await server.Client(null).GetAsync("/v1/trajectories", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public void Authenticate_KnownAndUnknownTokens_FindOnlyTheConfiguredCaller()
    {
        var tokens = TokenAuthenticator.Create(new AuthOptions
        {
            Tokens = [new TokenOptions { Name = "ci", Token = "ci-token-abcdefghijkl", Scopes = ["read", "capture"] }],
        }, new Hashtable { ["WHETSTONE_ADMIN_TOKEN"] = "admin-token-abcdefghij" });

        Assert.Equal("ci", tokens.Authenticate("Bearer ci-token-abcdefghijkl")?.Name);
        Assert.Equal("admin", tokens.Authenticate("bearer admin-token-abcdefghij")?.Name);
        Assert.Null(tokens.Authenticate("Bearer ci-token-abcdefghijkX"));
        Assert.Null(tokens.Authenticate("Basic ci-token-abcdefghijkl"));
        Assert.Null(tokens.Authenticate(null));
        Assert.True(tokens.Authenticate("Bearer admin-token-abcdefghij")!.HasAny(["capture"]));
        Assert.False(tokens.Authenticate("Bearer ci-token-abcdefghijkl")!.HasAny(["admin"]));
    }

    [Fact]
    public void Create_NoTokenAnywhere_RefusesToStart()
    {
        var e = Assert.Throws<WhetstoneException>(() => TokenAuthenticator.Create(new AuthOptions(), new Hashtable()));

        Assert.Equal(ErrorCode.InvalidConfiguration, e.Code);
        Assert.Contains("WHETSTONE_CAPTURE_TOKEN", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ShortToken_IsRefusedWithoutEchoingIt()
    {
        var e = Assert.Throws<WhetstoneException>(() => TokenAuthenticator.Create(new AuthOptions(),
            new Hashtable { ["WHETSTONE_CAPTURE_TOKEN"] = "short-secret" }));

        Assert.Contains("WHETSTONE_CAPTURE_TOKEN", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadTokenConfiguration_NamesEveryProblemAndNoToken()
    {
        var options = new WhetstoneOptions
        {
            Auth = new AuthOptions
            {
                Tokens =
                [
                    new TokenOptions { Name = "", Token = "tiny", Scopes = [] },
                    new TokenOptions { Name = "x", Token = "long-enough-token-123", Scopes = ["root"] },
                ],
            },
        };

        var problems = options.Validate();

        Assert.Contains(problems, p => p.StartsWith("Whetstone:Auth:Tokens:0:Name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Whetstone:Auth:Tokens:0:Token", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Whetstone:Auth:Tokens:0:Scopes", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'root' is not a scope", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("long-enough-token-123", StringComparison.Ordinal) || p.Contains("tiny", StringComparison.Ordinal));
    }
}
