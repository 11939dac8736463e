using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Whetstone.Redaction.Detectors;
using Whetstone.Trajectories;

namespace Whetstone.Redaction;

/// <summary>Applies a detector set to every text-bearing field of a trajectory: task, message content and
/// reasoning, participant names, tool-call arguments and tool results (JSON-aware: values are redacted, keys and
/// structure kept, and a key that names a secret redacts its whole value), outcome notes and feedback, metadata.
/// Identifiers that group runs (session id, user and sender ids, usernames) are replaced by a keyed hash so grouping
/// still works without exposing them. Placeholders are consistent within one trajectory.
/// <para>Two passes: the first learns the run's sensitive values (from keys that name them, from detector findings
/// and from the conversation — a value the user gives right after the assistant asks for a password or code); the
/// second replaces every occurrence of them in every field, so a password typed bare in one message is gone
/// wherever it appears.</para></summary>
public sealed partial class Redactor : ITrajectoryRedactor
{
    public const string Version = DetectorSet.Version;

    /// <summary>The kind whose values are replaced by a bare keyed hash (<c>h:…</c>), not a placeholder.</summary>
    public const string IdentifierKind = "identifier";

    /// <summary>At most this many distinct JSON keys are remembered with what they say (<see cref="KeyInfo"/>);
    /// keys past that are classified each time.</summary>
    private const int MaxCachedKeys = 4096;

    /// <summary>The detectors, copied into an array: <see cref="Find"/> walks them for every text, and enumerating an
    /// <see cref="IReadOnlyList{T}"/> costs an enumerator and two interface calls per detector — on the short texts
    /// of a <c>redact</c> input that showed up among the dispatch stubs of a profile.</summary>
    private readonly IDetector[] _detectors;
    private readonly Lazy<byte[]> _idKey;
    private readonly RedactionPolicy _policy;

    /// <summary>What each JSON key seen so far says about its value, so a key's patterns run once per redactor, not
    /// twice per occurrence. Thread-safe: one redactor serves every ingest thread.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, KeyInfo> _keys = new(StringComparer.Ordinal);

    /// <param name="detectors">Detectors in priority order (earlier wins a tie between equal spans).</param>
    /// <param name="idKey">Secret key for the keyed hash of identifiers (per home).</param>
    /// <param name="policy">Per-kind actions and allowlist; default: redact everything found.</param>
    public Redactor(IReadOnlyList<IDetector> detectors, byte[] idKey, RedactionPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(detectors);
        ArgumentNullException.ThrowIfNull(idKey);
        if (idKey.Length < 16)
        {
            throw new ArgumentException("the identifier key must be at least 16 bytes", nameof(idKey));
        }

        _detectors = [.. detectors];
        _idKey = new Lazy<byte[]>(idKey);
        _policy = policy ?? RedactionPolicy.Default;
    }

    /// <summary>A redactor whose identifier key is made or read only when a keyed hash is first needed (the
    /// <c>redact</c> command: most texts need none, and making a key loads the crypto library).</summary>
    /// <param name="idKey">Returns the key (at least 16 bytes); called at most once.</param>
    public Redactor(IReadOnlyList<IDetector> detectors, Func<byte[]> idKey, RedactionPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(detectors);
        ArgumentNullException.ThrowIfNull(idKey);
        _detectors = [.. detectors];
        _idKey = new Lazy<byte[]>(() =>
        {
            var key = idKey();
            return key.Length >= 16 ? key : throw new ArgumentException("the identifier key must be at least 16 bytes", nameof(idKey));
        }, LazyThreadSafetyMode.ExecutionAndPublication);
        _policy = policy ?? RedactionPolicy.Default;
    }

    /// <summary>Keys whose value identifies a person or conversation: replaced by a keyed hash.</summary>
    [GeneratedRegex(@"(?i)^(?:.*[_\-.])?(?:user|sender|source|chat|customer|account|member|author|recipient|from|to|owner|client|session|conversation|thread|device|caller|contact|employee|patient|subscriber|visitor|profile)[_\-]?(?:id|ids|key|scope[_\-]?id|uuid|guid)$|^(?:session[_\-]?scope[_\-]?id|user|username|user[_\-]?name|login|handle|screen[_\-]?name|userid|senderid|chatid)$", RegexOptions.CultureInvariant)]
    internal static partial Regex IdentifierKeyName();

