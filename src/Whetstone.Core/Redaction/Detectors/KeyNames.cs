namespace Whetstone.Redaction.Detectors;

/// <summary>What a key (a variable, setting, header, JSON property or query parameter name) says about its
/// value.</summary>
internal enum KeyClass
{
    None,

    /// <summary>Names a password: the value is a secret whatever its shape.</summary>
    Password,

    /// <summary>Names a secret, token, credential or API key: the value is a secret whatever its shape.</summary>
    Secret,

    /// <summary>Only suggests a secret (<c>key</c>, <c>auth</c>, <c>sig</c>): the value must look machine-made.</summary>
    Weak,

    /// <summary>Names a login (<c>username</c>, <c>login</c>).</summary>
    Username,
}

/// <summary>Classifies key names by their words: <c>DB_PASSWORD</c>, <c>clientSecret</c>, <c>x-api-key</c>,
/// <c>aws_secret_access_key</c> name secrets; <c>password_policy</c>, <c>token_url</c>, <c>public_key</c>,
/// <c>next_token</c>, <c>credentialsId</c> do not.</summary>
internal static class KeyNames
{
    private static readonly HashSet<string> PasswordWords = new(StringComparer.Ordinal)
    {
        "password", "passwd", "pwd", "passphrase", "pass", "pw", "passcode", "pword", "passwort", "contrasena", "motdepasse", "senha",
    };

    private static readonly HashSet<string> SecretWords = new(StringComparer.Ordinal)
    {
        "secret", "token", "apikey", "credential", "credentials", "creds", "cred", "auth", "authorization", "cookie",
        "accesstoken", "refreshtoken", "idtoken", "authtoken", "apitoken", "sessiontoken", "bearertoken", "secretkey",
        "accesskey", "privatekey", "apisecret", "clientsecret", "appsecret", "secretaccesskey", "authkey", "masterkey",
        "licensekey", "signingkey", "encryptionkey", "sessionkey", "apipassword", "dsn", "webhooksecret", "sig",
        "connectionstring", "connstr", "pat", "pin", "otp", "totp", "mfa", "salt", "pepper", "hmac", "jwt",
    };

    /// <summary>Qualifiers that turn <c>key</c> into a secret key.</summary>
    private static readonly HashSet<string> KeyQualifiers = new(StringComparer.Ordinal)
    {
        "api", "secret", "private", "access", "auth", "client", "master", "encryption", "encrypt", "signing", "sign", "app",
        "account", "service", "license", "licence", "subscription", "webhook", "consumer", "admin", "sas", "shared",
        "storage", "session", "hmac", "jwt", "ssh", "gpg", "pgp", "rsa", "aes", "crypt", "decryption", "server", "write",
        "read", "ingest", "ingestion", "live", "prod", "production", "test", "sandbox", "dev", "root", "bot", "user", "deploy",
        "rest", "cloud", "openai", "anthropic", "stripe", "twilio", "sendgrid", "google", "gcp", "aws", "azure", "mapbox",
        "algolia", "datadog", "sentry", "slack", "github", "gitlab", "npm", "pypi", "license_", "developer", "partner",
    };

    /// <summary>Final words that make the key describe something about a secret rather than hold it.</summary>
    private static readonly HashSet<string> NeutralTails = new(StringComparer.Ordinal)
    {
        "id", "ids", "url", "uri", "urls", "endpoint", "name", "names", "file", "files", "path", "paths", "dir", "length",
        "len", "size", "type", "types", "version", "count", "field", "fields", "env", "variable", "var", "vars", "header",
        "prefix", "suffix", "format", "mode", "policy", "policies", "provider", "method", "scheme", "enabled", "enable",
        "disabled", "required", "expiry", "expires", "expiration", "expire", "ttl", "timeout", "index", "hint", "label",
        "description", "desc", "rotation", "source", "results", "result", "status", "manager", "store", "vault", "arn",
        "ref", "reference", "location", "region", "algorithm", "alg", "min", "max", "regex", "pattern", "validation",
        "error", "errors", "message", "placeholder", "strength", "hash", "hashed", "digest", "fingerprint", "kind", "class",
        "builder", "factory", "service", "handler", "provider", "helper", "util", "utils", "holder", "config", "selector",
        "chars", "charset", "str", "size", "bits", "pair", "spec", "usage", "audience", "issuer", "scope", "scopes",
        "reset", "changed", "change", "confirm", "confirmation", "input", "field", "box", "label", "prompt", "text",
    };

    /// <summary>Qualifiers that make <c>token</c> / <c>key</c> mean something public or structural.</summary>
    private static readonly HashSet<string> NeutralQualifiers = new(StringComparer.Ordinal)
    {
        "public", "pub", "csrf", "xsrf", "authenticity", "next", "page", "pagination", "continuation", "cursor", "sort",
        "partition", "primary", "foreign", "unique", "cache", "idempotency", "bucket", "schema", "sequence", "row", "object",
        "map", "dict", "hash", "lookup", "index", "sync", "resume", "range", "hot", "short", "cut", "keyboard", "press",
        "pressed", "up", "down", "jsonweb", "json", "lexer", "parser", "syntax", "csrftoken", "max", "min", "num", "total",
        "completion", "prompt", "output", "input", "generated", "tokens", "cancellation", "cancel", "stop", "eos", "bos",
        "pad", "unk", "mask", "sep", "cls", "special", "foreign", "natural", "composite", "surrogate", "translation", "i18n",
        "message", "locale", "label", "react", "list", "dedup", "group", "routing", "event", "retry", "trace", "span", "sort",
    };

