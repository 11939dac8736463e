using System.Buffers;

namespace Whetstone.Redaction.Detectors;

/// <summary>Values assigned to a key that names a secret, in any of the ways code and configuration write it:
/// <c>DB_PASSWORD=…</c> (env files, shell, Makefiles), <c>password: …</c> (YAML, INI, HTTP headers),
/// <c>"api_key": "…"</c> (JSON), <c>apiKey = "…"</c> / <c>$token .= '…'</c> / <c>TOKEN := "…"</c> (code),
/// <c>&lt;password&gt;…&lt;/password&gt;</c> (XML), <c>setenv("TOKEN", "…")</c>, <c>--token …</c> (command lines),
/// <c>?access_token=…&amp;</c> (query strings), <c>Password=…;</c> (connection strings) and prose
/// (<c>my password is …</c>). A key that names a provider (<c>datadog</c>, <c>sourcegraph</c>, …) gives the finding
/// that provider's kind when the value has its shape. Only the value is masked, whole.</summary>
internal sealed class AssignmentDetector : IDetector
{
    public const string PasswordKind = "password";
    public const string SecretKind = "secret";
    public const string UsernameKind = "username";

    private static readonly string[] SecretKeywords =
    [
        "pass", "pwd", "secret", "token", "key", "auth", "cred", "sig", "cookie", "dsn", "user", "login", "pin", "otp",
        "salt", "hmac", "jwt", "pat",

        // Compounds written in one lower-case word, whose secret word does not begin a word part ("apikey"):
        // the names KeyNames classifies as secrets.
        "apikey", "apitoken", "apisecret", "apipassword", "accesstoken", "accesskey", "refreshtoken", "idtoken", "sessiontoken",
        "sessionkey", "bearertoken", "privatekey", "clientsecret", "appsecret", "masterkey", "licensekey", "signingkey",
        "encryptionkey", "webhooksecret", "connectionstring", "connstr",
    ];

    private static readonly SearchValues<char> KeyChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");

    private readonly KeywordFinder _keywords;

    /// <summary>Provider keywords (lower case) with their rules, in <see cref="ProviderKeywords.All"/> order.</summary>
    private readonly (string Keyword, ProviderRule[] Rules)[] _providers;

    /// <summary>The provider keywords searched in a key, in one pass.</summary>
    private readonly SearchValues<string> _providerWords;

    public AssignmentDetector()
    {
        // Plain loops rather than LINQ here and in the finders: every command that redacts builds this once, and
        // LINQ over these element types is generic code that nothing precompiles (~5 ms of JIT at each start).
        var words = new List<string>();
        var byWord = new Dictionary<string, List<ProviderRule>>(StringComparer.Ordinal);
        foreach (var rule in ProviderKeywords.All)
        {
            if (!byWord.TryGetValue(rule.Keyword, out var group))
            {
                byWord[rule.Keyword] = group = [];
                words.Add(rule.Keyword);
            }

            group.Add(rule);
        }

        _providers = new (string, ProviderRule[])[words.Count];
        for (var i = 0; i < words.Count; i++)
        {
            _providers[i] = (words[i], byWord[words[i]].ToArray());
        }

        _providerWords = SearchValues.Create(words.ToArray(), StringComparison.OrdinalIgnoreCase);
        var keywords = new List<string>(SecretKeywords);
        keywords.AddRange(words);
        _keywords = new KeywordFinder(keywords);
    }

    public void Detect(string text, ICollection<Finding> findings)
    {
        var at = 0;
        while (at < text.Length)
        {
            // The keyword must start a word of the key ("shipping" holds no "pin", "path" no "pat").
            var i = _keywords.Next(text, at);
            if (i < 0)
            {
                return;
            }

            var ks = i;
            while (ks > 0 && i - ks < 64 && KeyChars.Contains(text[ks - 1]))
            {
                ks--;
            }

            var ke = i + 1;
            while (ke < text.Length && ke - i < 64 && KeyChars.Contains(text[ke]))
            {
                ke++;
            }

            at = ke;
            var key = text.AsSpan(ks, ke - ks);
            if (ks > 0 && text[ks - 1] == '<' && ke < text.Length && text[ke] == '>' && Redactor.PlaceholderPattern().IsMatch(text.AsSpan(ks - 1, ke - ks + 2)))
            {
                continue; // a placeholder left by an earlier redaction, not an XML element
            }

            var flag = key.Length > 1 && key[0] == '-';
            key = key.TrimStart("-.").TrimEnd("-.");
            if (key.Length < 2)
            {
                continue;
            }

            var cls = KeyNames.Classify(key);
            var provider = ProviderFor(key);
            if (cls == KeyClass.None && provider is null)
            {
                continue;
            }

            if (TryValue(text, ks, ke, flag, cls, out var vs, out var ve, out var quoted, out var prose) &&
                Classify(text.AsSpan(vs, ve - vs), cls, provider, quoted, prose, out var kind))
            {
                findings.Add(new Finding(vs, ve, kind));
                at = Math.Max(at, ve);
            }
        }
    }

