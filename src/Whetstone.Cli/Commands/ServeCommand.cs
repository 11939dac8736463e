using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Whetstone.Server;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone serve [--urls URL]</c>: runs the sidecar service on this home until SIGINT/SIGTERM, then
/// drains in-flight requests (up to <c>Whetstone:Server:ShutdownSeconds</c>).</summary>
internal static class ServeCommand
{
    public const string Name = "serve";

    public static Command Create(CliEnvironment env)
    {
        var urls = new Option<string>("--urls")
        {
            Description = $"Addresses to listen on, ';'-separated (default {WhetstoneServer.DefaultUrls}; port 0 picks a free port)",
            DefaultValueFactory = _ => WhetstoneServer.DefaultUrls,
        };
        var command = new Command(Name, "Run the sidecar service: capture API, OTLP receiver, reads, admin operations") { urls };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var app = WhetstoneServer.Build(new ServerSettings
            {
                Home = ctx.Home.Root,
                Urls = parse.GetValue(urls),
                Environment = env.Variables,
                Time = ctx.Time,
                ModelClients = ctx.ModelClients,
            });
            await using (app)
            {
                try
                {
                    await app.StartAsync(ct);
                }
                catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
                {
                    // Kestrel's message names the address ("Failed to bind to address …: address already in use").
                    throw new WhetstoneException(ErrorCode.Conflict, e.Message + " Stop the other process or pass --urls.", "address_in_use");
                }

                await ctx.Out.WriteLineAsync($"whetstone: serving {ctx.Home.Root} on {string.Join(" ", app.Urls)}");
                await ctx.Out.FlushAsync(ct);
                // The host owns SIGINT/SIGTERM: it stops accepting, finishes in-flight requests, then returns here.
                await app.WaitForShutdownAsync(ct);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
