using System.Globalization;
using Whetstone.Configuration;

namespace Whetstone.Evaluation;

/// <summary>The evaluation gate: enough paired cases, a confident win (or non-inferiority) on the primary metric,
/// an acceptable error rate, and no guard metric worse than its margin. Every check is listed, passed or not.</summary>
public static class Gate
{
    public const string MinCases = "min_cases";
    public const string PrimaryCiLowerBound = "primary_ci_lower_bound";
    public const string PrimaryPValue = "primary_p_value";
    public const string CandidateErrorRate = "candidate_error_rate";
    public const string GuardPrefix = "guard_";

    /// <summary>Decides from the per-metric comparisons of one mode (as in <see cref="Comparison.PerMetric"/>).</summary>
    public static GateDecision Decide(EvaluationOptions options, string mode, IReadOnlyDictionary<string, MetricComparison> perMetric)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(perMetric);
        var reasons = new List<GateReason>();
        var primaryName = options.PrimaryMetric(mode);
        var primary = perMetric.GetValueOrDefault(primaryName) ?? new MetricComparison();

        reasons.Add(new GateReason
        {
            Code = MinCases,
            Passed = primary.N >= options.MinCases,
            Value = primary.N,
            Threshold = options.MinCases,
            Detail = $"{primary.N} paired {(mode == EvaluationModes.Shadow ? "tasks" : "cases")} on {primaryName} (at least {options.MinCases} needed)",
        });

        var margin = options.NonInferiorityMargin ?? 0;
        var bound = -margin;
        var low = primary.Ci95 is [var l, _] ? l : (double?)null;
        var goal = options.NonInferiorityMargin is null
            ? "above 0 (the candidate must be better)"
            : $"above {F(bound)} (non-inferiority margin {F(margin)})";
        reasons.Add(new GateReason
        {
            Code = PrimaryCiLowerBound,
            Passed = low is { } lo && lo > bound,
            Value = low,
            Threshold = bound,
            Detail = low is null
                ? $"no paired cases on {primaryName}: no interval"
                : $"{primaryName}: difference {F(primary.Difference)}, 95% CI [{F(primary.Ci95![0])}, {F(primary.Ci95[1])}]; lower bound must be {goal}",
        });

        if (options.MaxPValue is { } maxP)
        {
            reasons.Add(new GateReason
            {
                Code = PrimaryPValue,
                Passed = primary.PValue is { } p && p <= maxP && (primary.Difference ?? 0) > bound,
                Value = primary.PValue,
                Threshold = maxP,
                Detail = $"{primaryName}: {primary.Test ?? "sign"} p = {F(primary.PValue)} (at most {F(maxP)})",
            });
        }

        if (mode == EvaluationModes.Replay)
        {
            var errorRate = perMetric.GetValueOrDefault(MetricCatalog.ErrorRate)?.Candidate;
            reasons.Add(new GateReason
            {
                Code = CandidateErrorRate,
                Passed = errorRate is { } e && e <= options.MaxErrorRate,
                Value = errorRate,
                Threshold = options.MaxErrorRate,
                Detail = $"candidate error rate {Pct(errorRate)} (at most {Pct(options.MaxErrorRate)})",
            });
        }

        foreach (var (metric, allowed) in options.Guards.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (!MetricCatalog.TryGet(metric, out var info) || info.Mode != mode)
            {
                continue;
            }

            var c = perMetric.GetValueOrDefault(metric);
            if (c?.Difference is not { } diff)
            {
                reasons.Add(new GateReason
                {
                    Code = GuardPrefix + metric,
                    Passed = true,
                    Threshold = allowed,
                    Detail = $"{metric}: no paired values (nothing to regress)",
                });
                continue;
            }

            var regression = info.HigherIsBetter ? -diff : diff;
            reasons.Add(new GateReason
            {
                Code = GuardPrefix + metric,
                Passed = regression <= allowed + 1e-12,
                Value = regression,
                Threshold = allowed,
                Detail = $"{metric}: candidate {F(c.Candidate)} vs baseline {F(c.Baseline)}; " +
                         $"{(regression > 0 ? "worse by " + F(regression) : "not worse")} (at most {F(allowed)} worse allowed)",
            });
        }

        return new GateDecision { Passed = reasons.All(r => r.Passed), Reasons = reasons };
    }

    private static string F(double? v) => v is null ? "n/a" : v.Value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Pct(double? v) => v is null ? "n/a" : (v.Value * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
