using Whetstone.Configuration;

namespace Whetstone.Evaluation;

/// <summary>Per-case values of both models for each metric, turned into per-model metrics and paired comparisons.</summary>
internal sealed class MetricTable
{
    private readonly Dictionary<string, List<(double? Candidate, double? Baseline)>> _values = new(StringComparer.Ordinal);
    private readonly string _mode;

    public MetricTable(string mode)
    {
        _mode = mode;
        foreach (var m in MetricCatalog.ForMode(mode).Where(m => m.Paired))
        {
            _values[m.Name] = [];
        }
    }

    public void Add(string metric, double? candidate, double? baseline) => _values[metric].Add((candidate, baseline));

    public IReadOnlyList<(double? Candidate, double? Baseline)> Values(string metric) => _values[metric];

    /// <summary>Builds the metric dictionaries (paired metrics as means plus the given unpaired ones) and the
    /// comparison of every paired metric.</summary>
    public (ReportMetrics Metrics, Dictionary<string, MetricComparison> PerMetric) Build(
        EvaluationOptions options, IReadOnlyDictionary<string, (double? Candidate, double? Baseline)> unpaired)
    {
        var candidate = new Dictionary<string, double?>(StringComparer.Ordinal);
        var baseline = new Dictionary<string, double?>(StringComparer.Ordinal);
        var perMetric = new Dictionary<string, MetricComparison>(StringComparer.Ordinal);
        foreach (var info in MetricCatalog.ForMode(_mode))
        {
            if (!info.Paired)
            {
                var (c, b) = unpaired.TryGetValue(info.Name, out var v) ? v : (null, null);
                candidate[info.Name] = Round(c);
                baseline[info.Name] = Round(b);
                continue;
            }

            var comparison = Compare(_values[info.Name], info, options);
            candidate[info.Name] = comparison.Candidate;
            baseline[info.Name] = comparison.Baseline;
            perMetric[info.Name] = comparison;
        }

        return (new ReportMetrics { Candidate = candidate, Baseline = baseline }, perMetric);
    }

    internal static MetricComparison Compare(IReadOnlyList<(double? Candidate, double? Baseline)> values, MetricInfo info, EvaluationOptions options)
    {
        var cand = values.Where(v => v.Candidate is not null).Select(v => v.Candidate!.Value).ToList();
        var bas = values.Where(v => v.Baseline is not null).Select(v => v.Baseline!.Value).ToList();
        var diffs = values.Where(v => v.Candidate is not null && v.Baseline is not null)
            .Select(v => v.Candidate!.Value - v.Baseline!.Value).ToList();
        var sign = info.HigherIsBetter ? 1 : -1;
        var wins = diffs.Count(d => sign * d > 1e-12);
        var losses = diffs.Count(d => sign * d < -1e-12);
        var binary = values.All(v => IsBinary(v.Candidate) && IsBinary(v.Baseline));
        var diffCi = PairedStatistics.BootstrapMean(diffs, options.BootstrapResamples, options.Seed);
        var candCi = PairedStatistics.BootstrapMean(cand, options.BootstrapResamples, options.Seed);
        var baseCi = PairedStatistics.BootstrapMean(bas, options.BootstrapResamples, options.Seed);
        return new MetricComparison
        {
            Candidate = Round(candCi?.Mean),
            Baseline = Round(baseCi?.Mean),
            Difference = Round(diffCi?.Mean),
            Ci95 = diffCi is { } d ? [Round(d.Low)!.Value, Round(d.High)!.Value] : null,
            CandidateCi95 = candCi is { } c ? [Round(c.Low)!.Value, Round(c.High)!.Value] : null,
            BaselineCi95 = baseCi is { } b ? [Round(b.Low)!.Value, Round(b.High)!.Value] : null,
            PValue = diffs.Count == 0 ? null : Round(PairedStatistics.SignTestPValue(wins, losses)),
            Test = diffs.Count == 0 ? null : binary ? "mcnemar_exact" : "sign",
            N = diffs.Count,
            Wins = wins,
            Losses = losses,
            Ties = diffs.Count - wins - losses,
            HigherIsBetter = info.HigherIsBetter,
        };
    }

    private static bool IsBinary(double? v) => v is null or 0 or 1;

    internal static double? Round(double? v) => v is { } x ? Math.Round(x, 6) : null;
}
