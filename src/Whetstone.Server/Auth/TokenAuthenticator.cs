using System.Collections;
using System.Security.Cryptography;
using System.Text;
using Whetstone.Configuration;

namespace Whetstone.Server.Auth;

/// <summary>Who called: the token's name and scopes (never the token).</summary>
public sealed record Caller(string Name, IReadOnlySet<string> Scopes)
{
    /// <summary>Admin may do everything; otherwise the caller needs one of <paramref name="scopes"/>.</summary>
    public bool HasAny(IEnumerable<string> scopes) =>
        Scopes.Contains(AuthOptions.AdminScope) || scopes.Any(Scopes.Contains);
}

/// <summary>Checks bearer tokens. Only SHA-256 digests of the configured tokens are kept; a presented token is hashed
/// and compared with every configured digest in constant time (no early exit), so neither the match nor its position
/// leaks through timing.</summary>
internal sealed class TokenAuthenticator
{
    public const string CaptureTokenVariable = "WHETSTONE_CAPTURE_TOKEN";
    public const string AdminTokenVariable = "WHETSTONE_ADMIN_TOKEN";

    private readonly (byte[] Digest, Caller Caller)[] _tokens;

    private TokenAuthenticator((byte[], Caller)[] tokens) => _tokens = tokens;

    public int Count => _tokens.Length;

    /// <summary>The tokens of <c>Whetstone:Auth:Tokens</c> plus one each for <c>WHETSTONE_CAPTURE_TOKEN</c> and
    /// <c>WHETSTONE_ADMIN_TOKEN</c>. Refuses to start without any token (every request would be 401).</summary>
    public static TokenAuthenticator Create(AuthOptions options, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var all = new List<TokenOptions>(options.Tokens);
        var problems = new List<string>();
        AddFromEnvironment(environment, CaptureTokenVariable, "capture", AuthOptions.CaptureScope, all, problems);
        AddFromEnvironment(environment, AdminTokenVariable, "admin", AuthOptions.AdminScope, all, problems);
        if (all.Count == 0)
        {
            problems.Add($"no bearer token is configured: set {CaptureTokenVariable} and/or {AdminTokenVariable}, or Whetstone:Auth:Tokens");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (all.Any(t => !seen.Add(t.Token)))
        {
            problems.Add("the same token is configured twice (environment and Whetstone:Auth:Tokens)");
        }

        if (problems.Count > 0)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, "invalid configuration:\n  " + string.Join("\n  ", problems));
        }

        return new TokenAuthenticator(all
            .Select(t => (Digest(t.Token), new Caller(t.Name.Trim(), new HashSet<string>(t.Scopes, StringComparer.Ordinal))))
            .ToArray());
    }

    private static void AddFromEnvironment(IDictionary environment, string variable, string name, string scope, List<TokenOptions> all, List<string> problems)
    {
        if (environment[variable] is not string token || token.Length == 0)
        {
            return;
        }

        if (token.Length < AuthOptions.MinTokenLength || token.Any(char.IsWhiteSpace))
        {
            problems.Add($"{variable}: must be at least {AuthOptions.MinTokenLength} characters without spaces");
            return;
        }

        all.Add(new TokenOptions { Name = name, Token = token, Scopes = [scope] });
    }

    /// <summary>The caller for an <c>Authorization</c> header value, or null.</summary>
    public Caller? Authenticate(string? authorization)
    {
        const string prefix = "Bearer ";
        if (authorization is null || !authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var presented = Digest(authorization.AsSpan(prefix.Length).Trim());
        Caller? found = null;
        foreach (var (digest, caller) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, presented))
            {
                found = caller;
            }
        }

        return found;
    }

    private static byte[] Digest(ReadOnlySpan<char> token)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(token)];
        Encoding.UTF8.GetBytes(token, bytes);
        return SHA256.HashData(bytes);
    }
}
