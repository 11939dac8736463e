using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;
using Whetstone.Configuration;
using Whetstone.Storage;
using Whetstone.Storage.Sqlite;

namespace Whetstone.Cli;

/// <summary>Per-invocation state: the home, options, console and (opened on first use) the store and services.</summary>
public sealed class CliContext : IAsyncDisposable
{
    private WhetstoneOptions? _options;
    private WhetstoneServices? _services;

    private IAnsiConsole? _console;

    private CliContext(CliEnvironment env, HomeLayout home, bool json)
    {
        Env = env;
        Home = home;
        Json = json;
    }

    public CliEnvironment Env { get; }

    public HomeLayout Home { get; }

    public bool Json { get; }

    /// <summary>The terminal, made on first use (commands that only read and write files never need it).</summary>
    public IAnsiConsole Console => _console ??= CreateConsole(Env);

    private static IAnsiConsole CreateConsole(CliEnvironment env)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(env.Out),
            Ansi = env.Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = env.Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = env.Interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!env.Interactive)
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    public TextWriter Out => Env.Out;

    public TextWriter Error => Env.Error;

    /// <summary>Progress bars only when a person watches a terminal and no JSON is asked for.</summary>
    public bool ShowProgress => Env.Interactive && !Json;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public static CliContext From(ParseResult parse, CliEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var home = parse.GetValue(CliApp.HomeOption) ?? env.Variable("WHETSTONE_HOME") ?? ".whetstone";
        return new CliContext(env, new HomeLayout(home), parse.GetValue(CliApp.JsonOption));
    }

    public WhetstoneOptions Options => _options ??= ConfigurationLoader.Bind(ConfigurationLoader.Build(Home, Env.Variables));

    public WhetstoneServices Services => _services ??= new WhetstoneServices(Home, Options, OpenStore(), Time, ModelClients(Options));

    /// <summary>The model clients of evaluation (also handed to the service by <c>serve</c>).</summary>
    internal Evaluation.IModelClientFactory ModelClients(WhetstoneOptions options) =>
        new Whetstone.Models.ModelClientFactory(options.Evaluation, options.Evaluation.ApiKey ?? Env.Variable("WHETSTONE_MODEL_API_KEY"),
            Directory.GetCurrentDirectory(), UseEmbedder);

    /// <summary>Whether answer similarity uses the MiniLM model (env <c>WHETSTONE_NO_EMBEDDINGS=1</c> falls back to
    /// token F1, for machines without the ONNX runtime).</summary>
    private bool UseEmbedder => Env.Variable("WHETSTONE_NO_EMBEDDINGS") != "1";

    private IWhetstoneStore OpenStore() => Options.Storage.Provider switch
    {
        StorageOptions.Sqlite => SqliteStore.Open(Options.Storage.ConnectionString ?? Home.Database),
        // The CLI has no synchronization context: waiting here cannot deadlock.
        StorageOptions.Postgres => Whetstone.Storage.Postgres.PostgresStore.OpenAsync(Options.Storage.ConnectionString!).GetAwaiter().GetResult(),
        var other => throw new WhetstoneException(ErrorCode.InvalidConfiguration,
            $"Whetstone:Storage:Provider '{other}' is not available in this build"),
    };

    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo) =>
        Out.WriteLine(JsonSerializer.Serialize(value, typeInfo));

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.Store.DisposeAsync();
        }
    }
}
