using System.Collections.Concurrent;

namespace Whetstone.Server.Preparation;

/// <summary>Runs trainer launches in the background (a real launch can take hours; the HTTP request answers 202),
/// one at a time per job. At shutdown running trainers are stopped and recorded as cancelled, and shutdown waits for
/// those records.</summary>
internal sealed partial class LaunchRunner(WhetstoneServices services, ILogger<LaunchRunner> logger) : IHostedService
{
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public void Start(string jobId, string actor)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = started.Task.ContinueWith(_ => RunAsync(jobId, actor), TaskScheduler.Default).Unwrap();
        if (!_running.TryAdd(jobId, task))
        {
            throw new WhetstoneException(ErrorCode.Conflict, $"job {jobId} is being launched already", "launch_running");
        }

        started.SetResult();
    }

    public bool IsRunning(string jobId) => _running.ContainsKey(jobId);

    /// <summary>Completes when no launch is running.</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_running.Values.ToArray());

    private async Task RunAsync(string jobId, string actor)
    {
        try
        {
            var record = await services.Launcher.LaunchAsync(jobId, dryRun: false, actor, _stopping.Token);
            await services.Artifacts.WriteLaunchesAsync(CancellationToken.None);
            LogLaunched(logger, jobId, record.Sequence, record.Status.ToString(), record.ExitCode);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(logger, jobId, e.Message);
        }
        finally
        {
            _running.TryRemove(jobId, out _);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await WhenIdleAsync().WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId}: launch {Sequence} {Status} (exit code {ExitCode})")]
    private static partial void LogLaunched(ILogger logger, string jobId, long sequence, string status, int? exitCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "job {JobId}: launch failed: {Message}")]
    private static partial void LogFailed(ILogger logger, string jobId, string message);
}
