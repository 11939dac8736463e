namespace Whetstone.Configuration;

/// <summary>The <c>Whetstone</c> configuration section: one options class per sub-section, bound by the host
/// from <c>&lt;home&gt;/whetstone.json</c>, environment variables (<c>Whetstone__Section__Key</c>) and command-line
/// options, and validated before any work starts.</summary>
public sealed class WhetstoneOptions
{
    public const string SectionName = "Whetstone";

    public StorageOptions Storage { get; set; } = new();

    public DatasetsOptions Datasets { get; set; } = new();

    public QualityOptions Quality { get; set; } = new();

    /// <summary>Names allowed to run admin-only commands (<c>--as NAME</c>).</summary>
    public List<string> Admins { get; set; } = [];

    /// <summary>All problems found, each naming the key (<c>Whetstone:Storage:Provider</c>) and what is wrong.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Storage.Validate(problems);
        Datasets.Validate(problems);
        Quality.Validate(problems);
        if (Admins.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("Whetstone:Admins: admin names must not be empty");
        }

        return problems;
    }

    /// <summary>Throws <see cref="ErrorCode.InvalidConfiguration"/> listing every problem.</summary>
    public void ThrowIfInvalid()
    {
        var problems = Validate();
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

        if (MinExamples < 1)
        {
            problems.Add($"Whetstone:Datasets:MinExamples: {MinExamples} must be at least 1");
        }
    }
}
