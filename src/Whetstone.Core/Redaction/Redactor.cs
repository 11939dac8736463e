using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Whetstone.Trajectories;

namespace Whetstone.Redaction;

/// <summary>Applies a detector set to every text-bearing field of a trajectory: task, message content and
/// reasoning, participant names, tool-call arguments and tool results (JSON-aware: values are redacted, keys and
/// structure kept, and a key that names a secret redacts its whole value), outcome notes and feedback, metadata.
/// Identifiers that group runs (session id, user and sender ids in metadata) are replaced by a keyed hash so
/// grouping still works without exposing them. Placeholders are consistent within one trajectory.</summary>
public sealed partial class Redactor : ITrajectoryRedactor
{
    public const string Version = "1";

    private readonly IReadOnlyList<IDetector> _detectors;
    private readonly byte[] _idKey;

    /// <param name="detectors">Detectors in priority order (earlier wins a tie between equal spans).</param>
    /// <param name="idKey">Secret key for the keyed hash of identifiers (per home).</param>
    public Redactor(IReadOnlyList<IDetector> detectors, byte[] idKey)
    {
        ArgumentNullException.ThrowIfNull(idKey);
        if (idKey.Length < 16)
        {
            throw new ArgumentException("the identifier key must be at least 16 bytes", nameof(idKey));
        }

        _detectors = detectors;
        _idKey = idKey;
    }

    /// <summary>Keys whose value is a secret whatever its shape.</summary>
    [GeneratedRegex(@"(?i)^(?:.*[_\-.])?(?:pass(?:word|wd|phrase)?|pwd|secret|client[_\-]?secret|token|(?:access|refresh|id|auth|session|bearer|api)[_\-]?token|api[_\-]?key|apikey|private[_\-]?key|secret[_\-]?key|access[_\-]?key|credentials?|auth(?:orization)?|cookie|x[_\-]api[_\-]key)$", RegexOptions.CultureInvariant)]
    internal static partial Regex SecretKeyName();

    /// <summary>Keys whose value identifies a person or conversation: replaced by a keyed hash.</summary>
    [GeneratedRegex(@"(?i)^(?:.*[_\-.])?(?:user|sender|source|chat|customer|account|member|author|recipient|from|to|owner|client|session|conversation|thread|device)[_\-]?(?:id|ids|key|scope[_\-]?id)$|^(?:session[_\-]?scope[_\-]?id|user|username|user[_\-]?name)$", RegexOptions.CultureInvariant)]
    internal static partial Regex IdentifierKeyName();

    public RedactedTrajectory Redact(Trajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var scope = new Scope(this);
        var messages = new Message[trajectory.Messages.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            var m = trajectory.Messages[i];
            messages[i] = m with
            {
                Content = m.Role == Role.Tool ? scope.TextOrJson(m.Content) : scope.Text(m.Content),
                Reasoning = scope.Text(m.Reasoning),
                Name = m.Role == Role.Tool ? m.Name : scope.Text(m.Name),
                ToolCalls = m.ToolCalls?.Select(c => c with
                {
                    Arguments = c.Arguments is { } a ? scope.Json(a) : null,
                    RawArguments = scope.Text(c.RawArguments),
                }).ToArray(),
            };
        }

        var outcome = trajectory.Outcome;
        var redacted = trajectory with
        {
            Task = scope.Text(trajectory.Task),
            SessionId = scope.Identifier(trajectory.SessionId),
            Messages = messages,
            Outcome = outcome with
            {
                Notes = scope.Text(outcome.Notes),
                Feedback = outcome.Feedback.Select(f => f with { Comment = scope.Text(f.Comment), From = scope.Identifier(f.From) }).ToArray(),
            },
            Metadata = trajectory.Metadata is null ? null : scope.Metadata(trajectory.Metadata),
        };
        return new RedactedTrajectory(redacted, scope.Report());
    }

