using System.Globalization;

namespace Whetstone.Configuration;

/// <summary><c>Whetstone:Auth</c>: the bearer tokens the service accepts. The host adds one token each for the
/// environment variables <c>WHETSTONE_CAPTURE_TOKEN</c> (scope capture) and <c>WHETSTONE_ADMIN_TOKEN</c> (scope
/// admin); Core never reads the environment itself.</summary>
public sealed class AuthOptions
{
    public const string CaptureScope = "capture";
    public const string ReadScope = "read";
    public const string AdminScope = "admin";

    /// <summary>Shortest token accepted (a token is a shared secret: guessable ones are refused at start).</summary>
    public const int MinTokenLength = 16;

    public static IReadOnlyList<string> Scopes { get; } = [CaptureScope, ReadScope, AdminScope];

    public List<TokenOptions> Tokens { get; set; } = [];

    internal void Validate(List<string> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Tokens.Count; i++)
        {
            var key = $"Whetstone:Auth:Tokens:{i.ToString(CultureInfo.InvariantCulture)}";
            var t = Tokens[i];
            if (string.IsNullOrWhiteSpace(t.Name))
            {
                problems.Add($"{key}:Name: every token needs a name (it is who acts in the audit trail)");
            }

            if (string.IsNullOrEmpty(t.Token) || t.Token.Length < MinTokenLength || t.Token.Any(char.IsWhiteSpace))
            {
                // Never echo the token itself.
                problems.Add($"{key}:Token: must be at least {MinTokenLength} characters without spaces");
            }
            else if (!seen.Add(t.Token))
            {
                problems.Add($"{key}:Token: the same token is configured twice");
            }

            if (t.Scopes.Count == 0)
            {
                problems.Add($"{key}:Scopes: at least one of {string.Join(", ", Scopes)}");
            }

            foreach (var scope in t.Scopes.Where(s => !Scopes.Contains(s)))
            {
                problems.Add($"{key}:Scopes: '{scope}' is not a scope (expected {string.Join(", ", Scopes)})");
            }
        }
    }
}

/// <summary>One accepted bearer token.</summary>
public sealed class TokenOptions
{
    /// <summary>Who holds the token (recorded as the actor of what it does; never the token itself).</summary>
    public string Name { get; set; } = "";

    public string Token { get; set; } = "";

    /// <summary><c>capture</c> (submit runs, feedback, traces), <c>read</c> (read everything), <c>admin</c>
    /// (everything).</summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary><c>Whetstone:Server</c>: limits and buffering policy of the HTTP service.</summary>
public sealed class ServerOptions
{
    /// <summary>Largest request body accepted (bytes); larger ones are refused with 413 before they are read.</summary>
    public long MaxRequestBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Most runs in one <c>POST /v1/trajectories</c>.</summary>
    public int MaxRunsPerRequest { get; set; } = 1000;

    /// <summary>Most messages in one run.</summary>
    public int MaxMessagesPerRun { get; set; } = 2000;

    /// <summary>OTLP: most spans held (in memory only: they are not redacted yet, so they never touch the disk) for
    /// runs whose root span has not ended; over it the oldest traces are dropped, counted.</summary>
    public int MaxPendingSpans { get; set; } = 100_000;

    /// <summary>OTLP: most bytes (protobuf size) of such spans held.</summary>
    public int MaxPendingMegabytes { get; set; } = 256;

    /// <summary>OTLP: a trace whose run root has not ended this long after its first span arrived is dropped.</summary>
    public int PendingTraceMinutes { get; set; } = 60;

    /// <summary>Graceful shutdown: how long in-flight requests may take to finish.</summary>
    public int ShutdownSeconds { get; set; } = 30;

    internal void Validate(List<string> problems)
    {
        if (MaxRequestBytes < 1024)
        {
            problems.Add($"Whetstone:Server:MaxRequestBytes: {MaxRequestBytes} must be at least 1024");
        }

        if (MaxRunsPerRequest < 1)
        {
            problems.Add($"Whetstone:Server:MaxRunsPerRequest: {MaxRunsPerRequest} must be at least 1");
        }

        if (MaxMessagesPerRun < 1)
        {
            problems.Add($"Whetstone:Server:MaxMessagesPerRun: {MaxMessagesPerRun} must be at least 1");
        }

        if (MaxPendingSpans < 100)
        {
            problems.Add($"Whetstone:Server:MaxPendingSpans: {MaxPendingSpans} must be at least 100");
        }

        if (MaxPendingMegabytes < 1)
        {
            problems.Add($"Whetstone:Server:MaxPendingMegabytes: {MaxPendingMegabytes} must be at least 1");
        }

        if (PendingTraceMinutes < 1)
        {
            problems.Add($"Whetstone:Server:PendingTraceMinutes: {PendingTraceMinutes} must be at least 1");
        }

        if (ShutdownSeconds < 0)
        {
            problems.Add($"Whetstone:Server:ShutdownSeconds: {ShutdownSeconds} must not be negative");
        }
    }
}

/// <summary><c>Whetstone:Preparation</c>: the service's "prepare when enough examples exist" policy. When at least
/// <see cref="MinNewRuns"/> accepted runs arrived since the last snapshot and <see cref="CooldownMinutes"/> passed
/// since it, the service takes a snapshot, prepares a job (when a base model is set) and launches it (only when
/// <see cref="Launch"/> is on).</summary>
public sealed class PreparationOptions
{
    public bool Enabled { get; set; } = true;

    public int MinNewRuns { get; set; } = 200;

    public int CooldownMinutes { get; set; } = 60;

    /// <summary>How often the policy looks (seconds).</summary>
    public int CheckSeconds { get; set; } = 30;

    public string Trainer { get; set; } = "trl";

    /// <summary>The model to fine-tune. Unset: snapshots only, no job.</summary>
    public string? BaseModel { get; set; }

    public string Method { get; set; } = "lora";

    /// <summary>Run the trainer command after preparing (off by default: launching costs GPU time).</summary>
    public bool Launch { get; set; }

    internal void Validate(List<string> problems)
    {
        if (MinNewRuns < 1)
        {
            problems.Add($"Whetstone:Preparation:MinNewRuns: {MinNewRuns} must be at least 1");
        }

        if (CooldownMinutes < 0)
        {
            problems.Add($"Whetstone:Preparation:CooldownMinutes: {CooldownMinutes} must not be negative");
        }

        if (CheckSeconds < 1)
        {
            problems.Add($"Whetstone:Preparation:CheckSeconds: {CheckSeconds} must be at least 1");
        }

        if (Trainer is not ("trl" or "axolotl" or "llamafactory" or "openai" or "custom"))
        {
            problems.Add($"Whetstone:Preparation:Trainer: '{Trainer}' is not a trainer (expected trl, axolotl, llamafactory, openai or custom)");
        }

        if (Method is not ("lora" or "full"))
        {
            problems.Add($"Whetstone:Preparation:Method: '{Method}' must be lora or full");
        }

        if (Launch && string.IsNullOrWhiteSpace(BaseModel))
        {
            problems.Add("Whetstone:Preparation:Launch: needs Whetstone:Preparation:BaseModel (no job is prepared without one)");
        }
    }
}
