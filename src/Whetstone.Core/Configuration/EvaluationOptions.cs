using System.Globalization;
using Whetstone.Evaluation;

namespace Whetstone.Configuration;

/// <summary>The <c>Whetstone:Evaluation</c> section: the gate policy, the statistics, and how model clients call
/// models. Every value has a default; <see cref="Validate"/> names each bad key.</summary>
public sealed class EvaluationOptions
{
    public const string SectionPath = "Whetstone:Evaluation";

    /// <summary>Fewest paired cases (replay items, or tasks in shadow mode) on the primary metric for the gate to pass.</summary>
    public int MinCases { get; set; } = 50;

    /// <summary>Primary metric in replay mode (higher is better).</summary>
    public string ReplayPrimaryMetric { get; set; } = MetricCatalog.ActionScore;

    /// <summary>Primary metric in shadow mode (higher is better).</summary>
    public string ShadowPrimaryMetric { get; set; } = MetricCatalog.SuccessRate;

    /// <summary>Null (default): the candidate must be better — the 95% interval of (candidate − baseline) on the primary
    /// metric must lie above 0. A value m ≥ 0: non-inferiority — the interval's lower bound must lie above −m.</summary>
    public double? NonInferiorityMargin { get; set; }

    /// <summary>Optional: the sign/McNemar p-value on the primary metric must also be at most this.</summary>
    public double? MaxPValue { get; set; }

    /// <summary>Largest share of the candidate's items that may end in an error (replay mode).</summary>
    public double MaxErrorRate { get; set; } = 0.02;

    /// <summary>Guard metrics and how far the candidate may be worse than the baseline on each (absolute
    /// difference of the rates). A guard whose metric the mode does not have is not checked.</summary>
    public Dictionary<string, double> Guards { get; set; } = new(StringComparer.Ordinal)
    {
        [MetricCatalog.InvalidCallRate] = 0.02,
        [MetricCatalog.ErrorRate] = 0.02,
        [MetricCatalog.ToolErrorRate] = 0.05,
    };

    /// <summary>Bootstrap resamples for the confidence intervals (at least 2,000).</summary>
    public int BootstrapResamples { get; set; } = PairedStatistics.MinResamples;

    /// <summary>Seed of the bootstrap: the same report inputs give the same interval.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Shadow mode: a run whose outcome reward is at least this counts as a success.</summary>
    public double SuccessThreshold { get; set; } = 0.5;

    /// <summary>Shadow mode: two final answers agree when their similarity is at least this.</summary>
    public double AnswerAgreementThreshold { get; set; } = 0.8;

    /// <summary>Model requests in flight at once (replay mode).</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>Time allowed for one attempt of one request.</summary>
    public double TimeoutSeconds { get; set; } = 120;

    /// <summary>Retries after a transient failure (timeouts, connection failures, HTTP 408/409/429/5xx), with
    /// exponential backoff and jitter.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff delay; doubled on each retry.</summary>
    public double RetryBaseDelaySeconds { get; set; } = 1;