    /// <summary>Redacts one text on its own (the <c>redact</c> command): findings are offsets into the input.</summary>
    public (string Redacted, IReadOnlyList<Finding> Findings) RedactText(string text)
    {
        var scope = new Scope(this);
        var findings = Find(text);
        return (scope.Replace(text, findings), findings);
    }

    /// <summary>All findings in <paramref name="text"/>, merged: sorted, non-overlapping, placeholders excluded.</summary>
    public IReadOnlyList<Finding> Find(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var raw = new List<Finding>();
        foreach (var d in _detectors)
        {
            d.Detect(text, raw);
        }

        return Merge(raw, text);
    }

    /// <summary>Sorts by start; of overlapping findings keeps the union span with the kind of the longest one, so a
    /// secret is always masked whole. Spans inside an existing placeholder are dropped (idempotence).</summary>
    internal static List<Finding> Merge(List<Finding> raw, string text)
    {
        if (raw.Count == 0)
        {
            return raw;
        }

        var placeholders = PlaceholderPattern().Matches(text);
        var ordered = raw
            .Where(f => f.Start >= 0 && f.End <= text.Length && f.End > f.Start && !InsidePlaceholder(f, placeholders))
            .Select((f, order) => (f, order))
            .OrderBy(x => x.f.Start).ThenByDescending(x => x.f.Length).ThenBy(x => x.order)
            .Select(x => x.f)
            .ToList();
        var merged = new List<Finding>(ordered.Count);
        foreach (var f in ordered)
        {
            if (merged.Count > 0 && f.Start < merged[^1].End)
            {
                var last = merged[^1];
                var kind = f.Length > last.Length ? f.Kind : last.Kind;
                merged[^1] = new Finding(last.Start, Math.Max(last.End, f.End), kind);
                continue;
            }

            merged.Add(f);
        }

        return merged;
    }

