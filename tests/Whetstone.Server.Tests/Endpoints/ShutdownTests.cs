using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Whetstone.Server.Tests.Endpoints;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Stop_WithARequestInFlight_FinishesAndStoresItFirst()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await RunningServer.StartAsync(configure: b => b.Services.AddSingleton<IStartupFilter>(new Signal(arrived)));
        var body = Encoding.UTF8.GetBytes(Http.OpenAiRun("in-flight"));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        var head = $"POST /v1/trajectories HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {RunningServer.CaptureToken}\r\n" +
                   $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), TestContext.Current.CancellationToken);
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2), TestContext.Current.CancellationToken);
        await stream.FlushAsync(TestContext.Current.CancellationToken);
        await arrived.Task.WaitAsync(TestContext.Current.CancellationToken);

        var stopping = server.App.StopAsync(TestContext.Current.CancellationToken);
        await Task.Yield();
        Assert.False(stopping.IsCompleted);
        await stream.WriteAsync(body.AsMemory(body.Length / 2), TestContext.Current.CancellationToken);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
        await stopping;

        var response = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 202", response, StringComparison.Ordinal);
        Assert.NotNull(await server.Services.Store.Trajectories.GetAsync("in-flight", TestContext.Current.CancellationToken));
        Assert.False(stopping.IsFaulted);
        Assert.Equal(HttpStatusCode.Accepted, (HttpStatusCode)int.Parse(response.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Signals when a request has reached the pipeline (its headers were read).</summary>
    private sealed class Signal(TaskCompletionSource arrived) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                arrived.TrySetResult();
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
