using System.Collections;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Whetstone.Tests;

namespace Whetstone.Server.Tests;

/// <summary>The real server on Kestrel, loopback, port 0, over a temporary home; one token per scope.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    public const string CaptureToken = "capture-token-0123456789";
    public const string ReadToken = "read-token-0123456789abc";
    public const string AdminToken = "admin-token-0123456789ab";

    private readonly TempDir _home;
    private readonly List<HttpClient> _clients = [];

    private RunningServer(TempDir home, WebApplication app)
    {
        _home = home;
        App = app;
        BaseAddress = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public string Home => _home.Path;

    public WhetstoneServices Services => App.Services.GetRequiredService<WhetstoneServices>();

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<RunningServer> StartAsync(IDictionary<string, string?>? overrides = null, TimeProvider? time = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var home = new TempDir();
        var settings = new Dictionary<string, string?>
        {
            ["Whetstone:Preparation:Enabled"] = "false",
            ["Whetstone:Auth:Tokens:0:Name"] = "reader",
            ["Whetstone:Auth:Tokens:0:Token"] = ReadToken,
            ["Whetstone:Auth:Tokens:0:Scopes:0"] = "read",
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        var app = WhetstoneServer.Build(new ServerSettings
        {
            Home = home.Path,
            Urls = "http://127.0.0.1:0",
            Environment = new Hashtable
            {
                ["WHETSTONE_CAPTURE_TOKEN"] = CaptureToken,
                ["WHETSTONE_ADMIN_TOKEN"] = AdminToken,
            },
            Overrides = settings,
            Time = time ?? TimeProvider.System,
        }, builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
            configure?.Invoke(builder);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new RunningServer(home, app);
    }

    public HttpClient Client(string? token = CaptureToken)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _clients.Add(client);
        return client;
    }

    public async Task<long> CountAsync() => (await Services.Store.Trajectories.CountAsync()).Total;

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients)
        {
            c.Dispose();
        }

        await App.StopAsync();
        await App.DisposeAsync();
        _home.Dispose();
    }
}

/// <summary>Request bodies and response parsing.</summary>
internal static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Ndjson(string lines) => new(lines, Encoding.UTF8, "application/x-ndjson");

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>An OpenAI-format run with a tool call, its result and a final answer; <paramref name="secret"/> is
    /// planted in the user message.</summary>
    public static string OpenAiRun(string id, string secret = "nobody@example.com", int extraTurns = 0)
    {
        var extra = string.Concat(Enumerable.Range(0, extraTurns).Select(i => $",{{\"role\":\"user\",\"content\":\"more {i}\"}},{{\"role\":\"assistant\",\"content\":\"ok {i}\"}}"));
        return "{\"id\":\"" + id + "\",\"model\":\"gpt-4o-mini\",\"messages\":["
            + "{\"role\":\"system\",\"content\":\"You are a support agent.\"},"
            + "{\"role\":\"user\",\"content\":\"Where is my order 1234? Mail me at " + secret + "\"},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"lookup_order\",\"arguments\":\"{\\\"order_id\\\":\\\"1234\\\"}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"{\\\"status\\\":\\\"shipped\\\"}\"},"
            + "{\"role\":\"assistant\",\"content\":\"Your order 1234 has shipped.\"}" + extra + "],"
            + "\"outcome\":{\"status\":\"completed\"}}";
    }
}
