using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Whetstone.Capture.Chat;

/// <summary>Records what goes through an <see cref="IChatClient"/> into the current <see cref="CaptureRun"/> (begun
/// with <see cref="WhetstoneCaptureClient.BeginRun"/>): input messages, responses, tool calls and their results.
/// Place it before <c>UseFunctionInvocation()</c> to see each user turn with its whole tool loop, or after it to see
/// every model round trip; both give the same transcript. Calls made outside a run are not recorded. Recording never
/// throws into the agent.</summary>
public sealed class WhetstoneCaptureChatClient(IChatClient innerClient, WhetstoneCaptureClient? unscoped = null)
    : DelegatingChatClient(innerClient)
{
    private ChatClientMetadata? _metadata;

    /// <summary>A call made outside any run: recorded as a run of its own (outcome unknown) when the middleware was
    /// given a client for that, else not recorded.</summary>
    private CaptureRun? RunFor(out bool own)
    {
        own = false;
        if (CaptureRun.Current is { } current)
        {
            return current;
        }

        if (unscoped is null)
        {
            return null;
        }

        own = true;
        return unscoped.BeginRun();
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var run = RunFor(out var own);
        if (run is null)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var input = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
            var response = await base.GetResponseAsync(input, options, cancellationToken).ConfigureAwait(false);
            SafeRecord(run, input, options, response);
            return response;
        }
        finally
        {
            if (own)
            {
                run.Dispose();
            }
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var run = RunFor(out var own);
        var input = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var updates = run is null ? null : new List<ChatResponseUpdate>();
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(input, options, cancellationToken).ConfigureAwait(false))
            {
                updates?.Add(update);
                yield return update;
            }

            if (run is not null)
            {
                SafeRecord(run, input, options, updates!.ToChatResponse());
            }
        }
        finally
        {
            if (own)
            {
                run!.Dispose();
            }
        }
    }

    private void SafeRecord(CaptureRun run, IReadOnlyList<ChatMessage> input, ChatOptions? options, ChatResponse response)
    {
        try
        {
            _metadata ??= InnerClient.GetService<ChatClientMetadata>();
            run.Record(input, options, response, _metadata);
        }
#pragma warning disable CA1031 // capture must never break the agent
        catch (Exception)
#pragma warning restore CA1031
        {
            // Nothing of the agent's call depends on the recording.
        }
    }
}

/// <summary><c>builder.UseWhetstoneCapture(capture)</c>.</summary>
public static class WhetstoneCaptureChatClientBuilderExtensions
{
    /// <summary>Records chat calls into the current <see cref="CaptureRun"/>. With <paramref name="recordCallsOutsideRuns"/>,
    /// a call made outside any run is sent through <paramref name="client"/> as a run of its own (outcome unknown).</summary>
    public static ChatClientBuilder UseWhetstoneCapture(this ChatClientBuilder builder, WhetstoneCaptureClient? client = null,
        bool recordCallsOutsideRuns = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (recordCallsOutsideRuns && client is null)
        {
            throw new ArgumentException("recording calls outside runs needs the client to send them with", nameof(client));
        }

        return builder.Use(inner => new WhetstoneCaptureChatClient(inner, recordCallsOutsideRuns ? client : null));
    }
}
