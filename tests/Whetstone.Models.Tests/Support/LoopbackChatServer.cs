using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Whetstone.Models.Tests.Support;

/// <summary>What the test server answers to one request.</summary>
internal sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, bool Hang = false)
{
    public static Reply Json(string body) => new(200, body);
}

/// <summary>A request the server received.</summary>
internal sealed record Received(string Path, string? Authorization, JsonElement Body);

/// <summary>An OpenAI-compatible chat-completions endpoint on 127.0.0.1 (Kestrel, port 0) for tests. By default it
/// answers with a call of the first offered tool (arguments <c>{"order_id":"1234"}</c>), or with text when no tools
/// are offered; a script can answer request n differently (errors, hangs, bad bodies).</summary>
internal sealed class LoopbackChatServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<int, JsonElement, Reply?> _script;
    private int _count;

    private LoopbackChatServer(WebApplication app, Func<int, JsonElement, Reply?> script)
    {
        _app = app;
        _script = script;
    }

    public ConcurrentQueue<Received> Requests { get; } = new();

    public int Count => _count;

    /// <summary>Base URL for an <c>openai:</c> spec (ends in <c>/v1</c>).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public string Spec => "openai:" + BaseUrl;

    /// <param name="script">Given the 1-based request number and the body, a reply — or null for the default answer.</param>
    public static async Task<LoopbackChatServer> StartAsync(Func<int, JsonElement, Reply?>? script = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackChatServer(app, script ?? ((_, _) => null));
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "tiny", @object = "model" } } }));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        // Counted on arrival, before the body is read, so a client that gives up while the body is still in flight
        // has still been seen.
        var n = Interlocked.Increment(ref _count);
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var body = doc.RootElement.Clone();
        Requests.Enqueue(new Received(context.Request.Path, context.Request.Headers.Authorization.ToString(), body));
        var reply = _script(n, body) ?? Default(body);
        if (reply.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = "application/json";
        foreach (var (k, v) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[k] = v;
        }

        await context.Response.WriteAsync(reply.Body, Encoding.UTF8, context.RequestAborted);
    }

    public static Reply Default(JsonElement body)
    {
        var model = body.TryGetProperty("model", out var m) ? m.GetString() : "tiny";
        if (body.TryGetProperty("tools", out var tools) && tools.GetArrayLength() > 0)
        {
            var name = tools[0].GetProperty("function").GetProperty("name").GetString();
            return Reply.Json(ToolCallResponse(model!, name!, """{"order_id":"1234"}"""));
        }

        return Reply.Json(TextResponse(model!, "Your order has shipped."));
    }

    public static string ToolCallResponse(string model, string name, string arguments) =>
        JsonSerializer.Serialize(new
        {
            id = "chatcmpl-test",
            @object = "chat.completion",
            created = 0,
            model,
            choices = new[]
            {
                new
                {
                    index = 0,
                    message = new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_t1", type = "function", function = new { name, arguments } } } },
                    finish_reason = "tool_calls",
                },
            },
            usage = new { prompt_tokens = 12, completion_tokens = 6, total_tokens = 18 },
        });

    public static string TextResponse(string model, string text) =>
        JsonSerializer.Serialize(new
        {
            id = "chatcmpl-test",
            @object = "chat.completion",
            created = 0,
            model,
            choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 9, completion_tokens = 4, total_tokens = 13 },
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
