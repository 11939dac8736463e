using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Whetstone.Evaluation;

/// <summary>Renders a report as one self-contained HTML page (inline CSS and SVG, no scripts, no external assets):
/// the gate's decision with every reason, per-metric bars with 95% interval whiskers, the paired differences, the
/// per-tool breakdown, and the worst cases side by side. Every text from the report is HTML-escaped.</summary>
public static class EvaluationHtml
{
    private const string CandidateColor = "#2f6fde";
    private const string BaselineColor = "#9aa0a6";
    private const int WorstCases = 25;
    private const int MaxText = 600;

    public static string Render(EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var h = new StringBuilder(64 * 1024);
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        h.Append("<title>Evaluation ").Append(E(report.Id)).Append("</title><style>").Append(Css).Append("</style></head><body>");
        Header(h, report);
        Decision(h, report);
        Primary(h, report);
        MetricBars(h, report);
        Differences(h, report);
        if (report.Breakdown is { Count: > 0 })
        {
            Breakdown(h, report);
        }

        Worst(h, report);
        h.Append("<footer>Whetstone evaluation report · ").Append(E(report.Id)).Append("</footer></body></html>\n");
        return h.ToString();
    }

    private static void Header(StringBuilder h, EvaluationReport r)
    {
        h.Append("<header><h1>Candidate vs ").Append(r.Mode == EvaluationModes.Shadow ? "live (shadow runs)" : "baseline (step replay)").Append("</h1>");
        h.Append("<table class=\"kv\">");
        Row(h, "report", r.Id);
        Row(h, "created", r.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
        Row(h, "mode", r.Mode);
        Row(h, "candidate", Describe(r.Candidate));
        Row(h, "baseline", Describe(r.Baseline));
        Row(h, "snapshot", r.Snapshot ?? "—");
        var counts = r.Mode == EvaluationModes.Shadow
            ? $"{r.Counts.Cases} tasks paired ({r.Counts.CandidateRuns} candidate runs, {r.Counts.BaselineRuns} baseline runs; " +
              $"{r.Counts.CandidateOnlyTasks} tasks only the candidate ran, {r.Counts.BaselineOnlyTasks} only the baseline)"
            : $"{r.Counts.Cases} steps ({r.Counts.ToolCallCases} tool calls, {r.Counts.AnswerCases} answers); errors: candidate {r.Counts.CandidateErrors}, baseline {r.Counts.BaselineErrors}";
        Row(h, "cases", counts);
        Row(h, "answer similarity", r.SimilarityMethod ?? "—");
        h.Append("</table></header>");
    }

    private static void Decision(StringBuilder h, EvaluationReport r)
    {
        var d = r.Decision;
        h.Append("<section><h2>Gate decision <span class=\"badge ").Append(d.Passed ? "pass\">PASSED" : "fail\">NOT PASSED").Append("</span></h2>");
        h.Append("<table class=\"grid\"><thead><tr><th></th><th>check</th><th>detail</th></tr></thead><tbody>");
        foreach (var reason in d.Reasons)
        {
            h.Append("<tr class=\"").Append(reason.Passed ? "ok" : "bad").Append("\"><td>").Append(reason.Passed ? "✔" : "✘")
                .Append("</td><td><code>").Append(E(reason.Code)).Append("</code></td><td>").Append(E(reason.Detail)).Append("</td></tr>");
        }

        h.Append("</tbody></table></section>");
    }

    private static void Primary(StringBuilder h, EvaluationReport r)
    {
        var c = r.Comparison;
        h.Append("<section><h2>Primary metric: <code>").Append(E(c.PrimaryMetric)).Append("</code></h2><p class=\"big\">");
        h.Append("candidate <b style=\"color:").Append(CandidateColor).Append("\">").Append(N(c.Candidate)).Append("</b> vs baseline <b>")
            .Append(N(c.Baseline)).Append("</b> · difference <b>").Append(Signed(c.Difference)).Append("</b>");
        if (c.Ci95 is [var lo, var hi])
        {
            h.Append(" · 95% CI [").Append(Signed(lo)).Append(", ").Append(Signed(hi)).Append(']');
        }

        h.Append(" · p = ").Append(N(c.PValue)).Append(c.Test is null ? "" : $" ({E(c.Test)})");
        h.Append("</p><p class=\"muted\">").Append(c.N).Append(" paired cases: candidate better on ").Append(c.Wins).Append(", worse on ")
            .Append(c.Losses).Append(", tied on ").Append(c.Ties).Append(". Percentile bootstrap, ").Append(c.Resamples)
            .Append(" resamples, seed ").Append(c.Seed).Append(".</p></section>");
    }

    /// <summary>Two bars per metric (candidate, baseline) with the 95% interval of each mean as whiskers.</summary>
    private static void MetricBars(StringBuilder h, EvaluationReport r)
    {
        var metrics = MetricCatalog.ForMode(r.Mode).Select(m => m.Name)
            .Where(n => r.Metrics.Candidate.GetValueOrDefault(n) is not null || r.Metrics.Baseline.GetValueOrDefault(n) is not null).ToList();
        h.Append("<section><h2>Metrics</h2><p class=\"legend\"><span class=\"sw\" style=\"background:").Append(CandidateColor)
            .Append("\"></span>candidate <span class=\"sw\" style=\"background:").Append(BaselineColor)
            .Append("\"></span>baseline · whiskers: 95% bootstrap interval of each mean · ↑ higher is better, ↓ lower is better</p>");
        const int labelW = 210, barW = 420, rowH = 44, valueW = 90;
        var height = (metrics.Count * rowH) + 10;
        h.Append("<svg class=\"chart\" role=\"img\" aria-label=\"metric bars\" width=\"").Append(labelW + barW + valueW)
            .Append("\" height=\"").Append(height).Append("\" viewBox=\"0 0 ").Append(labelW + barW + valueW).Append(' ').Append(height).Append("\">");
        var y = 6;
        foreach (var name in metrics)
        {
            var info = MetricCatalog.Get(name);
            var cand = r.Metrics.Candidate.GetValueOrDefault(name);
            var bas = r.Metrics.Baseline.GetValueOrDefault(name);
            var pm = r.Comparison.PerMetric.GetValueOrDefault(name);
            var scale = info.IsRate ? 1.0 : Math.Max(1e-9, new[] { cand ?? 0, bas ?? 0, pm?.CandidateCi95?[1] ?? 0, pm?.BaselineCi95?[1] ?? 0 }.Max() * 1.1);
            h.Append("<text x=\"0\" y=\"").Append(y + 20).Append("\" class=\"lbl\">").Append(E(name)).Append(info.HigherIsBetter ? " ↑" : " ↓").Append("</text>");
            Bar(h, labelW, y + 2, barW, cand, scale, pm?.CandidateCi95, CandidateColor);
            Bar(h, labelW, y + 21, barW, bas, scale, pm?.BaselineCi95, BaselineColor);
            h.Append("<text x=\"").Append(labelW + barW + 6).Append("\" y=\"").Append(y + 14).Append("\" class=\"val\">").Append(N(cand)).Append("</text>");
            h.Append("<text x=\"").Append(labelW + barW + 6).Append("\" y=\"").Append(y + 33).Append("\" class=\"val\">").Append(N(bas)).Append("</text>");
            y += rowH;
        }

        h.Append("</svg></section>");
    }

    private static void Bar(StringBuilder h, int x0, int y, int width, double? value, double scale, IReadOnlyList<double>? ci, string color)
    {
        h.Append("<rect x=\"").Append(x0).Append("\" y=\"").Append(y).Append("\" width=\"").Append(width).Append("\" height=\"16\" class=\"track\"/>");
        if (value is not { } v)
        {
            return;
        }

        var w = Math.Clamp(v / scale, 0, 1) * width;
        h.Append("<rect x=\"").Append(x0).Append("\" y=\"").Append(y).Append("\" width=\"").Append(F(w)).Append("\" height=\"16\" fill=\"").Append(color).Append("\"/>");
        if (ci is [var lo, var hi])
        {
            var xl = x0 + (Math.Clamp(lo / scale, 0, 1) * width);
            var xh = x0 + (Math.Clamp(hi / scale, 0, 1) * width);
            h.Append("<path class=\"whisker\" d=\"M").Append(F(xl)).Append(' ').Append(y + 8).Append(" H").Append(F(xh))
                .Append(" M").Append(F(xl)).Append(' ').Append(y + 3).Append(" V").Append(y + 13)
                .Append(" M").Append(F(xh)).Append(' ').Append(y + 3).Append(" V").Append(y + 13).Append("\"/>");
        }
    }

    /// <summary>Paired differences (candidate − baseline) with their 95% intervals, around zero.</summary>
    private static void Differences(StringBuilder h, EvaluationReport r)
    {
        var rows = r.Comparison.PerMetric.Where(kv => kv.Value.Difference is not null && MetricCatalog.TryGet(kv.Key, out var i) && i.IsRate).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        h.Append("<section><h2>Paired differences (candidate − baseline)</h2><p class=\"muted\">Dot: mean difference over the cases both models have; bar: 95% bootstrap interval. Green when it favours the candidate.</p>");
        const int labelW = 210, plotW = 420, rowH = 26, valueW = 200;
        var height = (rows.Count * rowH) + 30;
        var extent = Math.Max(0.05, rows.Max(kv => Math.Max(Math.Abs(kv.Value.Ci95?[0] ?? 0), Math.Abs(kv.Value.Ci95?[1] ?? 0))) * 1.1);
        extent = Math.Min(1, extent);
        double X(double d) => labelW + ((d + extent) / (2 * extent) * plotW);
        h.Append("<svg class=\"chart\" role=\"img\" aria-label=\"paired differences\" width=\"").Append(labelW + plotW + valueW)
            .Append("\" height=\"").Append(height).Append("\" viewBox=\"0 0 ").Append(labelW + plotW + valueW).Append(' ').Append(height).Append("\">");
        h.Append("<line x1=\"").Append(F(X(0))).Append("\" x2=\"").Append(F(X(0))).Append("\" y1=\"0\" y2=\"").Append(height - 20).Append("\" class=\"zero\"/>");
        h.Append("<text x=\"").Append(labelW).Append("\" y=\"").Append(height - 5).Append("\" class=\"axis\">").Append(Signed(-extent)).Append("</text>");
        h.Append("<text x=\"").Append(F(X(0) - 4)).Append("\" y=\"").Append(height - 5).Append("\" class=\"axis\">0</text>");
        h.Append("<text x=\"").Append(labelW + plotW - 30).Append("\" y=\"").Append(height - 5).Append("\" class=\"axis\">").Append(Signed(extent)).Append("</text>");
        var y = 8;
        foreach (var (name, m) in rows)
        {
            var d = m.Difference!.Value;
            var good = m.HigherIsBetter ? d > 0 : d < 0;
            var color = Math.Abs(d) < 1e-12 ? "#777" : good ? "#1a7f37" : "#cf222e";
            h.Append("<text x=\"0\" y=\"").Append(y + 12).Append("\" class=\"lbl\">").Append(E(name)).Append("</text>");
            if (m.Ci95 is [var lo, var hi])
            {
                h.Append("<line x1=\"").Append(F(X(Math.Max(-extent, lo)))).Append("\" x2=\"").Append(F(X(Math.Min(extent, hi))))
                    .Append("\" y1=\"").Append(y + 8).Append("\" y2=\"").Append(y + 8).Append("\" stroke=\"").Append(color).Append("\" stroke-width=\"3\"/>");
            }

            h.Append("<circle cx=\"").Append(F(X(Math.Clamp(d, -extent, extent)))).Append("\" cy=\"").Append(y + 8).Append("\" r=\"5\" fill=\"").Append(color).Append("\"/>");
            h.Append("<text x=\"").Append(labelW + plotW + 8).Append("\" y=\"").Append(y + 12).Append("\" class=\"val\">").Append(Signed(d));
            if (m.Ci95 is [var l2, var h2])
            {
                h.Append(" [").Append(Signed(l2)).Append(", ").Append(Signed(h2)).Append(']');
            }

            h.Append(" n=").Append(m.N).Append("</text>");
            y += rowH;
        }

        h.Append("</svg></section>");
    }

    private static void Breakdown(StringBuilder h, EvaluationReport r)
    {
        string[] columns = [MetricCatalog.ToolNameAccuracy, MetricCatalog.ArgumentMatch, MetricCatalog.AnswerSimilarity, MetricCatalog.CallDecisionAccuracy, MetricCatalog.ErrorRate];
        h.Append("<section><h2>Per tool</h2><p class=\"muted\">Grouped by the reference's (first) tool; <code>(answer)</code> groups final-answer steps. Each cell: candidate bar above baseline bar.</p>");
        h.Append("<table class=\"grid\"><thead><tr><th>reference tool</th><th>cases</th>");
        foreach (var c in columns)
        {
            h.Append("<th>").Append(E(c)).Append("</th>");
        }

        h.Append("</tr></thead><tbody>");
        foreach (var b in r.Breakdown!)
        {
            h.Append("<tr><td><code>").Append(E(b.Tool)).Append("</code></td><td class=\"num\">").Append(b.Cases).Append("</td>");
            foreach (var c in columns)
            {
                var cv = b.Candidate.GetValueOrDefault(c);
                var bv = b.Baseline.GetValueOrDefault(c);
                h.Append("<td>");
                if (cv is not null || bv is not null)
                {
                    MiniBar(h, cv, CandidateColor);
                    MiniBar(h, bv, BaselineColor);
                }

                h.Append("</td>");
            }

            h.Append("</tr>");
        }

        h.Append("</tbody></table></section>");
    }

    private static void MiniBar(StringBuilder h, double? v, string color)
    {
        var w = Math.Clamp(v ?? 0, 0, 1) * 80;
        h.Append("<div class=\"mini\"><svg width=\"84\" height=\"10\" aria-hidden=\"true\"><rect width=\"80\" height=\"10\" class=\"track\"/><rect width=\"")
            .Append(F(w)).Append("\" height=\"10\" fill=\"").Append(color).Append("\"/></svg><span>").Append(N(v)).Append("</span></div>");
    }

    private static void Worst(StringBuilder h, EvaluationReport r)
    {
        var shadow = r.Mode == EvaluationModes.Shadow;
        double Score(CaseScores s) => shadow ? s.Success ?? 0 : s.ActionScore ?? 0;
        var worst = r.Cases
            .OrderBy(c => Score(c.Scores) - Score(c.BaselineScores))
            .ThenBy(c => Score(c.Scores))
            .ThenBy(c => c.CaseId, StringComparer.Ordinal)
            .Take(WorstCases)
            .ToList();
        h.Append("<section><h2>Worst cases for the candidate</h2><p class=\"muted\">The ").Append(worst.Count)
            .Append(" cases where the candidate did worst relative to the baseline (").Append(shadow ? "success" : "action score").Append(").</p>");
        h.Append("<table class=\"grid cases\"><thead><tr><th>case</th>");
        if (!shadow)
        {
            h.Append("<th>reference</th>");
        }

        h.Append("<th>candidate</th><th>baseline</th></tr></thead><tbody>");
        foreach (var c in worst)
        {
            h.Append("<tr><td><code>").Append(E(c.CaseId)).Append("</code>");
            if (c.TrajectoryId is not null)
            {
                h.Append("<div class=\"muted\">run ").Append(E(c.TrajectoryId)).Append(", turn ").Append(c.TurnIndex).Append("</div>");
            }

            h.Append("</td>");
            if (!shadow)
            {
                h.Append("<td>").Append(ReferenceHtml(c.Reference)).Append("</td>");
            }

            h.Append("<td>").Append(OutputHtml(c.Candidate, c.Scores, shadow)).Append("</td>");
            h.Append("<td>").Append(OutputHtml(c.Baseline, c.BaselineScores, shadow)).Append("</td></tr>");
        }

        h.Append("</tbody></table></section>");
    }

    private static string ReferenceHtml(CaseReference? reference)
    {
        if (reference is null)
        {
            return "";
        }

        var sb = new StringBuilder();
        if (reference.Calls is { Count: > 0 } calls)
        {
            foreach (var call in calls)
            {
                sb.Append("<pre>").Append(E(CallText(call))).Append("</pre>");
            }
        }

        if (!string.IsNullOrEmpty(reference.Text))
        {
            sb.Append("<pre class=\"text\">").Append(E(Clip(reference.Text))).Append("</pre>");
        }

        return sb.ToString();
    }

    private static string OutputHtml(CaseOutput o, CaseScores s, bool shadow)
    {
        var sb = new StringBuilder();
        if (o.Error is not null)
        {
            sb.Append("<div class=\"err\">").Append(E(Clip(o.Error))).Append("</div>");
        }

        if (o.Calls is { Count: > 0 } calls)
        {
            foreach (var call in calls)
            {
                sb.Append("<pre>").Append(E(CallText(call))).Append("</pre>");
            }
        }

        if (!string.IsNullOrEmpty(o.Text))
        {
            sb.Append("<pre class=\"text\">").Append(E(Clip(o.Text))).Append("</pre>");
        }

        sb.Append("<div class=\"scores\">");
        if (shadow)
        {
            sb.Append("success ").Append(N(s.Success)).Append(" · steps ").Append(N(s.Steps));
            if (s.AnswerAgreement is not null)
            {
                sb.Append(" · agreement ").Append(N(s.AnswerAgreement));
            }

            if (o.RunIds is { Count: > 0 } ids)
            {
                sb.Append("<br>runs: ").Append(E(string.Join(", ", ids.Take(5)))).Append(ids.Count > 5 ? " …" : "");
            }
        }
        else
        {
            if (s.NameMatch is not null)
            {
                sb.Append("name ").Append(s.NameMatch.Value ? "✔" : "✘").Append(" · args ").Append(s.ArgsMatch == true ? "✔" : "✘");
                if (s.ArgsError is not null)
                {
                    sb.Append(" (").Append(E(s.ArgsError)).Append(')');
                }
            }

            if (s.Similarity is not null)
            {
                sb.Append("similarity ").Append(N(s.Similarity));
            }

            if (s.InvalidCall is not null)
            {
                sb.Append(" · invalid call (").Append(E(s.InvalidCall)).Append(')');
            }

            if (o.LatencyMs is not null)
            {
                sb.Append(" · ").Append(N(o.LatencyMs)).Append(" ms");
            }
        }

        sb.Append("</div>");
        return sb.ToString();
    }

    private static string CallText(CallView call)
    {
        var args = call.Arguments is { } a ? JsonSerializer.Serialize(a, EvaluationJson.Compact.JsonElement) : call.RawArguments ?? "";
        return Clip($"{call.Name}({args})");
    }

    private static string Describe(ModelRef m)
    {
        var parts = new List<string>();
        if (m.Model is not null)
        {
            parts.Add(m.Model);
        }

        if (m.Id is not null)
        {
            parts.Add($"id {m.Id}");
        }

        if (m.Client is not null)
        {
            parts.Add($"client {m.Client}");
        }

        return parts.Count == 0 ? "—" : string.Join(" · ", parts);
    }

    private static void Row(StringBuilder h, string key, string value) =>
        h.Append("<tr><th>").Append(E(key)).Append("</th><td>").Append(E(value)).Append("</td></tr>");

    private static string Clip(string s) => s.Length <= MaxText ? s : s[..MaxText] + " …";

    /// <summary>HTML-escapes text (&lt; &gt; &amp; &quot; &#39;).</summary>
    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    private static string N(double? v) => v is null ? "—" : v.Value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Signed(double? v) => v is null ? "—" : v.Value.ToString("+0.###;−0.###;0", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private const string Css = """
        body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#1f2328;padding:0 16px}
        h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
        table.kv th{text-align:left;padding:1px 12px 1px 0;color:#57606a;font-weight:500}table.kv td{padding:1px 0}
        table.grid{border-collapse:collapse;width:100%}table.grid th,table.grid td{border:1px solid #d0d7de;padding:5px 8px;vertical-align:top;text-align:left}
        table.grid thead th{background:#f6f8fa}tr.ok td:first-child{color:#1a7f37}tr.bad td:first-child{color:#cf222e}tr.bad{background:#fff5f5}
        .badge{font-size:13px;padding:2px 10px;border-radius:12px;color:#fff;vertical-align:middle}.badge.pass{background:#1a7f37}.badge.fail{background:#cf222e}
        .big{font-size:16px}.muted{color:#57606a;font-size:12.5px}.legend{font-size:12.5px;color:#57606a}
        .sw{display:inline-block;width:11px;height:11px;margin:0 4px 0 10px;vertical-align:-1px}
        svg.chart{max-width:100%;height:auto}svg .lbl{font-size:12.5px;fill:#1f2328}svg .val,svg .axis{font-size:11.5px;fill:#57606a}
        svg .track,.mini .track{fill:#eef1f4}svg .whisker{stroke:#1f2328;stroke-width:1.4;fill:none}svg .zero{stroke:#57606a;stroke-dasharray:3 3}
        .mini{display:flex;align-items:center;gap:6px;font-size:11.5px;color:#57606a}.num{text-align:right}
        table.cases td{width:30%}table.cases td:first-child{width:10%;word-break:break-all}
        pre{white-space:pre-wrap;word-break:break-word;margin:2px 0;font:12px/1.35 ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:4px 6px;border-radius:4px}
        pre.text{background:#fff;border:1px solid #eef1f4}.err{color:#cf222e;font-size:12.5px}.scores{font-size:12px;color:#57606a;margin-top:3px}
        footer{margin:32px 0 8px;color:#8c959f;font-size:12px}
        """;
}