    /// <summary>Upper bound of one output (max_tokens); null leaves it to the server.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>API key sent to <c>openai:</c> endpoints. Set it through the environment
    /// (<c>Whetstone__Evaluation__ApiKey</c>) rather than the file; it is never written to a report.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The primary metric of a mode.</summary>
    public string PrimaryMetric(string mode) => mode == EvaluationModes.Shadow ? ShadowPrimaryMetric : ReplayPrimaryMetric;

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Validate(problems);
        return problems;
    }

    internal void Validate(List<string> problems)
    {
        const string s = SectionPath;
        if (MinCases < 1)
        {
            problems.Add($"{s}:MinCases: {MinCases} must be at least 1");
        }

        CheckPrimary(problems, nameof(ReplayPrimaryMetric), ReplayPrimaryMetric, EvaluationModes.Replay);
        CheckPrimary(problems, nameof(ShadowPrimaryMetric), ShadowPrimaryMetric, EvaluationModes.Shadow);
        if (NonInferiorityMargin is { } m && (m < 0 || m >= 1 || double.IsNaN(m)))
        {
            problems.Add($"{s}:NonInferiorityMargin: {F(m)} must be in [0, 1) (or unset to require a win)");
        }

        if (MaxPValue is { } p && (p <= 0 || p > 1 || double.IsNaN(p)))
        {
            problems.Add($"{s}:MaxPValue: {F(p)} must be in (0, 1]");
        }

        if (MaxErrorRate is < 0 or > 1 || double.IsNaN(MaxErrorRate))
        {
            problems.Add($"{s}:MaxErrorRate: {F(MaxErrorRate)} must be in [0, 1]");
        }

        foreach (var (metric, margin) in Guards)
        {
            if (!MetricCatalog.TryGet(metric, out var info))
            {
                problems.Add($"{s}:Guards:{metric}: unknown metric (known: {string.Join(", ", MetricCatalog.GuardableNames)})");
            }
            else if (!info.Paired)
            {
                problems.Add($"{s}:Guards:{metric}: cannot guard a metric without paired values");
            }

            if (margin < 0 || double.IsNaN(margin))
            {
                problems.Add($"{s}:Guards:{metric}: margin {F(margin)} must be ≥ 0");
            }
        }

        if (BootstrapResamples < PairedStatistics.MinResamples)
        {
            problems.Add($"{s}:BootstrapResamples: {BootstrapResamples} must be at least {PairedStatistics.MinResamples}");
        }

        if (SuccessThreshold is <= 0 or > 1 || double.IsNaN(SuccessThreshold))
        {
            problems.Add($"{s}:SuccessThreshold: {F(SuccessThreshold)} must be in (0, 1]");
        }

        if (AnswerAgreementThreshold is <= 0 or > 1 || double.IsNaN(AnswerAgreementThreshold))
        {
            problems.Add($"{s}:AnswerAgreementThreshold: {F(AnswerAgreementThreshold)} must be in (0, 1]");
        }

        if (Concurrency is < 1 or > 1024)
        {
            problems.Add($"{s}:Concurrency: {Concurrency} must be between 1 and 1024");
        }

        if (TimeoutSeconds <= 0 || double.IsNaN(TimeoutSeconds) || TimeoutSeconds > 86400)
        {
            problems.Add($"{s}:TimeoutSeconds: {F(TimeoutSeconds)} must be > 0 and at most 86400");
        }

        if (MaxRetries is < 0 or > 20)
        {
            problems.Add($"{s}:MaxRetries: {MaxRetries} must be between 0 and 20");
        }

        if (RetryBaseDelaySeconds < 0 || double.IsNaN(RetryBaseDelaySeconds) || RetryBaseDelaySeconds > 600)
        {
            problems.Add($"{s}:RetryBaseDelaySeconds: {F(RetryBaseDelaySeconds)} must be between 0 and 600");
        }

        if (MaxOutputTokens is < 1)
        {
            problems.Add($"{s}:MaxOutputTokens: {MaxOutputTokens} must be at least 1");
        }
    }

    /// <summary>Throws <see cref="ErrorCode.InvalidConfiguration"/> listing every problem.</summary>
    public void ThrowIfInvalid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, "invalid configuration:\n  " + string.Join("\n  ", problems));
        }
    }

    private static void CheckPrimary(List<string> problems, string key, string metric, string mode)
    {
        if (!MetricCatalog.TryGet(metric, out var info) || info.Mode != mode)
        {
            problems.Add($"{SectionPath}:{key}: '{metric}' is not a {mode} metric (choose one of {string.Join(", ", MetricCatalog.PrimaryCandidates(mode))})");
        }
        else if (!info.HigherIsBetter || !info.Paired)
        {
            problems.Add($"{SectionPath}:{key}: '{metric}' cannot be primary (it must be a paired, higher-is-better metric)");
        }
    }

    private static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}
