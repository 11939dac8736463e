using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Whetstone.Redaction;

namespace Whetstone.Configuration;

/// <summary><c>Whetstone:Redaction</c>: what happens to each kind of finding and which values are never redacted.</summary>
public sealed class RedactionOptions
{
    /// <summary>By kind (<c>email</c>, <c>github_pat</c>, …) or group (<c>secrets</c>, <c>pii</c>): <c>redact</c>
    /// (numbered placeholder, the default), <c>hash</c> (keyed-hash placeholder, stable across runs) or <c>keep</c>.</summary>
    public Dictionary<string, string> Policy { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Exact values never redacted (public example keys, the agent's own support address, …).</summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>Regular expressions; a finding whose whole text matches one is not redacted.</summary>
    public List<string> AllowPatterns { get; set; } = [];

    /// <summary>Reads and validates <c>Whetstone:Redaction</c> alone, without the reflection-based binder, so that the
    /// native build of <c>whetstone redact</c> (Native AOT, where that binder cannot see the options' properties)
    /// reads the same keys: <c>Policy:KIND</c>, <c>Allow:N</c>, <c>AllowPatterns:N</c>. Errors read as
    /// <see cref="WhetstoneOptions.ThrowIfInvalid"/>'s.</summary>
    public static RedactionOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(WhetstoneOptions.SectionName).GetSection(nameof(WhetstoneOptions.Redaction));
        var options = new RedactionOptions();
        foreach (var entry in section.GetSection(nameof(Policy)).GetChildren())
        {
            if (entry.Value is { } action)
            {
                options.Policy[entry.Key] = action;
            }
        }

        options.Allow.AddRange(Values(section.GetSection(nameof(Allow))));
        options.AllowPatterns.AddRange(Values(section.GetSection(nameof(AllowPatterns))));
        var problems = new List<string>();
        options.Validate(problems);
        WhetstoneOptions.ThrowIfAny(problems);
        return options;

        static IEnumerable<string> Values(IConfigurationSection list) =>
            list.GetChildren().Select(c => c.Value).OfType<string>();
    }

    internal void Validate(List<string> problems)
    {
        foreach (var (kind, action) in Policy)
        {
            if (kind is not ("secrets" or "pii") && !DetectorSet.AllKinds.Contains(kind))
            {
                problems.Add($"Whetstone:Redaction:Policy:{kind}: unknown kind (expected a detector kind such as email, phone, github_pat, password, or a group: secrets, pii)");
            }

            if (!TryParseAction(action, out _))
            {
                problems.Add($"Whetstone:Redaction:Policy:{kind}: '{action}' is not an action (expected redact, hash or keep)");
            }
        }

        for (var i = 0; i < Allow.Count; i++)
        {
            if (string.IsNullOrEmpty(Allow[i]))
            {
                problems.Add($"Whetstone:Redaction:Allow:{i}: must not be empty");
            }
        }

        for (var i = 0; i < AllowPatterns.Count; i++)
        {
            try
            {
                _ = new Regex(AllowPatterns[i], RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException e)
            {
                problems.Add($"Whetstone:Redaction:AllowPatterns:{i}: not a valid regular expression ({e.Message})");
            }
        }
    }

    /// <summary>The policy these options describe (call after validation).</summary>
    public RedactionPolicy ToPolicy()
    {
        var actions = new Dictionary<string, RedactionAction>(StringComparer.Ordinal);
        foreach (var (kind, action) in Policy)
        {
            if (TryParseAction(action, out var a))
            {
                actions[kind] = a;
            }
        }

        return new RedactionPolicy(actions, Allow,
            AllowPatterns.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))));
    }

    private static bool TryParseAction(string? value, out RedactionAction action)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "redact":
                action = RedactionAction.Redact;
                return true;
            case "hash":
                action = RedactionAction.Hash;
                return true;
            case "keep":
                action = RedactionAction.Keep;
                return true;
            default:
                action = RedactionAction.Redact;
                return false;
        }
    }
}
