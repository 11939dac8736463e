using System.Collections;

namespace Whetstone.Server;

/// <summary>The standalone entry point: parses <c>--home</c> and <c>--urls</c>, builds the server and runs it until
/// SIGINT/SIGTERM, then drains in-flight requests.</summary>
public static class ServerProgram
{
    public static async Task<int> RunAsync(string[] args, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? home = null, urls = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--home" when i + 1 < args.Length:
                    home = args[++i];
                    break;
                case "--urls" when i + 1 < args.Length:
                    urls = args[++i];
                    break;
            }
        }

        try
        {
            var app = WhetstoneServer.Build(new ServerSettings
            {
                Home = home ?? environment["WHETSTONE_HOME"] as string ?? ".whetstone",
                Urls = urls,
                Environment = environment,
            });
            await using (app)
            {
                await app.RunAsync();
            }

            return 0;
        }
        catch (WhetstoneException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            return e.Code is ErrorCode.BadInput or ErrorCode.InvalidConfiguration ? 2 : 1;
        }
    }
}