    /// <summary>Keys whose value is a person's name.</summary>
    [GeneratedRegex(@"(?i)^(?:full|first|last|given|family|middle|display|contact|customer|sender|recipient|patient|author|owner|real|legal|maiden|nick)[_\-]?name$|^(?:surname|forename|fullname|person)$", RegexOptions.CultureInvariant)]
    internal static partial Regex PersonKeyName();

    /// <summary>What a key alone says (the value's checks come on top, in <see cref="Scope"/>).</summary>
    private sealed record KeyInfo(bool Identifier, KeyClass Class, bool Person, bool Name, string? Pii);

    private KeyInfo InfoOf(string key)
    {
        if (_keys.TryGetValue(key, out var info))
        {
            return info;
        }

        info = new KeyInfo(IdentifierKeyName().IsMatch(key), KeyNames.Classify(key), PersonKeyName().IsMatch(key),
            key.Equals("name", StringComparison.OrdinalIgnoreCase), PiiKindOfKey(key));
        if (_keys.Count < MaxCachedKeys)
        {
            _keys.TryAdd(key, info);
        }

        return info;
    }

    /// <summary>Keys whose value is personal data of a known kind whatever its shape.</summary>
    private static string? PiiKindOfKey(string key) => key.ToLowerInvariant() switch
    {
        "email" or "e_mail" or "email_address" or "mail" or "from_email" or "to_email" or "sender_email" or "recipient_email" => EmailDetector.Kind,
        "phone" or "phone_number" or "phonenumber" or "mobile" or "mobile_number" or "cell" or "telephone" or "tel" or "fax" => PhoneDetector.Kind,
        "ssn" or "social_security_number" => SsnDetector.Kind,
        "dob" or "date_of_birth" or "birthdate" or "birth_date" or "birthday" => DateOfBirthDetector.Kind,
        "iban" => IbanDetector.Kind,
        "card_number" or "cardnumber" or "credit_card" or "creditcard" or "pan" => PaymentCardDetector.Kind,
        "address" or "street" or "street_address" or "home_address" or "address_line1" or "address_line_1" or "address1" => StreetAddressDetector.Kind,
        "ip" or "ip_address" or "ipaddress" or "client_ip" or "remote_ip" or "remote_addr" => IpAddressDetector.V4,
        _ => null,
    };

