using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Whetstone.Storage.Sqlite;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

/// <summary><c>whetstone serve</c> as a separate process: SIGKILL while runs are being posted loses no acknowledged
/// run, re-sending everything after a restart creates no duplicate, and SIGTERM stops it cleanly.</summary>
public sealed class ServeDurabilityTests
{
    private const string Token = "durability-capture-token-01";
    private const int Batches = 60;
    private const int BatchSize = 50;

    private sealed class ServeProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private ServeProcess(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public Uri Address { get; }

        public int Id => _process.Id;

        public static async Task<ServeProcess> StartAsync(string home)
        {
            var cli = Path.Combine(AppContext.BaseDirectory, "whetstone.dll");
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { cli, "serve", "--home", home, "--urls", "http://127.0.0.1:0" })
            {
                info.ArgumentList.Add(a);
            }

            info.Environment["WHETSTONE_CAPTURE_TOKEN"] = Token;
            info.Environment["Whetstone__Preparation__Enabled"] = "false";
            var process = Process.Start(info)!;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                var at = line.IndexOf(" on http://", StringComparison.Ordinal);
                if (line.StartsWith("whetstone: serving", StringComparison.Ordinal) && at > 0)
                {
                    return new ServeProcess(process, new Uri(line[(at + 4)..].Split(' ')[0]));
                }
            }

            throw new InvalidOperationException("whetstone serve exited before listening, code " + (process.HasExited ? process.ExitCode : -1));
        }

        public void KillHard() => _process.Kill(entireProcessTree: true); // SIGKILL

        public async Task<int> StopAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }

    private static string Run(int batch, int i) =>
        $"{{\"id\":\"dur-{batch:D3}-{i:D2}\",\"messages\":[{{\"role\":\"user\",\"content\":\"question {batch} {i}\"}},{{\"role\":\"assistant\",\"content\":\"answer {new string('x', 2000)}\"}}]}}";

    private static string Body(int batch) =>
        "{\"trajectories\":[" + string.Join(",", Enumerable.Range(0, BatchSize).Select(i => Run(batch, i))) + "]}";

    private static HttpClient Client(Uri address)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    /// <summary>Posts every batch with 4 senders; returns the ids of acknowledged batches. <paramref name="afterAcks"/>
    /// runs once when that many batches were acknowledged.</summary>
    private static async Task<ConcurrentBag<string>> PostAllAsync(Uri address, int afterAcks = int.MaxValue, Action? then = null)
    {
        using var client = Client(address);
        var acked = new ConcurrentBag<string>();
        var next = -1;
        var ackedBatches = 0;
        var fired = 0;
        async Task Sender()
        {
            int b;
            while ((b = Interlocked.Increment(ref next)) < Batches)
            {
                try
                {
                    using var response = await client.PostAsync("/v1/trajectories", new StringContent(Body(b), Encoding.UTF8, "application/json"));
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        foreach (var i in Enumerable.Range(0, BatchSize))
                        {
                            acked.Add($"dur-{b:D3}-{i:D2}");
                        }

                        if (Interlocked.Increment(ref ackedBatches) >= afterAcks && Interlocked.Exchange(ref fired, 1) == 0)
                        {
                            then?.Invoke();
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    // The server died under this request: not acknowledged.
                }
                catch (TaskCanceledException)
                {
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Sender()));
        return acked;
    }

    [Fact]
    public async Task Serve_KilledWithSigkillWhilePosting_LosesNoAcknowledgedRunAndResendingDuplicatesNothing()
    {
        using var home = new TempDir();
        ConcurrentBag<string> acked;
        await using (var first = await ServeProcess.StartAsync(home.Path))
        {
            acked = await PostAllAsync(first.Address, afterAcks: 8, then: first.KillHard);
        }

        Assert.NotEmpty(acked);
        Assert.True(acked.Count < Batches * BatchSize, "the kill came after every batch was acknowledged; nothing was tested");

        await using var second = await ServeProcess.StartAsync(home.Path);
        var stored = await StoredIdsAsync(home.Path);
        var missing = acked.Where(id => !stored.Contains(id)).ToList();
        Assert.Empty(missing);

        var resent = await PostAllAsync(second.Address);
        Assert.Equal(Batches * BatchSize, resent.Count);
        var exitCode = await second.StopAsync();
        Assert.Equal(0, exitCode);

        await using var store = SqliteStore.Open(Path.Combine(home.Path, "whetstone.db"));
        var counts = await store.Trajectories.CountAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Batches * BatchSize, counts.Total);
    }

    /// <summary>The stored ids, read from the home's SQLite file (WAL: a second process may read while the server
    /// writes).</summary>
    private static async Task<HashSet<string>> StoredIdsAsync(string home)
    {
        await using var store = SqliteStore.Open(Path.Combine(home, "whetstone.db"));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var raw in store.Trajectories.StreamRawAsync())
        {
            ids.Add(raw.Id);
        }

        return ids;
    }
}
