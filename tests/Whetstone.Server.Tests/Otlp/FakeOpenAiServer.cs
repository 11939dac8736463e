using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Whetstone.Server.Tests.Otlp;

/// <summary>A loopback OpenAI-compatible chat-completions endpoint: while the conversation has no tool result it
/// answers with one call of <c>get_weather</c>; after one, with a final text answer.</summary>
internal sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeOpenAiServer(WebApplication app) => _app = app;

    public Uri Endpoint => new(_app.Urls.First() + "/v1");

    public int Calls { get; private set; }

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeOpenAiServer(app);
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            server.Calls++;
            var request = await JsonNode.ParseAsync(context.Request.Body);
            var messages = request!["messages"]!.AsArray();
            var answered = messages.Any(m => (string?)m!["role"] == "tool");
            var message = answered
                ? new JsonObject { ["role"] = "assistant", ["content"] = "It is sunny in Paris, 21 °C." }
                : new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "call_weather_1",
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{\"city\":\"Paris\"}" },
                    }),
                };
            var response = new JsonObject
            {
                ["id"] = "chatcmpl-" + server.Calls,
                ["object"] = "chat.completion",
                ["created"] = 1_760_000_000,
                ["model"] = "fake-model-1",
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = message,
                    ["finish_reason"] = answered ? "stop" : "tool_calls",
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 20, ["completion_tokens"] = 8, ["total_tokens"] = 28 },
            };
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(response.ToJsonString(new JsonSerializerOptions()));
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