    private static bool InsidePlaceholder(Finding f, MatchCollection placeholders)
    {
        foreach (Match p in placeholders)
        {
            if (f.Start >= p.Index && f.End <= p.Index + p.Length)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What a placeholder looks like: <c>&lt;EMAIL_1&gt;</c>, <c>&lt;SECRET_3&gt;</c>,
    /// <c>&lt;PHONE_h:0a1b2c3d&gt;</c>.</summary>
    [GeneratedRegex(@"<[A-Z][A-Z0-9_]*_(?:\d+|h:[0-9a-f]{8,})>", RegexOptions.CultureInvariant)]
    public static partial Regex PlaceholderPattern();

    internal string KeyedHash(string value) =>
        "h:" + Convert.ToHexStringLower(HMACSHA256.HashData(_idKey, Encoding.UTF8.GetBytes(value)))[..16];

    /// <summary>Per-trajectory state: the placeholder for each (kind, value) and the counts.</summary>
    private sealed class Scope(Redactor owner)
    {
        private readonly Dictionary<(string Kind, string Value), string> _placeholders = [];
        private readonly Dictionary<string, int> _next = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

        public RedactionReport Report() => new()
        {
            Counts = new SortedDictionary<string, int>(_counts, StringComparer.Ordinal),
            Total = _counts.Values.Sum(),
            DetectorVersion = Version,
        };

        public string? Text(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            var findings = owner.Find(text);
            return findings.Count == 0 ? text : Replace(text, findings);
        }

        /// <summary>Tool results: JSON-aware when the text is a JSON object or array.</summary>
        public string? TextOrJson(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            var first = text.AsSpan().TrimStart();
            if (first.Length > 0 && (first[0] == '{' || first[0] == '['))
            {
                try
                {
                    using var doc = JsonDocument.Parse(text);
                    var before = _counts.Values.Sum();
                    var rewritten = Json(doc.RootElement);
                    return _counts.Values.Sum() == before ? text : rewritten.GetRawText();
                }
                catch (JsonException)
                {
                    // Not JSON after all: plain text rules apply.
                }
            }

            return Text(text);
        }

        public string Replace(string text, IReadOnlyList<Finding> findings)
        {
            var sb = new StringBuilder(text.Length);
            var at = 0;
            foreach (var f in findings)
            {
                sb.Append(text, at, f.Start - at);
                sb.Append(Placeholder(f.Kind, text[f.Start..f.End]));
                at = f.End;
            }

            sb.Append(text, at, text.Length - at);
            return sb.ToString();
        }

        public string Placeholder(string kind, string value)
        {
            _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
            if (_placeholders.TryGetValue((kind, value), out var existing))
            {
                return existing;
            }

            var n = _next.GetValueOrDefault(kind) + 1;
            _next[kind] = n;
            var placeholder = "<" + kind.ToUpperInvariant() + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ">";
            _placeholders[(kind, value)] = placeholder;
            return placeholder;
        }

        public string? Identifier(string? id)
        {
            if (string.IsNullOrEmpty(id) || id.StartsWith("h:", StringComparison.Ordinal))
            {
                return id;
            }

            _counts["identifier"] = _counts.GetValueOrDefault("identifier") + 1;
            return owner.KeyedHash(id);
        }

        public Dictionary<string, JsonElement> Metadata(IReadOnlyDictionary<string, JsonElement> metadata)
        {
            var result = new Dictionary<string, JsonElement>(metadata.Count, StringComparer.Ordinal);
            foreach (var (key, value) in metadata)
            {
                result[key] = Value(key, value);
            }

            return result;
        }

        /// <summary>JSON-aware redaction; returns the element itself when nothing in it is sensitive.</summary>
        public JsonElement Json(JsonElement element) => Rewrite(null, element);

        private JsonElement Value(string key, JsonElement value) => Rewrite(key, value);

        private JsonElement Rewrite(string? key, JsonElement element)
        {
            var buffer = new ArrayBufferWriter<byte>();
            bool changed;
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                changed = Write(writer, key, element);
            }

            if (!changed)
            {
                return element;
            }

            using var doc = JsonDocument.Parse(buffer.WrittenMemory);
            return doc.RootElement.Clone();
        }

        /// <summary>Writes the redacted form of <paramref name="e"/>; returns whether anything differs.</summary>
        private bool Write(Utf8JsonWriter w, string? key, JsonElement e)
        {
            if (key is not null && e.ValueKind is not (JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False))
            {
                if (SecretKeyName().IsMatch(key) && !IsEmptyOrPlaceholder(e))
                {
                    var kind = key.Contains("pass", StringComparison.OrdinalIgnoreCase) || key.Contains("pwd", StringComparison.OrdinalIgnoreCase)
                        ? "password" : "secret";
                    w.WriteStringValue(Placeholder(kind, e.GetRawText()));
                    return true;
                }

                if (IdentifierKeyName().IsMatch(key) && e.ValueKind is JsonValueKind.String or JsonValueKind.Number &&
                    !(e.ValueKind == JsonValueKind.String && e.GetString()!.StartsWith("h:", StringComparison.Ordinal)))
                {
                    w.WriteStringValue(Identifier(e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()));
                    return true;
                }
            }

            var changed = false;
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    w.WriteStartObject();
                    foreach (var p in e.EnumerateObject())
                    {
                        w.WritePropertyName(p.Name);
                        changed |= Write(w, p.Name, p.Value);
                    }

                    w.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    w.WriteStartArray();
                    foreach (var item in e.EnumerateArray())
                    {
                        changed |= Write(w, key, item);
                    }

                    w.WriteEndArray();
                    break;
                case JsonValueKind.String:
                    var text = e.GetString();
                    var redacted = Text(text);
                    w.WriteStringValue(redacted);
                    changed = !ReferenceEquals(text, redacted) && text != redacted;
                    break;
                default:
                    e.WriteTo(w);
                    break;
            }

            return changed;
        }

        private static bool IsEmptyOrPlaceholder(JsonElement e) =>
            e.ValueKind == JsonValueKind.String &&
            (string.IsNullOrEmpty(e.GetString()) || PlaceholderPattern().IsMatch(e.GetString()!) && PlaceholderPattern().Match(e.GetString()!).Length == e.GetString()!.Length);
    }
}