    /// <summary>The provider rules whose keyword the key holds in one of its natural spellings (lower case,
    /// Capitalised or UPPER case), so <c>sumObj</c> is not taken for <c>sumo</c>.</summary>
    private ProviderRule[]? ProviderFor(ReadOnlySpan<char> key)
    {
        // Most keys hold no provider keyword at all: one search over the key rules them out.
        if (key.IndexOfAny(_providerWords) < 0)
        {
            return null;
        }

        ProviderRule[]? best = null;
        var bestLength = 0;
        foreach (var (keyword, rules) in _providers)
        {
            if (keyword.Length <= bestLength)
            {
                continue;
            }

            var idx = key.IndexOf(keyword, StringComparison.OrdinalIgnoreCase);
            if (idx < 0)
            {
                continue;
            }

            var found = key.Slice(idx, keyword.Length);
            if (char.IsAsciiLetterLower(found[0]) && found[1..].IndexOfAny(AsciiRanges.Upper) >= 0)
            {
                continue; // "sumObj" is not "sumo"
            }

            if (keyword.Length <= 4)
            {
                // Short keywords must stand as a word: "AWS_KEY", "awsKey", "AwsKey", not "laws" or "DATADOG".
                var before = idx > 0 ? key[idx - 1] : '_';
                var after = idx + keyword.Length < key.Length ? key[idx + keyword.Length] : '_';
                var startsWord = !char.IsAsciiLetter(before) || char.IsAsciiLetterLower(before) && char.IsAsciiLetterUpper(found[0]);
                var endsWord = !char.IsAsciiLetter(after) || char.IsAsciiLetterLower(found[^1]) && char.IsAsciiLetterUpper(after);
                if (!startsWord || !endsWord)
                {
                    continue;
                }
            }

            best = rules;
            bestLength = keyword.Length;
        }

        return best;
    }

