using System.Net;
using System.Text.Json;

namespace Whetstone.Capture.Tests;

/// <summary>Fails the first <paramref name="failures"/> requests (alternating 503 and a refused connection), then
/// passes requests on to the real server; records the run ids of every body it saw.</summary>
internal sealed class FlakyHandler(int failures) : DelegatingHandler(new SocketsHttpHandler())
{
    private int _seen;

    public List<string> SentIds { get; } = [];

    public int Attempts => _seen;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _seen);
        if (n <= failures)
        {
            if (n % 2 == 0)
            {
                throw new HttpRequestException("Connection refused (simulated)");
            }

            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        }

        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        using (var doc = JsonDocument.Parse(body))
        {
            lock (SentIds)
            {
                SentIds.AddRange(doc.RootElement.GetProperty("trajectories").EnumerateArray().Select(t => t.GetProperty("id").GetString()!));
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>A sidecar that is down: every request fails to connect.</summary>
internal sealed class DownHandler : HttpMessageHandler
{
    public int Attempts;

    /// <summary>Completes when the first attempt has been made.</summary>
    public TaskCompletionSource FirstAttempt { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Attempts);
        FirstAttempt.TrySetResult();
        throw new HttpRequestException("Connection refused (simulated)");
    }
}
