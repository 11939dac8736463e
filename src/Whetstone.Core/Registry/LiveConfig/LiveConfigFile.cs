using Whetstone.Configuration;

namespace Whetstone.Registry.LiveConfig;

/// <summary>The agent's live config file (<c>Whetstone:LiveConfig:Path</c>, JSON or YAML): Whetstone rewrites only
/// the configured keys — provider, model, endpoint — and leaves every other byte as it was; each write is atomic.</summary>
public sealed class LiveConfigFile
{
    private readonly LiveConfigOptions _options;
    private readonly ILiveConfigFormat? _format;

    public LiveConfigFile(LiveConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        if (!string.IsNullOrWhiteSpace(options.Path))
        {
            _format = FormatOf(options);
        }
    }

    public bool Configured => _format is not null;

    public string? Path => _options.Path;

    private static ILiveConfigFormat FormatOf(LiveConfigOptions o)
    {
        var format = o.Format == "auto"
            ? System.IO.Path.GetExtension(o.Path!).ToLowerInvariant() switch
            {
                ".yaml" or ".yml" => "yaml",
                _ => "json",
            }
            : o.Format;
        return format == "yaml" ? new YamlConfigFormat() : new JsonConfigFormat();
    }

    /// <summary>Every configured key with its current text and the text that names <paramref name="candidate"/>
    /// (unchanged keys included, so a later <c>rollback --to</c> can restore the whole state).</summary>
    public IReadOnlyList<ConfigChange> PlanFor(Candidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (_format is null)
        {
            return [];
        }

        var content = Read();
        var wanted = new List<(string Key, string? Value)>
        {
            (_options.ProviderKey, candidate.Provider),
            (_options.ModelKey, candidate.Model),
            (_options.EndpointKey, candidate.Endpoint),
        };
        var changes = new List<ConfigChange>();
        foreach (var (key, value) in wanted)
        {
            if (string.IsNullOrWhiteSpace(key) || value is null)
            {
                continue;
            }

            changes.Add(new ConfigChange(key, _format.Get(content, key), _format.Quote(value)));
        }

        return changes;
    }

    /// <summary>The key edits that put each key back to the given raw text (null: absent), unchanged keys included.</summary>
    public IReadOnlyList<ConfigChange> PlanRestore(IEnumerable<(string Key, string? Raw)> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (_format is null)
        {
            return [];
        }

        var content = Read();
        return targets
            .Select(t => new ConfigChange(t.Key, _format.Get(content, t.Key), t.Raw))
            .ToList();
    }

    /// <summary>Writes each change's <c>After</c> (idempotent: applying twice gives the same file).</summary>
    public void Apply(IReadOnlyList<ConfigChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (_format is null || changes.Count == 0)
        {
            return;
        }

        var content = Read();
        var before = content;
        foreach (var c in changes)
        {
            if (_format.Get(content, c.Key) != c.After)
            {
                content = _format.Set(content, c.Key, c.After);
            }
        }

        if (content == before)
        {
            return;
        }

        _format.Validate(content, _options.Path!);
        AtomicFile.WriteAllText(_options.Path!, content);
    }

    private string Read()
    {
        if (!File.Exists(_options.Path))
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration,
                $"the live config file {_options.Path} (Whetstone:LiveConfig:Path) does not exist");
        }

        var content = File.ReadAllText(_options.Path!);
        _format!.Validate(content, _options.Path!);
        return content;
    }

    /// <summary>A readable diff of the changes.</summary>
    public static IEnumerable<string> Diff(IReadOnlyList<ConfigChange> changes) =>
        changes.Where(c => c.Before != c.After).SelectMany(c => new[] { $"- {c.Key}: {c.Before ?? "(absent)"}", $"+ {c.Key}: {c.After ?? "(absent)"}" });
}
