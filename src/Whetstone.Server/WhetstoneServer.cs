using System.Collections;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Whetstone.Configuration;
using Whetstone.Server.Auth;
using Whetstone.Server.Endpoints;
using Whetstone.Server.Ingest;
using Whetstone.Server.Otlp;
using Whetstone.Server.Preparation;
using Whetstone.Storage;
using Whetstone.Storage.Sqlite;

namespace Whetstone.Server;

/// <summary>What a host gives the server: the home, where to listen, the process environment (for
/// <c>Whetstone__…</c> keys and the token variables) and optional configuration overrides.</summary>
public sealed record ServerSettings
{
    public required string Home { get; init; }

    /// <summary>Listen addresses (default <see cref="WhetstoneServer.DefaultUrls"/>); port 0 picks a free port.</summary>
    public string? Urls { get; init; }

    public IDictionary Environment { get; init; } = new Hashtable();

    public IEnumerable<KeyValuePair<string, string?>>? Overrides { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Model clients for evaluation (the CLI's <c>serve</c> passes the same factory as its commands); null:
    /// Core's default.</summary>
    public Func<WhetstoneOptions, Evaluation.IModelClientFactory>? ModelClients { get; init; }
}

/// <summary>Builds the Whetstone service: validated options, the store and Core services of one home, bearer-token
/// scopes, the endpoints of <c>Endpoints/</c>, ProblemDetails errors, OpenAPI, the background preparation policy and
/// a graceful shutdown that drains in-flight requests. Used by <c>whetstone serve</c>, the standalone
/// <c>Program.cs</c> and the tests.</summary>
public static class WhetstoneServer
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public static WebApplication Build(ServerSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var home = new HomeLayout(settings.Home);
        var configuration = ConfigurationLoader.Build(home, settings.Environment, settings.Overrides);
        var options = ConfigurationLoader.Bind(configuration);
        var tokens = TokenAuthenticator.Create(options.Auth, settings.Environment);
        var store = OpenStore(home, options);
        var services = new WhetstoneServices(home, options, store, settings.Time, settings.ModelClients?.Invoke(options));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(WhetstoneServer).Assembly.GetName().Name,
            // Not the home: the default configuration watches its content root for changes, and the home sees a
            // write of the SQLite WAL for every commit.
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.WebHost.UseUrls(settings.Urls ?? DefaultUrls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.Server.MaxRequestBytes;
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(options.Server.ShutdownSeconds));
        // Logs go to stderr: stdout stays for what the host prints (whetstone serve prints where it listens).
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

        var s = builder.Services;
        s.AddSingleton(home);
        s.AddSingleton(options);
        s.AddSingleton(settings.Time);
        s.AddSingleton(services);
        s.AddSingleton(tokens);
        s.AddSingleton(new RunBatchReader(options.Server));
        s.AddSingleton<RunIngestor>();
        s.AddSingleton<TraceIngestor>();
        s.AddSingleton<PreparationState>();
        s.AddSingleton<LaunchRunner>();
        s.AddHostedService(sp => sp.GetRequiredService<LaunchRunner>());
        s.AddSingleton<PreparationService>();
        s.AddHostedService(sp => sp.GetRequiredService<PreparationService>());
        s.AddProblemDetails();
        s.AddExceptionHandler<ProblemExceptionHandler>();
        s.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        s.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        s.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Whetstone";
            document.Info.Description = "Capture API (runs, feedback, OTLP traces), reads and admin operations of a Whetstone home. "
                + "Every endpoint but /health and /openapi needs 'Authorization: Bearer TOKEN' with the scope it names.";
            return Task.CompletedTask;
        }));

        configure?.Invoke(builder);
        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(() => store.DisposeAsync().AsTask().GetAwaiter().GetResult());

        app.UseExceptionHandler();
        app.UseStatusCodePages(); // empty 404/405/415 answers of routing get a ProblemDetails body too
        app.UseRouting();
        app.UseMiddleware<ScopeAuthorization>();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymousCaller();
        StatusEndpoints.Map(app);
        TrajectoryEndpoints.Map(app);
        TraceEndpoints.Map(app);
        SnapshotEndpoints.Map(app);
        JobEndpoints.Map(app);
        RegistryEndpoints.Map(app);
        ConsoleEndpoints.Map(app);
        return app;
    }

    /// <summary>snake_case keys, nulls left out, enums as their JSON names, placeholders like &lt;EMAIL_1&gt; kept
    /// readable — the same conventions as every file Whetstone writes.</summary>
    internal static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DictionaryKeyPolicy = null;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        o.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    private static IWhetstoneStore OpenStore(HomeLayout home, WhetstoneOptions options) => options.Storage.Provider switch
    {
        StorageOptions.Sqlite => SqliteStore.Open(options.Storage.ConnectionString ?? home.Database),
        // Start-up, before the host runs: no synchronization context to deadlock on.
        StorageOptions.Postgres => Storage.Postgres.PostgresStore.OpenAsync(options.Storage.ConnectionString!).GetAwaiter().GetResult(),
        var other => throw new WhetstoneException(ErrorCode.InvalidConfiguration,
            $"Whetstone:Storage:Provider '{other}' is not available in this build"),
    };
}