    /// <summary>Finds the value after the key: skips the key's closing quote, an operator and opening quotes.</summary>
    private static bool TryValue(string text, int ks, int ke, bool flag, KeyClass cls, out int vs, out int ve, out bool quoted, out bool prose)
    {
        vs = ve = 0;
        quoted = prose = false;
        var keyQuote = ks > 0 ? text[ks - 1] : '\0';
        var keyQuoted = keyQuote is '"' or '\'' or '`';
        var p = ke;
        if (p < text.Length && keyQuoted && text[p] == keyQuote)
        {
            p++;
        }
        else if (p + 1 < text.Length && text[p] == '\\' && text[p + 1] == '"')
        {
            p += 2;
            keyQuoted = true;
        }

        if (p < text.Length && text[p] == ']')
        {
            p++;
        }

        var q0 = p;
        p = SkipBlanks(text, p, 8);
        if (p >= text.Length)
        {
            return false;
        }

        var c = text[p];
        var op = false;
        var xml = false;
        if (char.IsAsciiLetter(c) && p > q0 && !keyQuoted)
        {
            // A type between the name and the operator: "var token string = …", "String token: …".
            var t = p;
            while (t < text.Length && t - p < 40 && (char.IsAsciiLetterOrDigit(text[t]) || text[t] is '_' or '.' or '<' or '>' or '[' or ']' or '*' or '?'))
            {
                t++;
            }

            var u = SkipBlanks(text, t, 4);
            if (u < text.Length && u > t && (text[u] == '=' && (u + 1 >= text.Length || text[u + 1] != '=') || text[u] == ':' && u + 1 < text.Length && text[u + 1] == '='))
            {
                p = u;
                c = text[p];
            }
        }

        if (c == '>' && ks > 0 && text[ks - 1] == '<')
        {
            // <password>value</password>
            p++;
            p = SkipSpace(text, p, 40);
            op = xml = true;
        }
        else if (c == '=')
        {
            if (p + 1 < text.Length && text[p + 1] == '=')
            {
                return false;
            }

            p++;
            if (p < text.Length && text[p] == '>')
            {
                p++;
            }

            op = true;
        }
        else if (c == ':')
        {
            while (p < text.Length && text[p] == ':')
            {
                p++;
            }

            if (p < text.Length && text[p] == '=')
            {
                p++;
            }
            else if (p < text.Length && text[p] is not (' ' or '\t' or '"' or '\'' or '\\' or '\r' or '\n') && !keyQuoted)
            {
                // "scheme:value" or "host:port": only a quoted key or a blank after ':' makes an assignment.
                if (p - 1 == q0 || !char.IsAsciiLetterOrDigit(text[p]))
                {
                    return false;
                }
            }

            op = true;
        }
        else if ((c is '?' or '.' or '+' or '|') && p + 1 < text.Length && text[p + 1] == '=')
        {
            p += 2;
            op = true;
        }
        else if (c == ',' && keyQuoted)
        {
            p++;
            p = SkipSpace(text, p, 40);
            op = true;
        }
        else if (flag && p > q0)
        {
            op = true;
        }
        else if (p > q0 && cls is KeyClass.Password or KeyClass.Secret or KeyClass.Username)
        {
            // Prose: "password is X", "token: X", "username was X", "password to X".
            var word = text.AsSpan(p, Math.Min(6, text.Length - p));
            foreach (var w in (ReadOnlySpan<string>)["is ", "was ", "to ", "as ", "= ", "would be "])
            {
                if (word.StartsWith(w, StringComparison.Ordinal) || w.Length > 6 && text.AsSpan(p).StartsWith(w, StringComparison.Ordinal))
                {
                    p += w.Length;
                    op = prose = true;
                    break;
                }
            }
        }

        if (!op)
        {
            return false;
        }

        p = SkipBlanks(text, p, 8);
        if (p >= text.Length)
        {
            return false;
        }

        // Optional string prefix (b'..', r"..", f"..", @"..") and the opening quote.
        if (p + 1 < text.Length && text[p] is 'b' or 'r' or 'f' or 'u' or '@' && text[p + 1] is '"' or '\'')
        {
            p++;
        }

        var q = text[p];
        var escaped = false;
        if (q == '\\' && p + 1 < text.Length && text[p + 1] is '"' or '\'')
        {
            q = text[p + 1];
            p++;
            escaped = true;
        }

        if (q is '"' or '\'' or '`')
        {
            var backtick = q == '`';
            vs = p + 1;
            var e = vs;
            while (e < text.Length && e - vs <= 1024)
            {
                var ch = text[e];
                if (ch is '\n' or '\r')
                {
                    return false;
                }

                if (ch == q && (!escaped ? text[e - 1] != '\\' || e - 1 < vs : text[e - 1] == '\\'))
                {
                    break;
                }

                e++;
            }

            if (e >= text.Length || text[e] != q)
            {
                return false;
            }

            ve = escaped ? e - 1 : e;
            quoted = true;
            if (backtick && text.AsSpan(vs, ve - vs).Contains(' '))
            {
                return false; // `command substitution`
            }

            return ve > vs;
        }

        vs = p;
        var end = p;
        while (end < text.Length && end - p <= 1024)
        {
            var ch = text[end];
            if (xml ? ch is '<' or '\n' or '\r' : char.IsWhiteSpace(ch) || ch is '"' or '\'' or '`' or ',' or ';' or '&' or ')' or '(' or ']' or '}' or '<' or '>' or '\\')
            {
                break;
            }

            end++;
        }

        if (end < text.Length && text[end] == '(')
        {
            return false; // a call, not a value
        }

        // Prose: a sentence's full stop or comma is not part of the value.
        while (end > vs && text[end - 1] is '.' or ',' or ':' && (end == text.Length || char.IsWhiteSpace(text[end]) || text[end] is '"' or '\''))
        {
            end--;
        }

        ve = end;
        return ve > vs;
    }

    private static int SkipBlanks(string text, int p, int max)
    {
        var start = p;
        while (p < text.Length && p - start < max && text[p] is ' ' or '\t')
        {
            p++;
        }

        return p;
    }

