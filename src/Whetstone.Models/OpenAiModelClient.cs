using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Whetstone.Evaluation;

namespace Whetstone.Models;

/// <summary><c>openai:URL</c> — any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp server,
/// LM Studio, OpenAI, Azure OpenAI's v1 API) through the official OpenAI .NET SDK. The request body is written by
/// <see cref="OpenAiChatFormat"/> (the same format <c>eval cases --json</c> lists) and sent with the SDK's
/// protocol method; the SDK's own retries are off and Polly owns timeouts and retries, so every attempt is
/// counted and a final failure becomes the item's error.</summary>
internal sealed class OpenAiModelClient : IModelClient, IDisposable
{
    private readonly ChatClient _chat;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _pipeline;
    private readonly ModelClientOptions _options;
    private readonly string _model;

    public OpenAiModelClient(Uri endpoint, ModelClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _model = string.IsNullOrWhiteSpace(options.Model)
            ? throw new WhetstoneException(ErrorCode.BadInput, "an openai: client needs the model name to send (the candidate's --model)", "model_name_required")
            : options.Model;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.MaxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
        })
        {
            // Polly's per-attempt timeout is the one that counts; this only bounds a hung socket.
            Timeout = options.Timeout + TimeSpan.FromSeconds(30),
        };
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = BaseEndpoint(endpoint),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.Timeout + TimeSpan.FromSeconds(30),
            Transport = new HttpClientPipelineTransport(_http),
            UserAgentApplicationId = "whetstone-eval",
        };
        // Local servers (vLLM, llama.cpp, Ollama) usually take no key; the SDK needs a non-empty one.
        var key = string.IsNullOrEmpty(options.ApiKey) ? "unused" : options.ApiKey;
        _chat = new ChatClient(_model, new ApiKeyCredential(key), clientOptions);
        _pipeline = BuildPipeline(options);
    }

    /// <summary>The SDK appends <c>chat/completions</c>: accept a base URL or the full path.</summary>
    internal static Uri BaseEndpoint(Uri endpoint)
    {
        var text = endpoint.ToString().TrimEnd('/');
        const string suffix = "/chat/completions";
        if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^suffix.Length];
        }

        return new Uri(text + "/");
    }

    public async Task<ModelResult> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = BinaryData.FromBytes(OpenAiChatFormat.RequestBytes(_model, request.Messages, request.Tools, _options.Temperature, _options.MaxOutputTokens));
        var attempts = 0;
        try
        {
            var response = await _pipeline.ExecuteAsync(async token =>
            {
                Interlocked.Increment(ref attempts);
                using var content = BinaryContent.Create(body);
                var result = await _chat.CompleteChatAsync(content, new RequestOptions { CancellationToken = token }).ConfigureAwait(false);
                return result.GetRawResponse().Content;
            }, cancellationToken).ConfigureAwait(false);
            var (message, usage) = OpenAiChatFormat.ParseResponse(response.ToMemory());
            return ModelResult.Ok(message, usage, attempts);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException)
        {
            return ModelResult.Failed("timeout", $"no answer within {Seconds(_options.Timeout)} s (attempt {attempts} of {_options.MaxRetries + 1})", attempts);
        }
        catch (ClientResultException e) when (e.Status > 0)
        {
            return ModelResult.Failed($"http_{e.Status}", $"HTTP {e.Status} from the endpoint after {attempts} attempt(s): {Short(e.Message)}", attempts);
        }
        catch (Exception e) when (e is ClientResultException or HttpRequestException or IOException or OperationCanceledException)
        {
            return ModelResult.Failed("connection_failed", $"{Short(e.Message)} (after {attempts} attempt(s))", attempts);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return ModelResult.Failed("invalid_response", Short(e.Message), attempts);
        }
    }

    public void Dispose() => _http.Dispose();

    private static ResiliencePipeline BuildPipeline(ModelClientOptions options)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<TimeoutRejectedException>()
                    .Handle<HttpRequestException>()
                    .Handle<IOException>()
                    .Handle<ClientResultException>(e => IsTransient(e.Status))
                    .Handle<OperationCanceledException>(),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception, options.MaxRetryDelay)),
            });
        }

        builder.AddTimeout(options.Timeout);
        return builder.Build();
    }

    /// <summary>Status 0 is a transport failure; 408, 409, 429 and 5xx are worth another try; other 4xx are not.</summary>
    internal static bool IsTransient(int status) => status is 0 or 408 or 409 or 429 or >= 500;

    /// <summary>A server's Retry-After (seconds) when it gave one, capped; null lets the backoff decide.</summary>
    private static TimeSpan? RetryAfter(Exception? exception, TimeSpan max)
    {
        if (exception is ClientResultException e && e.GetRawResponse() is { } response &&
            response.Headers.TryGetValue("Retry-After", out var value) &&
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            var delay = TimeSpan.FromSeconds(seconds);
            return delay > max ? max : delay;
        }

        return null;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Short(string s)
    {
        var oneLine = s.ReplaceLineEndings(" ");
        return oneLine.Length <= 300 ? oneLine : oneLine[..300] + "…";
    }
}
