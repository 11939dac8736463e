using System.Globalization;

namespace Whetstone.Evaluation;

/// <summary>The plain-text summary of a report (see <see cref="EvaluationReport.SummaryLines"/>).</summary>
internal static class EvaluationSummaryText
{
    public static IReadOnlyList<string> Lines(EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = report.Comparison;
        var unit = report.Mode == EvaluationModes.Shadow ? "tasks" : "steps";
        var lines = new List<string>
        {
            $"evaluation {report.Id} ({report.Mode}): {Name(report.Candidate)} vs {Name(report.Baseline)}" +
            (report.Snapshot is null ? "" : $" on snapshot {report.Snapshot}") + $", {report.Counts.Cases} {unit}",
            $"{c.PrimaryMetric}: candidate {N(c.Candidate)} vs baseline {N(c.Baseline)}, difference {S(c.Difference)}, " +
            $"95% CI [{S(c.Ci95?[0])}, {S(c.Ci95?[1])}], p = {N(c.PValue)}" + (c.Test is null ? "" : $" ({c.Test})") +
            $"; better on {c.Wins}, worse on {c.Losses}, tied on {c.Ties}",
            $"gate: {(report.Decision.Passed ? "PASSED" : "NOT PASSED")}",
        };
        lines.AddRange(report.Decision.Reasons.Select(r => $"  {(r.Passed ? "ok  " : "FAIL")} {r.Code}: {r.Detail}"));
        return lines;
    }

    private static string Name(ModelRef m) => m.Model ?? m.Id ?? m.Client ?? "?";

    private static string N(double? v) => v is null ? "n/a" : v.Value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string S(double? v) => v is null ? "n/a" : v.Value.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture);
}
