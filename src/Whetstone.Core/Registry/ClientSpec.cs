namespace Whetstone.Registry;

/// <summary>How a model is called: <c>openai:URL</c>, <c>gguf:PATH</c>, <c>replay:FILE</c> or <c>none</c>.</summary>
public sealed record ClientSpec(string Kind, string? Target)
{
    public const string OpenAi = "openai";
    public const string Gguf = "gguf";
    public const string Replay = "replay";
    public const string None = "none";

    public override string ToString() => Target is null ? Kind : Kind + ":" + Target;

    /// <summary>Parses and checks a spec; a URL carrying credentials is refused (keys belong in configuration).</summary>
    public static ClientSpec Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec.Trim();
        if (spec == None)
        {
            return new ClientSpec(None, null);
        }

        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? spec[..colon] : spec;
        var target = colon > 0 ? spec[(colon + 1)..] : "";
        switch (kind)
        {
            case OpenAi:
                if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    throw new WhetstoneException(ErrorCode.BadInput, $"client '{spec}': openai needs an http(s) URL, e.g. openai:http://127.0.0.1:8000/v1");
                }

                if (!string.IsNullOrEmpty(uri.UserInfo) || uri.Query.Contains("key", StringComparison.OrdinalIgnoreCase))
                {
                    throw new WhetstoneException(ErrorCode.BadInput,
                        "the client URL must not carry credentials: set the API key in configuration (Whetstone:Evaluation:ApiKey) or WHETSTONE_MODEL_API_KEY");
                }

                return new ClientSpec(OpenAi, target);
            case Gguf or Replay when target.Length > 0:
                return new ClientSpec(kind, target);
            default:
                throw new WhetstoneException(ErrorCode.BadInput,
                    $"client '{spec}' is not a client spec (expected openai:URL, gguf:PATH, replay:FILE or none)");
        }
    }
}
