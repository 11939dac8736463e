namespace Whetstone.Configuration;

/// <summary>The <c>Whetstone</c> configuration section: one options class per sub-section, bound by the host
/// from <c>&lt;home&gt;/whetstone.json</c>, environment variables (<c>Whetstone__Section__Key</c>) and command-line
/// options, and validated before any work starts.</summary>
public sealed class WhetstoneOptions
{
    public const string SectionName = "Whetstone";

    public StorageOptions Storage { get; set; } = new();

    public DatasetsOptions Datasets { get; set; } = new();

    public TrainingOptions Training { get; set; } = new();

    /// <summary>Gate policy, statistics and model-client settings (<c>Whetstone:Evaluation</c>).</summary>
    public EvaluationOptions Evaluation { get; set; } = new();

    public PromotionOptions Promotion { get; set; } = new();

    public LiveConfigOptions LiveConfig { get; set; } = new();

    public RedactionOptions Redaction { get; set; } = new();

    public QualityOptions Quality { get; set; } = new();

    /// <summary>Bearer tokens of the service (<c>Whetstone:Auth</c>).</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>Limits of the service (<c>Whetstone:Server</c>).</summary>
    public ServerOptions Server { get; set; } = new();

    /// <summary>The service's background preparation policy (<c>Whetstone:Preparation</c>).</summary>
    public PreparationOptions Preparation { get; set; } = new();

    /// <summary>Names allowed to run admin-only commands (<c>--as NAME</c>).</summary>
    public List<string> Admins { get; set; } = [];

    /// <summary>All problems found, each naming the key (<c>Whetstone:Storage:Provider</c>) and what is wrong.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Storage.Validate(problems);
        Datasets.Validate(problems);
        Training.Validate(problems);
        Evaluation.Validate(problems);
        LiveConfig.Validate(problems);
        Redaction.Validate(problems);
        Quality.Validate(problems);
        Auth.Validate(problems);
        Server.Validate(problems);
        Preparation.Validate(problems);
        if (Admins.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("Whetstone:Admins: admin names must not be empty");
        }

        return problems;
    }

    /// <summary>Throws <see cref="ErrorCode.InvalidConfiguration"/> listing every problem.</summary>
    public void ThrowIfInvalid() => ThrowIfAny(Validate());

    internal static void ThrowIfAny(IReadOnlyList<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration,
                "invalid configuration:\n  " + string.Join("\n  ", problems));
        }
    }

    public bool IsAdmin(string? name) =>
        !string.IsNullOrWhiteSpace(name) && Admins.Contains(name.Trim(), StringComparer.Ordinal);
}

public sealed class StorageOptions
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>For SQLite: a file path or a full connection string (default <c>&lt;home&gt;/whetstone.db</c>);
    /// for PostgreSQL: an Npgsql connection string.</summary>
    public string? ConnectionString { get; set; }

    internal void Validate(List<string> problems)
    {
        if (Provider is not (Sqlite or Postgres))
        {
            problems.Add($"Whetstone:Storage:Provider: '{Provider}' is not a provider (expected sqlite or postgres)");
        }

        if (Provider == Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add("Whetstone:Storage:ConnectionString: required for the postgres provider");
        }
    }
}

public sealed class DatasetsOptions
{
    public double EvalFraction { get; set; } = 0.2;

    public double ValidationFraction { get; set; } = 0.1;

    public int Seed { get; set; } = 42;

    public int MinExamples { get; set; } = 25;

    /// <summary>At most this many examples (the most recent) in <c>artifacts/self-training-trajectories.jsonl</c>.</summary>
    public long ArtifactMaxExamples { get; set; } = 100_000;

    internal void Validate(List<string> problems)
    {
        if (EvalFraction is <= 0 or >= 1)
        {
            problems.Add($"Whetstone:Datasets:EvalFraction: {EvalFraction} must be between 0 and 1 (exclusive)");
        }

        if (ValidationFraction is < 0 or >= 1)
        {
            problems.Add($"Whetstone:Datasets:ValidationFraction: {ValidationFraction} must be in [0, 1)");
        }

        if (EvalFraction + ValidationFraction >= 1)
        {
            problems.Add("Whetstone:Datasets: EvalFraction + ValidationFraction must leave room for a train split");
        }

        if (ArtifactMaxExamples < 0)
        {
            problems.Add($"Whetstone:Datasets:ArtifactMaxExamples: {ArtifactMaxExamples} must not be negative");
        }

        if (MinExamples < 1)
        {
            problems.Add($"Whetstone:Datasets:MinExamples: {MinExamples} must be at least 1");
        }
    }
}

public sealed class TrainingOptions
{
    /// <summary>The trainer command as an argv array (never a shell string), with placeholders <c>{manifest}</c>,
    /// <c>{train}</c>, <c>{validation}</c>, <c>{job}</c>, <c>{base_model}</c>, <c>{out}</c>. Empty: the command the
    /// job manifest names for its trainer.</summary>
    public List<string> LaunchCommand { get; set; } = [];

    /// <summary>Stop a launched trainer after this many minutes (0: no limit).</summary>
    public int TimeoutMinutes { get; set; }

    /// <summary>Examples over this many o200k tokens are not exported.</summary>
    public int MaxTokensPerExample { get; set; } = 32768;

    internal void Validate(List<string> problems)
    {
        if (LaunchCommand.Count > 0 && string.IsNullOrWhiteSpace(LaunchCommand[0]))
        {
            problems.Add("Whetstone:Training:LaunchCommand: the first element (the program) must not be empty");
        }

        if (TimeoutMinutes < 0)
        {
            problems.Add($"Whetstone:Training:TimeoutMinutes: {TimeoutMinutes} must not be negative");
        }

        if (MaxTokensPerExample < 1)
        {
            problems.Add($"Whetstone:Training:MaxTokensPerExample: {MaxTokensPerExample} must be at least 1");
        }
    }
}

public sealed class PromotionOptions
{
    /// <summary>The two-person rule: the admin who approves a promotion must not be the one who requested it.</summary>
    public bool RequireSecondApprover { get; set; }
}

public sealed class LiveConfigOptions
{
    /// <summary>The agent's config file that promotion rewrites (JSON or YAML). Unset: promotions move the
    /// aliases only.</summary>
    public string? Path { get; set; }

    /// <summary><c>auto</c> (by extension), <c>json</c> or <c>yaml</c>.</summary>
    public string Format { get; set; } = "auto";

    public string ProviderKey { get; set; } = "llm.provider";

    public string ModelKey { get; set; } = "llm.model";

    public string EndpointKey { get; set; } = "llm.endpoint";

    internal void Validate(List<string> problems)
    {
        if (Format is not ("auto" or "json" or "yaml"))
        {
            problems.Add($"Whetstone:LiveConfig:Format: '{Format}' must be auto, json or yaml");
        }

        foreach (var (name, key) in new[] { ("ProviderKey", ProviderKey), ("ModelKey", ModelKey), ("EndpointKey", EndpointKey) })
        {
            if (!string.IsNullOrEmpty(key) && key.Split('.').Any(string.IsNullOrWhiteSpace))
            {
                problems.Add($"Whetstone:LiveConfig:{name}: '{key}' is not a dotted key path");
            }
        }
    }
}
