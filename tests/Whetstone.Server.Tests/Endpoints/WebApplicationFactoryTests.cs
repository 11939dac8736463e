using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Whetstone.Tests;

namespace Whetstone.Server.Tests.Endpoints;

/// <summary>The standalone host (<c>Program.cs</c>) in memory through <see cref="WebApplicationFactory{TEntryPoint}"/>:
/// it reads its home and tokens from the process environment, as it would under a service manager.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class WebApplicationFactoryTests
{
    [Fact]
    public async Task Program_FromEnvironment_ServesOpenApiAndAcceptsRuns()
    {
        using var home = new TempDir();
        var names = new[] { "WHETSTONE_HOME", "WHETSTONE_CAPTURE_TOKEN", "Whetstone__Preparation__Enabled" };
        var old = names.Select(Environment.GetEnvironmentVariable).ToArray();
        Environment.SetEnvironmentVariable("WHETSTONE_HOME", home.Path);
        Environment.SetEnvironmentVariable("WHETSTONE_CAPTURE_TOKEN", RunningServer.CaptureToken);
        Environment.SetEnvironmentVariable("Whetstone__Preparation__Enabled", "false");
        try
        {
            await using var factory = new WebApplicationFactory<Program>();
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RunningServer.CaptureToken);

            var openapi = await (await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).JsonAsync();
            var posted = await client.PostAsync("/v1/trajectories", Http.Json(Http.OpenAiRun("waf-1")), TestContext.Current.CancellationToken);

            Assert.Equal("Whetstone", openapi.GetProperty("info").GetProperty("title").GetString());
            Assert.True(openapi.GetProperty("paths").TryGetProperty("/v1/trajectories/{id}/feedback", out _));
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            Assert.True(File.Exists(Path.Combine(home.Path, "whetstone.db")));
        }
        finally
        {
            for (var i = 0; i < names.Length; i++)
            {
                Environment.SetEnvironmentVariable(names[i], old[i]);
            }
        }
    }
}

/// <summary>Tests that change the process environment run one at a time.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;