    private static int SkipSpace(string text, int p, int max)
    {
        var start = p;
        while (p < text.Length && p - start < max && char.IsWhiteSpace(text[p]))
        {
            p++;
        }

        return p;
    }

    private static bool Classify(ReadOnlySpan<char> value, KeyClass cls, ProviderRule[]? providers, bool quoted, bool prose, out string kind)
    {
        kind = "";
        if (value.Length is < 3 or > 1024 || SecretText.IsReference(value) || SecretText.IsStandInWord(value) || SecretText.IsPlaceholder(value))
        {
            return false;
        }

        if (providers is not null)
        {
            foreach (var p in providers)
            {
                if (value.Length >= p.Min && value.Length <= p.Max && value.IndexOfAnyExcept(p.Body) < 0 &&
                    (cls is KeyClass.Password or KeyClass.Secret || SecretText.Entropy(value) >= p.MinEntropy))
                {
                    kind = p.Kind;
                    return true;
                }
            }
        }

        switch (cls)
        {
            case KeyClass.Password:
                if (prose && !LooksLikePassword(value))
                {
                    return false;
                }

                if (!quoted && IsIdentifierLike(value))
                {
                    return false;
                }

                kind = PasswordKind;
                return value.Length >= 4;
            case KeyClass.Secret:
                if (prose && !LooksLikePassword(value) || value.Length < 6)
                {
                    return false;
                }

                if (OnlyWordChars(value) || !quoted && IsIdentifierLike(value) || value.Contains(' '))
                {
                    return false;
                }

                kind = SecretKind;
                return true;
            case KeyClass.Weak:
                if (!SecretText.LooksRandom(value, 16, 3.0))
                {
                    return false;
                }

                kind = SecretKind;
                return true;
            case KeyClass.Username:
                if (value.Length < 3 || value.Length > 64 || IsIdentifierLike(value) && !quoted && !prose || prose && value.Length < 4)
                {
                    return false;
                }

                kind = UsernameKind;
                return !value.Contains(' ');
            default:
                return false;
        }
    }

    /// <summary>Letters with <c>_ . -</c> only and no digit (<c>NEXUS-GPT4-API-KEY</c> has a digit but
    /// <c>my-service-name</c> does not): names, not secrets.</summary>
    private static bool OnlyWordChars(ReadOnlySpan<char> v) => v.IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.- ") < 0;

    /// <summary>A code reference rather than a literal: <c>user.password</c>, <c>API_KEY</c>, <c>getToken</c>.</summary>
    private static bool IsIdentifierLike(ReadOnlySpan<char> v)
    {
        if (v.IndexOfAny(AsciiRanges.Digits) >= 0 && v.IndexOf('.') < 0)
        {
            return false;
        }

        if (v.IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.") >= 0)
        {
            return false;
        }

        // CONSTANT_CASE, dotted.member.access, or lowerCamel with a capital inside.
        var upperOnly = v.IndexOfAny(AsciiRanges.Lower) < 0 && v.Contains('_');
        var dotted = v.Contains('.') && char.IsAsciiLetter(v[0]) && v[^1] != '.' && !AnySegmentRandom(v);
        var camel = char.IsAsciiLetterLower(v[0]) && v[1..].IndexOfAny(AsciiRanges.Upper) >= 0 && v.IndexOfAny(AsciiRanges.Digits) < 0;
        return upperOnly || dotted || camel;
    }

    private static bool AnySegmentRandom(ReadOnlySpan<char> v)
    {
        foreach (var r in v.Split('.'))
        {
            if (SecretText.LooksRandom(v[r], 12, 3.0))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Looks like something typed as a password: no spaces, and a digit or symbol among letters, or
    /// mixed case inside the word.</summary>
    internal static bool LooksLikePassword(ReadOnlySpan<char> v)
    {
        if (v.Length < 5 || v.Length > 128 || v.Contains(' '))
        {
            return false;
        }

        int letters = 0, digits = 0, symbols = 0, innerUpper = 0;
        for (var i = 0; i < v.Length; i++)
        {
            var c = v[i];
            if (char.IsAsciiLetter(c))
            {
                letters++;
                if (i > 0 && char.IsAsciiLetterUpper(c))
                {
                    innerUpper++;
                }
            }
            else if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else
            {
                symbols++;
            }
        }

        return letters > 0 && (digits > 0 || symbols > 0 || innerUpper > 0) || digits >= 4 && letters == 0 && symbols == 0;
    }
}
