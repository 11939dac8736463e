namespace Whetstone.Evaluation;

/// <summary>A parsed client spec: <c>openai:URL</c>, <c>gguf:PATH</c>, <c>replay:FILE</c> or <c>none</c>. The spec is
/// what a candidate record and a report keep; it never holds a secret (API keys come from configuration).</summary>
public sealed record ModelClientSpec
{
    public const string OpenAi = "openai";
    public const string Gguf = "gguf";
    public const string Replay = "replay";
    public const string None = "none";

    private ModelClientSpec(string kind, string? target)
    {
        Kind = kind;
        Target = target;
    }

    /// <summary><c>openai</c>, <c>gguf</c>, <c>replay</c> or <c>none</c>.</summary>
    public string Kind { get; }

    /// <summary>The URL, model path or replay file; null for <c>none</c>.</summary>
    public string? Target { get; }

    /// <summary>False for <c>none</c>: such a model can be evaluated only from its captured runs (shadow mode).</summary>
    public bool IsCallable => Kind != None;

    public override string ToString() => Target is null ? Kind : $"{Kind}:{Target}";

    public static bool TryParse(string? text, out ModelClientSpec? spec, out string? problem)
    {
        spec = null;
        problem = null;
        var s = text?.Trim();
        if (string.IsNullOrEmpty(s))
        {
            problem = "a client spec is required (openai:URL, gguf:PATH, replay:FILE or none)";
            return false;
        }

        if (string.Equals(s, None, StringComparison.OrdinalIgnoreCase))
        {
            spec = new ModelClientSpec(None, null);
            return true;
        }

        var colon = s.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? s[..colon].ToLowerInvariant() : "";
        var target = colon > 0 ? s[(colon + 1)..].Trim() : "";
        switch (kind)
        {
            case OpenAi:
                if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    problem = $"'{s}': openai: needs an http(s) URL of an OpenAI-compatible endpoint, e.g. openai:http://127.0.0.1:8000/v1";
                    return false;
                }

                if (!string.IsNullOrEmpty(uri.UserInfo))
                {
                    problem = $"'{kind}:…': put credentials in configuration (Whetstone:Evaluation:ApiKey), not in the URL";
                    return false;
                }

                spec = new ModelClientSpec(OpenAi, target);
                return true;
            case Gguf or Replay:
                if (target.Length == 0)
                {
                    problem = $"'{s}': {kind}: needs a file path";
                    return false;
                }

                spec = new ModelClientSpec(kind, target);
                return true;
            default:
                problem = $"'{s}' is not a client spec (expected openai:URL, gguf:PATH, replay:FILE or none)";
                return false;
        }
    }

    /// <summary>Parses a spec or throws <see cref="ErrorCode.BadInput"/> with reason <c>bad_client_spec</c>.</summary>
    public static ModelClientSpec Parse(string? text) =>
        TryParse(text, out var spec, out var problem)
            ? spec!
            : throw new WhetstoneException(ErrorCode.BadInput, problem!, "bad_client_spec");
}
