using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Whetstone.Redaction;

/// <summary>What to do with a finding of one kind.</summary>
public enum RedactionAction
{
    /// <summary>Replace with a numbered placeholder, consistent within one trajectory (<c>&lt;EMAIL_1&gt;</c>).</summary>
    Redact,

    /// <summary>Replace with a keyed-hash placeholder, the same in every trajectory (<c>&lt;EMAIL_h:1a2b3c4d&gt;</c>).</summary>
    Hash,

    /// <summary>Leave the value as it is.</summary>
    Keep,
}

/// <summary>Per-kind actions and the allowlist: values (or patterns) that are never redacted.</summary>
public sealed class RedactionPolicy
{
    public static readonly RedactionPolicy Default = new(new Dictionary<string, RedactionAction>(), [], []);

    private readonly FrozenDictionary<string, RedactionAction> _actions;
    private readonly FrozenSet<string> _allow;
    private readonly Regex[] _allowPatterns;

    /// <param name="actions">By kind, or by the group names <c>secrets</c> and <c>pii</c>.</param>
    public RedactionPolicy(IReadOnlyDictionary<string, RedactionAction> actions, IEnumerable<string> allow, IEnumerable<Regex> allowPatterns)
    {
        _actions = actions.ToFrozenDictionary(StringComparer.Ordinal);
        _allow = allow.ToFrozenSet(StringComparer.Ordinal);
        _allowPatterns = allowPatterns.ToArray();
        IsDefault = _actions.Count == 0 && _allow.Count == 0 && _allowPatterns.Length == 0;
    }

    public bool IsDefault { get; }

    public RedactionAction ActionFor(string kind) =>
        _actions.TryGetValue(kind, out var a) ? a
        : _actions.TryGetValue(DetectorSet.IsPii(kind) ? "pii" : "secrets", out var g) ? g
        : RedactionAction.Redact;

    public bool IsAllowed(ReadOnlySpan<char> value)
    {
        if (_allow.Count > 0 && _allow.GetAlternateLookup<ReadOnlySpan<char>>().Contains(value))
        {
            return true;
        }

        foreach (var p in _allowPatterns)
        {
            foreach (var m in p.EnumerateMatches(value))
            {
                if (m.Index == 0 && m.Length == value.Length)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