    public static KeyClass Classify(ReadOnlySpan<char> key)
    {
        Span<Range> parts = stackalloc Range[16];
        Span<char> lower = stackalloc char[Math.Min(key.Length, 128)];
        var n = Split(key[..Math.Min(key.Length, 128)], lower, parts);
        if (n == 0)
        {
            return KeyClass.None;
        }

        // Drop trailing digits-only parts ("token1") and value-ish suffixes ("password_value", "secret_b64").
        while (n > 1 && (IsDigits(lower[parts[n - 1]]) || lower[parts[n - 1]] is "value" or "val" or "raw" or "b64" or "base64" or "hex" or "plain" or "plaintext" or "encoded" or "enc" or "env" or "default" or "new" or "old" or "current"))
        {
            n--;
        }

        var last = lower[parts[n - 1]].ToString();
        var prev = n > 1 ? lower[parts[n - 2]].ToString() : null;
        if (NeutralTails.Contains(last))
        {
            return KeyClass.None;
        }

        if (prev is not null && NeutralQualifiers.Contains(prev))
        {
            return KeyClass.None;
        }

        for (var i = 0; i < n - 1; i++)
        {
            if (lower[parts[i]] is "public" or "pub" or "csrf" or "xsrf" or "authenticity" or "jsonwebtoken")
            {
                return KeyClass.None;
            }
        }

        if (last is "username" or "login" or "userid" or "uname" || last == "name" && prev == "user")
        {
            return KeyClass.Username;
        }

        if (PasswordWords.Contains(last) || last == "word" && prev == "pass" || last.EndsWith("password", StringComparison.Ordinal) || last.EndsWith("passwd", StringComparison.Ordinal))
        {
            return KeyClass.Password;
        }

        if (NeutralQualifiers.Contains(last))
        {
            return KeyClass.None;
        }

        if (last == "code" && prev is "verification" or "auth" or "authorization" or "otp" or "security" or "reset" or "access" or "mfa" or "login" or "sms" or "recovery" or "backup" or "activation" or "invite" or "pairing")
        {
            return KeyClass.Secret;
        }

        if (last is "key" or "keys")
        {
            if (prev is null)
            {
                return KeyClass.Weak;
            }

            return KeyQualifiers.Contains(prev) ? KeyClass.Secret : KeyClass.None;
        }

        if (last is "sig" or "auth" or "hmac" or "pin" or "salt")
        {
            return n == 1 ? KeyClass.Weak : KeyClass.Secret;
        }

        if (SecretWords.Contains(last))
        {
            return KeyClass.Secret;
        }

        if (last.EndsWith("token", StringComparison.Ordinal) && last.Length <= 16 && !last.StartsWith("json", StringComparison.Ordinal)
            || last.EndsWith("secret", StringComparison.Ordinal) || last.EndsWith("apikey", StringComparison.Ordinal)
            || last.EndsWith("accesskey", StringComparison.Ordinal) || last.EndsWith("secretkey", StringComparison.Ordinal)
            || last.EndsWith("privatekey", StringComparison.Ordinal))
        {
            return KeyClass.Secret;
        }

        return KeyClass.None;
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return s.Length > 0;
    }

    /// <summary>Splits at non-letters/digits and at lower→upper case changes (<c>clientSecret</c>,
    /// <c>AWSSecretKey</c>); writes the lower-cased key into <paramref name="lower"/>.</summary>
    internal static int Split(ReadOnlySpan<char> key, Span<char> lower, Span<Range> parts)
    {
        var n = 0;
        var start = -1;
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            lower[i] = char.ToLowerInvariant(c);
            var alnum = char.IsAsciiLetterOrDigit(c);
            var boundary = !alnum
                || i > 0 && char.IsAsciiLetterUpper(c) && char.IsAsciiLetterLower(key[i - 1])
                || i > 0 && i + 1 < key.Length && char.IsAsciiLetterUpper(c) && char.IsAsciiLetterUpper(key[i - 1]) && char.IsAsciiLetterLower(key[i + 1])
                || i > 0 && char.IsAsciiDigit(c) != char.IsAsciiDigit(key[i - 1]) && char.IsAsciiDigit(c) && alnum;
            if (boundary && start >= 0)
            {
                if (n < parts.Length)
                {
                    parts[n++] = new Range(start, i);
                }

                start = -1;
            }

            if (alnum && start < 0)
            {
                start = i;
            }
        }

        if (start >= 0 && n < parts.Length)
        {
            parts[n++] = new Range(start, key.Length);
        }

        return n;
    }
}
