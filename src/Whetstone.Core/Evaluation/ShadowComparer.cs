using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Whetstone.Configuration;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Evaluation;

/// <summary>What a shadow comparison compares.</summary>
public sealed record ShadowRunOptions
{
    public required ModelRef Candidate { get; init; }

    public required ModelRef Baseline { get; init; }

    public string? Snapshot { get; init; }

    /// <summary>Only these tasks (e.g. the eval split's task keys); null compares every task both sides ran.</summary>
    public IReadOnlySet<string>? TaskKeys { get; init; }

    public string? ReportId { get; init; }
}

/// <summary>Shadow mode: the candidate has itself run the same tasks as the live model (a staging agent, captured
/// like any other). Pairs the two models' runs by task key — all runs given, accepted or not — and compares per task:
/// success, final-answer agreement, steps, tool errors and tokens.</summary>
public sealed class ShadowComparer
{
    private readonly EvaluationOptions _options;
    private readonly TimeProvider _time;
    private readonly AnswerSimilarity _similarity;

    public ShadowComparer(EvaluationOptions options, TimeProvider? time = null, ITextEmbedder? embedder = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options;
        _time = time ?? TimeProvider.System;
        _similarity = new AnswerSimilarity(embedder);
    }

    /// <summary>The key runs of one task share: the run's <c>task_key</c>, else <c>task-</c> + 16 hex digits of
    /// SHA-256 over the normalised task text (first user message when the run has no task), else the run id.</summary>
    public static string TaskKeyOf(Trajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        if (!string.IsNullOrWhiteSpace(trajectory.TaskKey))
        {
            return trajectory.TaskKey;
        }

        var task = trajectory.Task ?? trajectory.Messages.FirstOrDefault(m => m.Role == Role.User && !string.IsNullOrWhiteSpace(m.Content))?.Content;
        if (string.IsNullOrWhiteSpace(task))
        {
            return trajectory.Id;
        }

        var normalised = string.Join(' ', task.Trim().ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return "task-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)))[..16];
    }

    /// <summary>How one run ended: the outcome's reward when reported (≥ the success threshold), else goals met,
    /// else a completed/failed status, else the quality verdict.</summary>
    public static RunOutcome OutcomeOf(StoredTrajectory run, double successThreshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(run);
        var t = run.Trajectory;
        var o = t.Outcome;
        bool success;
        string source;
        if (o.Reward is { } r)
        {
            success = r >= successThreshold;
            source = "reward";
        }
        else if (o.GoalsMet is { } g)
        {
            success = g;
            source = "goals_met";
        }
        else if (o.Status is OutcomeStatus.Completed or OutcomeStatus.Failed or OutcomeStatus.Abandoned)
        {
            success = o.Status == OutcomeStatus.Completed && o.Delivered != false;
            source = "status";
        }
        else
        {
            success = run.IsAccepted;
            source = "verdict";
        }

        var toolResults = t.Messages.Where(m => m.Role == Role.Tool).ToList();
        return new RunOutcome
        {
            RunId = t.Id,
            Success = success,
            SuccessSource = source,
            Reward = o.Reward,
            Status = o.Status == OutcomeStatus.Unknown ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(o.Status.ToString()),
            Accepted = run.IsAccepted,
            Steps = t.Messages.Count(m => m.Role == Role.Assistant),
            ToolResults = toolResults.Count,
            ToolErrors = toolResults.Count(IsToolError),
            Tokens = TokensOf(t),
            Answer = FinalAnswer(t),
        };
    }

    /// <summary>The last assistant message without tool calls that says something.</summary>
    public static string? FinalAnswer(Trajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        for (var i = trajectory.Messages.Count - 1; i >= 0; i--)
        {
            var m = trajectory.Messages[i];
            if (m.Role == Role.Assistant && !m.HasToolCalls && !string.IsNullOrWhiteSpace(m.Content))
            {
                return m.Content;
            }
        }

        return null;
    }

    public EvaluationReport Compare(IEnumerable<StoredTrajectory> candidateRuns, IEnumerable<StoredTrajectory> baselineRuns,
        ShadowRunOptions run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidateRuns);
        ArgumentNullException.ThrowIfNull(baselineRuns);
        ArgumentNullException.ThrowIfNull(run);
        var cand = Group(candidateRuns, run.TaskKeys);
        var bas = Group(baselineRuns, run.TaskKeys);
        var keys = cand.Keys.Where(bas.ContainsKey).Order(StringComparer.Ordinal).ToList();

        // Answer agreement: every candidate run's answer against every baseline run's answer of the same task.
        var pairs = new List<(string? A, string? B)>();
        var pairRanges = new List<(int Start, int Count)>();
        foreach (var key in keys)
        {
            var start = pairs.Count;
            foreach (var c in cand[key])
            {
                foreach (var b in bas[key])
                {
                    pairs.Add((c.Answer, b.Answer));
                }
            }

            pairRanges.Add((start, pairs.Count - start));
        }

        var similarities = _similarity.Score(pairs, cancellationToken);
        var table = new MetricTable(EvaluationModes.Shadow);
        var cases = new List<EvaluationCase>(keys.Count);
        for (var k = 0; k < keys.Count; k++)
        {
            var key = keys[k];
            var (start, count) = pairRanges[k];
            var sims = similarities.Skip(start).Take(count).ToArray();
            double? agreement = sims.Length == 0 ? null : sims.Average(s => s >= _options.AnswerAgreementThreshold ? 1.0 : 0.0);
            double? similarity = sims.Length == 0 ? null : sims.Average();
            var cs = Scores(cand[key], agreement, similarity);
            var bs = Scores(bas[key], agreement, similarity);
            table.Add(MetricCatalog.SuccessRate, cs.Success, bs.Success);
            table.Add(MetricCatalog.AnswerAgreement, agreement, agreement);
            table.Add(MetricCatalog.MeanSteps, cs.Steps, bs.Steps);
            table.Add(MetricCatalog.ToolErrorRate, cs.ToolErrorRate, bs.ToolErrorRate);
            table.Add(MetricCatalog.AcceptedRate, cand[key].Average(r => r.Accepted ? 1.0 : 0.0), bas[key].Average(r => r.Accepted ? 1.0 : 0.0));
            table.Add(MetricCatalog.MeanRunTokens, MeanTokens(cand[key]), MeanTokens(bas[key]));
            cases.Add(new EvaluationCase
            {
                CaseId = key,
                TaskKey = key,
                Candidate = new CaseOutput { RunIds = cand[key].Select(r => r.RunId).ToArray(), Outcomes = cand[key], Text = cand[key][0].Answer },
                Baseline = new CaseOutput { RunIds = bas[key].Select(r => r.RunId).ToArray(), Outcomes = bas[key], Text = bas[key][0].Answer },
                Scores = cs,
                BaselineScores = bs,
            });
        }

        var (metrics, perMetric) = table.Build(_options, new Dictionary<string, (double?, double?)>());
        var created = _time.GetUtcNow();
        return new EvaluationReport
        {
            Id = run.ReportId ?? EvaluationRunner.ReportId(EvaluationModes.Shadow, run.Candidate, run.Baseline, run.Snapshot, created, keys.Count),
            Mode = EvaluationModes.Shadow,
            CreatedAt = created,
            Candidate = run.Candidate,
            Baseline = run.Baseline,
            Snapshot = run.Snapshot,
            Metrics = metrics,
            Comparison = EvaluationRunner.PrimaryComparison(_options, EvaluationModes.Shadow, perMetric),
            Decision = Gate.Decide(_options, EvaluationModes.Shadow, perMetric),
            SimilarityMethod = _similarity.Method,
            Counts = new ReportCounts
            {
                Cases = keys.Count,
                CandidateRuns = keys.Sum(k => cand[k].Count),
                BaselineRuns = keys.Sum(k => bas[k].Count),
                CandidateOnlyTasks = cand.Keys.Count(k => !bas.ContainsKey(k)),
                BaselineOnlyTasks = bas.Keys.Count(k => !cand.ContainsKey(k)),
            },
            Cases = cases,
        };
    }

