using System.Globalization;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using LLama.Sampling;
using Whetstone.Evaluation;

namespace Whetstone.Models;

/// <summary><c>gguf:PATH</c> — a local GGUF model run in-process with LLamaSharp (CPU backend), for users who export
/// their fine-tune to GGUF. The conversation is rendered with the model's own chat template when llama.cpp knows it
/// (ChatML otherwise); tools and tool calls use the <see cref="ToolPrompt"/> convention. Greedy decoding. One item
/// at a time (the CPU is the limit); a per-item timeout ends generation and records <c>timeout</c>.</summary>
internal sealed class GgufModelClient : IModelClient, IDisposable
{
    private static readonly Lock LogGate = new();
    private static bool _logConfigured;

    private readonly LLamaWeights _weights;
    private readonly ModelClientOptions _options;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly bool _hasTemplate;
    private readonly StatelessExecutor _executor;

    private GgufModelClient(LLamaWeights weights, ModelParams parameters, ModelClientOptions options)
    {
        _weights = weights;
        _options = options;
        _hasTemplate = weights.Metadata.ContainsKey("tokenizer.chat_template");
        _executor = new StatelessExecutor(weights, parameters);
    }

    /// <summary>Whether prompts are rendered with the model's own chat template (else ChatML).</summary>
    internal bool UsesModelTemplate { get; private set; }

    public static GgufModelClient Load(string path, ModelClientOptions options)
    {
        if (!File.Exists(path))
        {
            throw new WhetstoneException(ErrorCode.NotFound, $"GGUF model '{path}' does not exist", "gguf_missing");
        }

        QuietNativeLog();
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)options.GgufContextSize,
            GpuLayerCount = 0,
            Threads = options.GgufThreads,
        };
        try
        {
            return new GgufModelClient(LLamaWeights.LoadFromFile(parameters), parameters, options);
        }
        catch (Exception e) when (e is LoadWeightsFailedException or RuntimeError or InvalidOperationException or ArgumentException)
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"cannot load GGUF model '{path}': {e.Message}", "gguf_load_failed", e);
        }
    }

    public async Task<ModelResult> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var prompt = Render(request);
            var promptTokens = _weights.Tokenize(prompt, true, true, Encoding.UTF8).Length;
            var maxTokens = _options.MaxOutputTokens ?? _options.GgufDefaultMaxTokens;
            if (promptTokens + maxTokens > _options.GgufContextSize)
            {
                return ModelResult.Failed("context_overflow", string.Create(CultureInfo.InvariantCulture,
                    $"prompt of {promptTokens} tokens + {maxTokens} output tokens exceeds the context of {_options.GgufContextSize}"));
            }

            var inference = new InferenceParams
            {
                MaxTokens = maxTokens,
                AntiPrompts = ["<|im_end|>", "<|eot_id|>", "<|end|>"],
                SamplingPipeline = new DefaultSamplingPipeline { Temperature = 0, Seed = 42 },
            };
            var output = new StringBuilder();
            var completionTokens = 0;
            await foreach (var piece in _executor.InferAsync(prompt, inference, timeout.Token).ConfigureAwait(false))
            {
                output.Append(piece);
                completionTokens++;
            }

            var text = StripStops(output.ToString());
            return ModelResult.Ok(ToolPrompt.Parse(text), new TokenUsage(promptTokens, completionTokens));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ModelResult.Failed("timeout", string.Create(CultureInfo.InvariantCulture, $"generation did not finish within {_options.Timeout.TotalSeconds:0.###} s"));
        }
        catch (Exception e) when (e is RuntimeError or LLamaDecodeError or InvalidOperationException)
        {
            return ModelResult.Failed("inference_failed", e.Message);
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose()
    {
        _weights.Dispose();
        _one.Dispose();
    }

    private string Render(ModelRequest request)
    {
        var turns = ToolPrompt.Turns(request.Messages, request.Tools);
        if (_hasTemplate)
        {
            try
            {
                var template = new LLamaTemplate(_weights) { AddAssistant = true };
                foreach (var (role, content) in turns)
                {
                    template.Add(role, content);
                }

                var rendered = Encoding.UTF8.GetString(template.Apply());
                UsesModelTemplate = true;
                return rendered;
            }
            catch (Exception e) when (e is RuntimeError or InvalidOperationException or ArgumentException)
            {
                // llama.cpp does not know this template: fall back to ChatML.
            }
        }

        UsesModelTemplate = false;
        return ToolPrompt.ChatMl(turns);
    }

    private static string StripStops(string text)
    {
        foreach (var stop in new[] { "<|im_end|>", "<|eot_id|>", "<|end|>" })
        {
            var i = text.IndexOf(stop, StringComparison.Ordinal);
            if (i >= 0)
            {
                text = text[..i];
            }
        }

        return text;
    }

    /// <summary>llama.cpp logs every tensor at load; keep warnings and errors only (never prompt text).</summary>
    private static void QuietNativeLog()
    {
        lock (LogGate)
        {
            if (_logConfigured)
            {
                return;
            }

            NativeLogConfig.llama_log_set((level, message) =>
            {
                if (level is LLamaLogLevel.Error)
                {
                    Console.Error.Write(message);
                }
            });

            _logConfigured = true;
        }
    }
}