    /// <summary>The highest placeholder number used per kind label in a text (<c>&lt;EMAIL_3&gt;</c> → EMAIL: 3).</summary>
    public static IReadOnlyDictionary<string, int> HighestPlaceholders(string text)
    {
        var highest = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (System.Text.RegularExpressions.Match m in NumberedPlaceholder().Matches(text ?? ""))
        {
            var n = int.Parse(m.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            highest[m.Groups[1].Value] = Math.Max(highest.GetValueOrDefault(m.Groups[1].Value), n);
        }

        return highest;
    }

    /// <summary>Shifts the numbered placeholders of a separately redacted text past those already used
    /// (<paramref name="used"/>), so they cannot collide with placeholders that stand for other values.</summary>
    public static string? ContinueNumbering(string? text, IReadOnlyDictionary<string, int> used)
    {
        ArgumentNullException.ThrowIfNull(used);
        if (string.IsNullOrEmpty(text) || used.Count == 0)
        {
            return text;
        }

        return NumberedPlaceholder().Replace(text, m =>
        {
            var kind = m.Groups[1].Value;
            var n = int.Parse(m.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            return "<" + kind + "_" + (n + used.GetValueOrDefault(kind)).ToString(System.Globalization.CultureInfo.InvariantCulture) + ">";
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"<([A-Z][A-Z0-9_]*)_(\d+)>", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex NumberedPlaceholder();

    public RedactedTrajectory Redact(Trajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var scope = new Scope(this);
        scope.Learn(trajectory);
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
                    RawArguments = scope.TextOrJson(c.RawArguments),
                }).ToArray(),
            };
        }

        var outcome = trajectory.Outcome;
        var redacted = trajectory with
        {
            TaskKey = string.IsNullOrWhiteSpace(trajectory.TaskKey) ? TaskGroupingKey(trajectory) : trajectory.TaskKey,
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
        return new RedactedTrajectory(redacted, scope.Report() with { AnswerKey = AnswerGroupingKey(trajectory) });
    }

    /// <summary>For a run without a task key: a keyed hash of its task text as it was before redaction (lower-cased
    /// words of letters and digits), so that runs of the same task still group together — for answer consensus,
    /// near-duplicates, splits and evaluation — although the redactor may replace different words in each (a name
    /// one run's reasoning mentions is learned and replaced in that run's task too), and different tasks do not merge
    /// because their names became the same placeholder. Keyed (HMAC with the home's id key), so the hash cannot be
    /// used to test a guess of the original text.</summary>
    private string? TaskGroupingKey(Trajectory trajectory)
    {
        return Quality.NearDuplicates.MinHasher.TaskText(trajectory) is { } text ? WordsKey("task\0", text, int.MaxValue) : null;
    }

    /// <summary>Most words an answer may have to get an <see cref="RedactionReport.AnswerKey"/> (answer consensus
    /// compares answers of at most <c>ConsensusMaxAnswerWords</c>, 20 by default).</summary>
    internal const int AnswerKeyMaxWords = 64;

    /// <summary>See <see cref="RedactionReport.AnswerKey"/>: only for a run with no outcome (consensus judges only
    /// those) whose final answer has 1 to <see cref="AnswerKeyMaxWords"/> words.</summary>
    private string? AnswerGroupingKey(Trajectory trajectory)
    {
        if (Quality.RunAnalysis.IsOutcomeKnown(trajectory.Outcome))
        {
            return null;
        }

        return new Quality.RunAnalysis(trajectory).FinalAnswer is { Length: > 0 } answer ? WordsKey("answer\0", answer, AnswerKeyMaxWords) : null;
    }

    /// <summary>Keyed hash of <paramref name="prefix"/> + the text's words (letters and digits, lower-cased, one space
    /// apart); null when it has no word or more than <paramref name="maxWords"/>.</summary>
    private string? WordsKey(string prefix, string text, int maxWords)
    {
        var sb = new StringBuilder(prefix, prefix.Length + Math.Min(text.Length, 4096));
        return Quality.TextCues.AppendNormalisedWords(sb, text, maxWords) > 0 ? KeyedHash(sb.ToString()) : null;
    }

    /// <summary>Redacts one text on its own (the <c>redact</c> command): findings are offsets into the input.</summary>
    public (string Redacted, IReadOnlyList<Finding> Findings) RedactText(string text)
    {
        var findings = Find(text);
        return (findings.Count == 0 ? text : new Scope(this).Replace(text, findings), findings);
    }

    /// <summary>All findings in <paramref name="text"/>, merged: sorted, non-overlapping, placeholders excluded,
    /// allowlisted values (and findings inside them) and kinds the policy keeps dropped.</summary>
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

        if (raw.Count > 0 && !_policy.IsDefault)
        {
            // An allowed value covers its parts too: a national number inside an allowed international one, a name
            // inside an allowed address.
            List<Finding>? allowed = null;
            foreach (var f in raw)
            {
                if (f.Start >= 0 && f.End <= text.Length && f.End > f.Start && _policy.IsAllowed(text.AsSpan(f.Start, f.End - f.Start)))
                {
                    (allowed ??= []).Add(f);
                }
            }

            raw.RemoveAll(f => f.Start < 0 || f.End > text.Length || f.End <= f.Start || _policy.ActionFor(f.Kind) == RedactionAction.Keep
                || allowed is not null && allowed.Exists(a => a.Start <= f.Start && f.End <= a.End));
        }

        return Merge(raw, text);
    }

    /// <summary>Sorts by start; of overlapping findings keeps the union span with the kind of the longest one (a
    /// secret beats personal data of the same length), so a secret is always masked whole. Spans inside an existing
    /// placeholder are dropped (idempotence).</summary>
    internal static List<Finding> Merge(List<Finding> raw, string text)
    {
        if (raw.Count == 0)
        {
            return raw;
        }

        // Placeholders exist only where '<' and '>' do: most texts skip the pattern.
        var placeholders = text.Contains('<') && text.Contains('>') ? PlaceholderPattern().Matches(text) : null;
        var ordered = new List<Finding>(raw.Count);
        foreach (var f in raw)
        {
            if (f.Start >= 0 && f.End <= text.Length && f.End > f.Start && !InsidePlaceholder(f, placeholders))
            {
                ordered.Add(f);
            }
        }

        // By start, then longest first, then detector order (a stable insertion sort: few findings per text).
        for (var i = 1; i < ordered.Count; i++)
        {
            var f = ordered[i];
            var j = i - 1;
            while (j >= 0 && (ordered[j].Start > f.Start || ordered[j].Start == f.Start && ordered[j].Length < f.Length))
            {
                ordered[j + 1] = ordered[j];
                j--;
            }

            ordered[j + 1] = f;
        }

        var merged = new List<Finding>(ordered.Count);
        foreach (var f in ordered)
        {
            if (merged.Count > 0 && f.Start < merged[^1].End)
            {
                var last = merged[^1];
                var lastPii = DetectorSet.IsPii(last.Kind);
                var kind = lastPii != DetectorSet.IsPii(f.Kind) ? (lastPii ? f.Kind : last.Kind) : f.Length > last.Length ? f.Kind : last.Kind;
                merged[^1] = new Finding(last.Start, Math.Max(last.End, f.End), kind);
                continue;
            }

            merged.Add(f);
        }

        return merged;
    }

    private static bool InsidePlaceholder(Finding f, MatchCollection? placeholders)
    {
        if (placeholders is null)
        {
            return false;
        }

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
        "h:" + Convert.ToHexStringLower(HMACSHA256.HashData(_idKey.Value, Encoding.UTF8.GetBytes(value)))[..16];

    /// <summary>Asks for a secret: "what is your password?", "please enter the verification code".</summary>
    [GeneratedRegex(@"(?i)\b(?:password|passcode|passphrase|pass code|pin|verification code|security code|confirmation code|one[- ]time (?:code|password)|otp|2fa code|auth(?:entication)? code|reset code|access code|secret|new one)\b", RegexOptions.CultureInvariant)]
    private static partial Regex AsksForSecret();

    /// <summary>Per-trajectory state: learned values, cached findings, the placeholder for each (kind, value) and
    /// the counts.</summary>
    private sealed class Scope(Redactor owner)
    {
        private readonly Dictionary<(string Kind, string Value), string> _placeholders = [];
        private readonly Dictionary<string, int> _next = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IReadOnlyList<Finding>> _found = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IReadOnlyList<Finding>> _final = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _known = new(StringComparer.Ordinal);
        private readonly Dictionary<string, JsonElement?> _parsed = new(ReferenceEqualityComparer.Instance as IEqualityComparer<string> ?? StringComparer.Ordinal);
        private string[]? _knownValues;

        public RedactionReport Report() => new()
        {
            Counts = new SortedDictionary<string, int>(_counts, StringComparer.Ordinal),
            Total = _counts.Values.Sum(),
            DetectorVersion = Version,
        };

        // ---------------------------------------------------------------- pass 1: learn

        public void Learn(Trajectory t)
        {
            LearnText(t.Task);
            string? lastAssistant = null;
            foreach (var m in t.Messages)
            {
                if (m.Role == Role.Tool)
                {
                    LearnTextOrJson(m.Content);
                }
                else
                {
                    LearnText(m.Content);
                    if (m.Role == Role.User && lastAssistant is not null && AsksForSecret().IsMatch(lastAssistant))
                    {
                        LearnAnswer(m.Content);
                    }
                }

                LearnText(m.Reasoning);
                foreach (var c in m.ToolCalls ?? [])
                {
                    if (c.Arguments is { } a)
                    {
                        LearnJson(null, a);
                    }
                    else
                    {
                        LearnTextOrJson(c.RawArguments);
                    }
                }

                if (m.Role == Role.Assistant && !string.IsNullOrEmpty(m.Content))
                {
                    lastAssistant = m.Content;
                }
                else if (m.Role == Role.User)
                {
                    lastAssistant = null;
                }
            }

            LearnText(t.Outcome.Notes);
            foreach (var f in t.Outcome.Feedback)
            {
                LearnText(f.Comment);
            }

            if (t.Metadata is not null)
            {
                foreach (var (key, value) in t.Metadata)
                {
                    LearnJson(key, value);
                }
            }

            _knownValues = _known.Count == 0 ? [] : _known.Keys.OrderByDescending(k => k.Length).ToArray();
        }

        private void LearnText(string? text)
        {
            if (string.IsNullOrEmpty(text) || _found.ContainsKey(text))
            {
                return;
            }

            var findings = owner.Find(text);
            _found[text] = findings;
            foreach (var f in findings)
            {
                if (!DetectorSet.IsPii(f.Kind) && f.Length >= 6 || f.Kind == PersonNameDetector.Kind && f.Length >= 5 || f.Kind == AssignmentDetector.UsernameKind && f.Length >= 4)
                {
                    Know(text.Substring(f.Start, f.Length), f.Kind);
                }
            }
        }

        private void LearnTextOrJson(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            if (Parse(text) is { } e)
            {
                LearnJson(null, e);
            }
            else
            {
                LearnText(text);
            }
        }

        /// <summary>The user's reply to a request for a password or code: the words in it that look typed as one.</summary>
        private void LearnAnswer(string? reply)
        {
            if (string.IsNullOrEmpty(reply) || reply.Length > 400)
            {
                return;
            }

            foreach (var raw in reply.Split([' ', '\n', '\t', '"', '`'], StringSplitOptions.RemoveEmptyEntries))
            {
                var word = raw.TrimEnd('.', ',', ';', ')').TrimStart('(', '\'');
                if (word.EndsWith('\'') && word.Count(ch => ch == '\'') == 1)
                {
                    word = word[..^1];
                }

                if (word.Length >= 5 && AssignmentDetector.LooksLikePassword(word) && !word.Contains('@') && !word.Contains("://", StringComparison.Ordinal)
                    && !word.StartsWith('<') && !owner._policy.IsAllowed(word))
                {
                    Know(word, AssignmentDetector.PasswordKind);
                }
            }
        }

        private void LearnJson(string? key, JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        LearnJson(p.Name, p.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        LearnJson(key, item);
                    }

                    break;
                case JsonValueKind.String:
                    var s = e.GetString()!;
                    if (key is not null && KeyKind(key, s) is { } kind)
                    {
                        if (kind == IdentifierKind)
                        {
                            if (s.Length >= 3 && !s.StartsWith("h:", StringComparison.Ordinal))
                            {
                                _known.TryAdd(s, IdentifierKind);
                            }
                        }
                        else
                        {
                            Know(s, kind);
                            if (kind == PersonNameDetector.Kind)
                            {
                                foreach (var part in s.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                                {
                                    if (part.Length >= 3 && char.IsUpper(part[0]) && !part.EndsWith('.'))
                                    {
                                        Know(part, kind);
                                    }
                                }
                            }
                        }
                    }
                    else
                    {
                        LearnText(s);
                    }

                    break;
                case JsonValueKind.Number when key is not null && KeyKind(key, e.GetRawText()) is { } numberKind:
                    Know(e.GetRawText(), numberKind);
                    break;
            }
        }

        private void Know(string value, string kind)
        {
            if (value.Length < 3 || PlaceholderPattern().IsMatch(value) || owner._policy.IsAllowed(value) || owner._policy.ActionFor(kind) == RedactionAction.Keep)
            {
                return;
            }

            if (value.Length < 4 && kind != IdentifierKind)
            {
                return;
            }

            _known.TryAdd(value, kind);
        }

        /// <summary>What a JSON key says its string value is: a secret, an identifier, a name or other personal
        /// data; null when the key says nothing (the value is then scanned as text).</summary>
        private string? KeyKind(string key, string value)
        {
            if (value.Length == 0 || value.StartsWith("h:", StringComparison.Ordinal) || IsPlaceholder(value))
            {
                return null;
            }

            var info = owner.InfoOf(key);
            if (info.Identifier)
            {
                return IdentifierKind;
            }

            switch (info.Class)
            {
                case KeyClass.Password:
                    return AssignmentDetector.PasswordKind;
                case KeyClass.Secret:
                    return AssignmentDetector.SecretKind;
                case KeyClass.Username:
                    return IdentifierKind;
                case KeyClass.Weak when SecretText.LooksRandom(value, 16, 3.0):
                    return AssignmentDetector.SecretKind;
            }

            if (info.Person || info.Name && LooksLikePersonName(value))
            {
                return PersonNameDetector.Kind;
            }

            return info.Pii is { } pii && value.Length >= 3 && !SecretText.IsStandInWord(value) ? pii : null;
        }

        private static bool LooksLikePersonName(string value)
        {
            if (value.Length is < 3 or > 60 || !char.IsUpper(value[0]) || value.AsSpan().IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .'-") >= 0 && !value.Any(c => c > 127 && char.IsLetter(c)))
            {
                return false;
            }

            return PersonNameDetector.IsPlausible(value, NameLists.Instance, requireListed: true);
        }

        private static bool IsPlaceholder(string value)
        {
            // A whole-value match starts with '<' and ends with '>': most values are ruled out without the pattern.
            if (value.Length < 5 || value[0] != '<' || value[^1] != '>')
            {
                return false;
            }

            var m = PlaceholderPattern().Match(value);
            return m.Success && m.Length == value.Length;
        }

        private JsonElement? Parse(string text)
        {
            if (_parsed.TryGetValue(text, out var cached))
            {
                return cached;
            }

            JsonElement? result = null;
            var first = text.AsSpan().TrimStart();
            if (first.Length > 0 && (first[0] == '{' || first[0] == '['))
            {
                try
                {
                    using var doc = JsonDocument.Parse(text);
                    result = doc.RootElement.Clone();
                }
                catch (JsonException)
                {
                    // Not JSON after all: plain text rules apply.
                }
            }

            _parsed[text] = result;
            return result;
        }

        // ---------------------------------------------------------------- pass 2: replace

        public string? Text(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            var findings = FindingsFor(text);
            return findings.Count == 0 ? text : Replace(text, findings);
        }

        /// <summary>Everything to replace in <paramref name="text"/>: its findings and the learned values in it.</summary>
        private IReadOnlyList<Finding> FindingsFor(string text)
        {
            if (_final.TryGetValue(text, out var done))
            {
                return done;
            }

            if (!_found.TryGetValue(text, out var findings))
            {
                findings = owner.Find(text);
            }

            if (_knownValues is { Length: > 0 })
            {
                findings = WithKnown(text, findings);
            }

            _final[text] = findings;
            return findings;
        }

        /// <summary>Adds every occurrence of a learned value (at word boundaries) to the findings.</summary>
        private IReadOnlyList<Finding> WithKnown(string text, IReadOnlyList<Finding> findings)
        {
            List<Finding>? extra = null;
            foreach (var value in _knownValues!)
            {
                var at = 0;
                while ((at = text.IndexOf(value, at, StringComparison.Ordinal)) >= 0)
                {
                    var end = at + value.Length;
                    var leftOk = at == 0 || !char.IsLetterOrDigit(text[at - 1]) || !char.IsLetterOrDigit(value[0]);
                    var rightOk = end == text.Length || !char.IsLetterOrDigit(text[end]) || !char.IsLetterOrDigit(value[^1]);
                    if (leftOk && rightOk)
                    {
                        extra ??= [.. findings];
                        extra.Add(new Finding(at, end, _known[value]));
                    }

                    at = end;
                }
            }

            return extra is null ? findings : Merge(extra, text);
        }

        /// <summary>Tool results and raw arguments: JSON-aware when the text is a JSON object or array.</summary>
        public string? TextOrJson(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            if (Parse(text) is { } e)
            {
                var before = _counts.Values.Sum();
                var rewritten = Json(e);
                return _counts.Values.Sum() == before ? text : rewritten.GetRawText();
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
            if (kind == IdentifierKind)
            {
                return owner.KeyedHash(value);
            }

            if (_placeholders.TryGetValue((kind, value), out var existing))
            {
                return existing;
            }

            string placeholder;
            if (owner._policy.ActionFor(kind) == RedactionAction.Hash)
            {
                placeholder = "<" + kind.ToUpperInvariant() + "_" + owner.KeyedHash(kind + "\0" + value)[..10] + ">";
            }
            else
            {
                var n = _next.GetValueOrDefault(kind) + 1;
                _next[kind] = n;
                placeholder = "<" + kind.ToUpperInvariant() + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ">";
            }

            _placeholders[(kind, value)] = placeholder;
            return placeholder;
        }

        public string? Identifier(string? id)
        {
            if (string.IsNullOrEmpty(id) || id.StartsWith("h:", StringComparison.Ordinal))
            {
                return id;
            }

            _counts[IdentifierKind] = _counts.GetValueOrDefault(IdentifierKind) + 1;
            return owner.KeyedHash(id);
        }

        public Dictionary<string, JsonElement> Metadata(IReadOnlyDictionary<string, JsonElement> metadata)
        {
            var result = new Dictionary<string, JsonElement>(metadata.Count, StringComparer.Ordinal);
            foreach (var (key, value) in metadata)
            {
                result[key] = Rewrite(key, value);
            }

            return result;
        }

        /// <summary>JSON-aware redaction; returns the element itself when nothing in it is sensitive.</summary>
        public JsonElement Json(JsonElement element) => Rewrite(null, element);

        private JsonElement Rewrite(string? key, JsonElement element)
        {
            // Most tool arguments and results hold nothing sensitive: find that out without writing them again.
            if (!Changes(key, element))
            {
                return element;
            }

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

        /// <summary>Whether <see cref="Write"/> would change anything in <paramref name="e"/> (the same decisions,
        /// without writing or numbering placeholders).</summary>
        private bool Changes(string? key, JsonElement e)
        {
            if (key is not null && e.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                var value = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
                if (KeyKind(key, value) is { } kind && !owner._policy.IsAllowed(value) && owner._policy.ActionFor(kind) != RedactionAction.Keep)
                {
                    return true;
                }
            }
            else if (key is not null && e.ValueKind is JsonValueKind.Object or JsonValueKind.Array
                && owner.InfoOf(key).Class is KeyClass.Password or KeyClass.Secret && owner._policy.ActionFor(AssignmentDetector.SecretKind) != RedactionAction.Keep)
            {
                return true;
            }

            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        if (Changes(p.Name, p.Value))
                        {
                            return true;
                        }
                    }

                    return false;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        if (Changes(key, item))
                        {
                            return true;
                        }
                    }

                    return false;
                case JsonValueKind.String:
                    var text = e.GetString();
                    return !string.IsNullOrEmpty(text) && FindingsFor(text).Count > 0;
                default:
                    return false;
            }
        }

        /// <summary>Writes the redacted form of <paramref name="e"/>; returns whether anything differs.</summary>
        private bool Write(Utf8JsonWriter w, string? key, JsonElement e)
        {
            if (key is not null && e.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                var value = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
                if (KeyKind(key, value) is { } kind && !owner._policy.IsAllowed(value) && owner._policy.ActionFor(kind) != RedactionAction.Keep)
                {
                    w.WriteStringValue(Placeholder(kind, value));
                    return true;
                }
            }
            else if (key is not null && e.ValueKind is JsonValueKind.Object or JsonValueKind.Array
                && owner.InfoOf(key).Class is KeyClass.Password or KeyClass.Secret && owner._policy.ActionFor(AssignmentDetector.SecretKind) != RedactionAction.Keep)
            {
                // A key that names a secret redacts its value whatever its shape.
                w.WriteStringValue(Placeholder(AssignmentDetector.SecretKind, e.GetRawText()));
                return true;
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
    }
}