    private Dictionary<string, List<RunOutcome>> Group(IEnumerable<StoredTrajectory> runs, IReadOnlySet<string>? only)
    {
        var groups = new Dictionary<string, List<RunOutcome>>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            var key = TaskKeyOf(run.Trajectory);
            if (only is not null && !only.Contains(key))
            {
                continue;
            }

            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            if (!list.Any(r => r.RunId == run.Id))
            {
                list.Add(OutcomeOf(run, _options.SuccessThreshold));
            }
        }

        foreach (var list in groups.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.RunId, b.RunId));
        }

        return groups;
    }

    private static CaseScores Scores(List<RunOutcome> runs, double? agreement, double? similarity)
    {
        var results = runs.Sum(r => r.ToolResults);
        return new CaseScores
        {
            Success = Math.Round(runs.Average(r => r.Success ? 1.0 : 0.0), 6),
            Steps = Math.Round(runs.Average(r => (double)r.Steps), 6),
            ToolErrorRate = results == 0 ? null : Math.Round((double)runs.Sum(r => r.ToolErrors) / results, 6),
            AnswerAgreement = agreement is null ? null : Math.Round(agreement.Value, 6),
            Similarity = similarity is null ? null : Math.Round(similarity.Value, 6),
        };
    }

    private static double? MeanTokens(List<RunOutcome> runs)
    {
        var known = runs.Where(r => r.Tokens is not null).Select(r => (double)r.Tokens!.Value).ToList();
        return known.Count == 0 ? null : known.Average();
    }

    /// <summary>A tool result marked as an error, or (when the source does not say) one that reads as an error.</summary>
    private static bool IsToolError(Message m) =>
        m.IsError ?? (m.Content is { } c && c.TrimStart().StartsWith("error:", StringComparison.OrdinalIgnoreCase));

    /// <summary>Tokens of a run from its metadata (<c>usage.total_tokens</c>, or prompt + completion, or
    /// <c>total_tokens</c>) when the agent reported them.</summary>
    private static int? TokensOf(Trajectory t)
    {
        if (t.Metadata is not { } meta)
        {
            return null;
        }

        if (meta.TryGetValue("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            if (usage.TryGetProperty("total_tokens", out var total) && total.TryGetInt32(out var n))
            {
                return n;
            }

            var p = usage.TryGetProperty("prompt_tokens", out var pt) && pt.TryGetInt32(out var pi) ? pi : (int?)null;
            var c = usage.TryGetProperty("completion_tokens", out var ct) && ct.TryGetInt32(out var ci) ? ci : (int?)null;
            if (p is not null || c is not null)
            {
                return (p ?? 0) + (c ?? 0);
            }
        }

        return meta.TryGetValue("total_tokens", out var tt) && tt.ValueKind == JsonValueKind.Number && tt.TryGetInt32(out var tn) ? tn : null;
    }
}
