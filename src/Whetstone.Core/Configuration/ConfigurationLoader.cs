using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Whetstone.Configuration;

/// <summary>Builds the configuration of a home: <c>&lt;home&gt;/whetstone.json</c> (created with defaults on first
/// use), then environment variables (<c>Whetstone__Section__Key</c>), then command-line overrides. The host passes
/// the environment in; Core never reads it itself.</summary>
public static class ConfigurationLoader
{
    public const string DefaultConfigJson = """
        {
          "Whetstone": {
            "Storage": { "Provider": "sqlite" },
            "Datasets": { "EvalFraction": 0.2, "ValidationFraction": 0.1, "Seed": 42, "MinExamples": 25 },
            "Admins": []
          }
        }
        """;

    public static IConfigurationRoot Build(HomeLayout home, IDictionary? environment, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(home);
        home.EnsureCreated();
        if (!File.Exists(home.ConfigFile))
        {
            AtomicFile.WriteAllText(home.ConfigFile, DefaultConfigJson + "\n", overwrite: false);
        }

        var builder = new ConfigurationBuilder();
        try
        {
            builder.AddJsonFile(home.ConfigFile, optional: false, reloadOnChange: false);
            builder.AddInMemoryCollection(FromEnvironment(environment));
            if (overrides is not null)
            {
                builder.AddInMemoryCollection(overrides);
            }

            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, $"{home.ConfigFile} is not valid JSON: {e.InnerException?.Message ?? e.Message}", inner: e);
        }
        catch (FormatException e)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, $"{home.ConfigFile}: {e.Message}", inner: e);
        }
    }

    /// <summary>Like <see cref="Build"/> but writes nothing: the home's file is read when it exists (commands such as
    /// <c>redact</c> that need configuration but no home).</summary>
    public static IConfigurationRoot BuildReadOnly(HomeLayout home, IDictionary? environment)
    {
        ArgumentNullException.ThrowIfNull(home);
        var builder = new ConfigurationBuilder();
        try
        {
            if (File.Exists(home.ConfigFile))
            {
                builder.AddJsonFile(home.ConfigFile, optional: true, reloadOnChange: false);
            }

            builder.AddInMemoryCollection(FromEnvironment(environment));
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, $"{home.ConfigFile} is not valid JSON: {e.InnerException?.Message ?? e.Message}", inner: e);
        }
        catch (FormatException e)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, $"{home.ConfigFile}: {e.Message}", inner: e);
        }
    }

    /// <summary>Binds and validates the <c>Whetstone</c> section.</summary>
    public static WhetstoneOptions Bind(IConfiguration configuration)
    {
        var options = new WhetstoneOptions();
        try
        {
            configuration.GetSection(WhetstoneOptions.SectionName).Bind(options, o => o.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException e)
        {
            // The binder's own message names the key and the type ("Failed to convert configuration value 'abc' at
            // 'Whetstone:Quality:MinScore' to type 'System.Double'."); the inner one only says the value is bad.
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, "invalid configuration: " + e.Message, inner: e);
        }

        options.ThrowIfInvalid();
        return options;
    }

    /// <summary>Environment variables named <c>Whetstone__A__B</c> become keys <c>Whetstone:A:B</c>.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> FromEnvironment(IDictionary? environment)
    {
        if (environment is null)
        {
            yield break;
        }

        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string key && key.StartsWith("Whetstone__", StringComparison.OrdinalIgnoreCase))
            {
                yield return new(key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), entry.Value as string);
            }
        }
    }
}
