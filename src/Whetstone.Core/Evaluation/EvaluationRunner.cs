using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Whetstone.Configuration;
using Whetstone.Trajectories;

namespace Whetstone.Evaluation;

/// <summary>What a replay run compares and how.</summary>
public sealed record ReplayRunOptions
{
    public required ModelRef Candidate { get; init; }

    public required ModelRef Baseline { get; init; }

    public string? Snapshot { get; init; }

    /// <summary>Requests in flight at once; null uses <see cref="EvaluationOptions.Concurrency"/>.</summary>
    public int? Concurrency { get; init; }

    /// <summary>Report id; null derives one from what was compared and when.</summary>
    public string? ReportId { get; init; }

    /// <summary>Receives the number of finished requests (both models) as they finish.</summary>
    public IProgress<int>? Progress { get; init; }
}

/// <summary>Step replay: asks the candidate and the baseline for the next action of every case (bounded concurrency,
/// per-item latency and tokens), scores each against the reference, and builds the report with the paired statistics
/// and the gate's decision.</summary>
public sealed class EvaluationRunner
{
    private readonly EvaluationOptions _options;
    private readonly TimeProvider _time;
    private readonly AnswerSimilarity _similarity;

    public EvaluationRunner(EvaluationOptions options, TimeProvider? time = null, ITextEmbedder? embedder = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options;
        _time = time ?? TimeProvider.System;
        _similarity = new AnswerSimilarity(embedder);
    }

    public async Task<EvaluationReport> RunAsync(IReadOnlyList<EvalCase> cases, IModelClient candidate, IModelClient baseline,
        ReplayRunOptions run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(run);
        var concurrency = run.Concurrency ?? _options.Concurrency;
        if (concurrency is < 1 or > 1024)
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"concurrency {concurrency} must be between 1 and 1024");
        }

        var duplicate = cases.GroupBy(c => c.CaseId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"case id '{duplicate.Key}' appears more than once");
        }

        var outputs = await CollectAsync(cases, candidate, baseline, concurrency, run.Progress, cancellationToken).ConfigureAwait(false);
        return Score(cases, outputs, run, cancellationToken);
    }

    /// <summary>One model's answer to one case, as the runner saw it.</summary>
    internal readonly record struct Output(ModelResult Result, double LatencyMs);

    private async Task<Output[]> CollectAsync(IReadOnlyList<EvalCase> cases, IModelClient candidate, IModelClient baseline,
        int concurrency, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        // Item 2i is case i for the candidate, 2i+1 for the baseline: both models see the same cases at the same time.
        var outputs = new Output[cases.Count * 2];
        var done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, outputs.Length), parallel, async (item, ct) =>
        {
            var c = cases[item / 2];
            var client = item % 2 == 0 ? candidate : baseline;
            var start = _time.GetTimestamp();
            ModelResult result;
            try
            {
                result = await client.CompleteAsync(c.ToRequest(), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // a client's bug on one item is that item's error, never the run's end
            catch (Exception e)
#pragma warning restore CA1031
            {
                result = ModelResult.Failed("client_exception", $"{e.GetType().Name}: {e.Message}");
            }

            outputs[item] = new Output(result, _time.GetElapsedTime(start).TotalMilliseconds);
            var n = Interlocked.Increment(ref done);
            progress?.Report(n);
        }).ConfigureAwait(false);
        return outputs;
    }

    private EvaluationReport Score(IReadOnlyList<EvalCase> cases, Output[] outputs, ReplayRunOptions run, CancellationToken cancellationToken)
    {
        // Answer similarity first, in one batch (embedding is the costly part).
        var pairs = new List<(string? A, string? B)>();
        var pairIndex = new int[outputs.Length];
        for (var item = 0; item < outputs.Length; item++)
        {
            pairIndex[item] = -1;
            var c = cases[item / 2];
            var m = outputs[item].Result.Message;
            if (!c.ReferenceIsToolCall && m is not null && !m.HasToolCalls)
            {
                pairIndex[item] = pairs.Count;
                pairs.Add((c.Reference.Content, m.Content));
            }
        }

        var similarities = _similarity.Score(pairs, cancellationToken);

        var table = new MetricTable(EvaluationModes.Replay);
        var reportCases = new List<EvaluationCase>(cases.Count);
        var scored = new (CaseScores Candidate, CaseScores Baseline)[cases.Count];
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var cand = ScoreOne(c, outputs[2 * i], pairIndex[2 * i] >= 0 ? similarities[pairIndex[2 * i]] : null);
            var bas = ScoreOne(c, outputs[(2 * i) + 1], pairIndex[(2 * i) + 1] >= 0 ? similarities[pairIndex[(2 * i) + 1]] : null);
            scored[i] = (cand, bas);
            var toolCase = c.ReferenceIsToolCall;
            table.Add(MetricCatalog.ActionScore, cand.ActionScore, bas.ActionScore);
            table.Add(MetricCatalog.ToolNameAccuracy, toolCase ? B(cand.NameMatch) : null, toolCase ? B(bas.NameMatch) : null);
            table.Add(MetricCatalog.ArgumentMatch, toolCase ? B(cand.ArgsMatch) : null, toolCase ? B(bas.ArgsMatch) : null);
            table.Add(MetricCatalog.CallDecisionAccuracy, B(cand.CallMatch), B(bas.CallMatch));
            table.Add(MetricCatalog.AnswerSimilarity, toolCase ? null : cand.Similarity, toolCase ? null : bas.Similarity);
            table.Add(MetricCatalog.AnswerExactMatch, toolCase ? null : B(cand.ExactMatch), toolCase ? null : B(bas.ExactMatch));
            var ce = outputs[2 * i].Result.IsError;
            var be = outputs[(2 * i) + 1].Result.IsError;
            table.Add(MetricCatalog.InvalidCallRate, ce ? null : cand.InvalidCall is null ? 0 : 1, be ? null : bas.InvalidCall is null ? 0 : 1);
            table.Add(MetricCatalog.ErrorRate, ce ? 1 : 0, be ? 1 : 0);
            table.Add(MetricCatalog.MeanTokens, outputs[2 * i].Result.Usage?.TotalTokens, outputs[(2 * i) + 1].Result.Usage?.TotalTokens);
            reportCases.Add(new EvaluationCase
            {
                CaseId = c.CaseId,
                TrajectoryId = c.TrajectoryId,
                TaskKey = c.TaskKey,
                TurnIndex = c.TurnIndex,
                Reference = ReferenceView(c.Reference),
                Candidate = OutputView(outputs[2 * i]),
                Baseline = OutputView(outputs[(2 * i) + 1]),
                Scores = cand,
                BaselineScores = bas,
            });
        }

        var unpaired = new Dictionary<string, (double?, double?)>(StringComparer.Ordinal)
        {
            [MetricCatalog.LatencyP50Ms] = (Latency(outputs, 0, 0.5), Latency(outputs, 1, 0.5)),
            [MetricCatalog.LatencyP95Ms] = (Latency(outputs, 0, 0.95), Latency(outputs, 1, 0.95)),
        };
        var (metrics, perMetric) = table.Build(_options, unpaired);
        var comparison = PrimaryComparison(_options, EvaluationModes.Replay, perMetric);
        var decision = Gate.Decide(_options, EvaluationModes.Replay, perMetric);
        var created = _time.GetUtcNow();
        return new EvaluationReport
        {
            Id = run.ReportId ?? ReportId(EvaluationModes.Replay, run.Candidate, run.Baseline, run.Snapshot, created, cases.Count),
            Mode = EvaluationModes.Replay,
            CreatedAt = created,
            Candidate = run.Candidate,
            Baseline = run.Baseline,
            Snapshot = run.Snapshot,
            Metrics = metrics,
            Comparison = comparison,
            Decision = decision,
            SimilarityMethod = _similarity.Method,
            Counts = new ReportCounts
            {
                Cases = cases.Count,
                ToolCallCases = cases.Count(c => c.ReferenceIsToolCall),
                AnswerCases = cases.Count(c => !c.ReferenceIsToolCall),
                CandidateErrors = Enumerable.Range(0, cases.Count).Count(i => outputs[2 * i].Result.IsError),
                BaselineErrors = Enumerable.Range(0, cases.Count).Count(i => outputs[(2 * i) + 1].Result.IsError),
            },
            Breakdown = Breakdown(cases, scored, outputs),
            Cases = reportCases,
        };
    }

    private static CaseScores ScoreOne(EvalCase c, Output output, double? similarity)
    {
        var reference = c.Reference;
        var refCalls = reference.ToolCalls ?? [];
        if (output.Result.IsError || output.Result.Message is null)
        {
            return new CaseScores
            {
                NameMatch = c.ReferenceIsToolCall ? false : null,
                ArgsMatch = c.ReferenceIsToolCall ? false : null,
                ArgsError = c.ReferenceIsToolCall ? "model_error" : null,
                CallMatch = false,
                Similarity = c.ReferenceIsToolCall ? null : 0,
                ExactMatch = c.ReferenceIsToolCall ? null : false,
                ActionScore = 0,
            };
        }

        var m = output.Result.Message;
        var calls = m.ToolCalls ?? [];
        var invalid = ToolCallValidator.ValidateAll(calls, c.Tools);
        var callMatch = calls.Count > 0 == refCalls.Count > 0;
        if (c.ReferenceIsToolCall)
        {
            var nameMatch = ToolCallMatcher.NamesMatch(calls, refCalls.Select(x => x.Name).ToArray());
            var args = ToolCallMatcher.MatchCalls(calls, refCalls.Select(ExpectedCall.FromReference).ToArray(), c.Tools);
            return new CaseScores
            {
                NameMatch = nameMatch,
                ArgsMatch = args.Matched,
                ArgsError = args.Error,
                CallMatch = callMatch,
                InvalidCall = invalid?.Error,
                ActionScore = args.Matched ? 1 : 0,
            };
        }

        var sim = calls.Count > 0 ? 0 : similarity ?? 0;
        var exact = calls.Count == 0 && AnswerSimilarity.ExactMatch(reference.Content, m.Content);
        return new CaseScores
        {
            CallMatch = callMatch,
            Similarity = Math.Round(sim, 6),
            ExactMatch = exact,
            InvalidCall = invalid?.Error,
            ActionScore = Math.Round(sim, 6),
        };
    }

    private static double? B(bool? b) => b is null ? null : b.Value ? 1 : 0;

    private static double? Latency(Output[] outputs, int side, double p)
    {
        var values = new List<double>();
        for (var i = side; i < outputs.Length; i += 2)
        {
            if (!outputs[i].Result.IsError)
            {
                values.Add(outputs[i].LatencyMs);
            }
        }

        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        return Math.Round(PairedStatistics.Quantile(values, p), 3);
    }

    private static IReadOnlyList<ToolBreakdown> Breakdown(IReadOnlyList<EvalCase> cases, (CaseScores Candidate, CaseScores Baseline)[] scored, Output[] outputs)
    {
        const string answer = "(answer)";
        return Enumerable.Range(0, cases.Count)
            .GroupBy(i => cases[i].ReferenceIsToolCall ? cases[i].Reference.ToolCalls![0].Name : answer, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ToolBreakdown
            {
                Tool = g.Key,
                Cases = g.Count(),
                Candidate = Side(g.ToArray(), s => scored[s].Candidate, 0),
                Baseline = Side(g.ToArray(), s => scored[s].Baseline, 1),
            })
            .ToArray();

        IReadOnlyDictionary<string, double?> Side(int[] idx, Func<int, CaseScores> pick, int side)
        {
            var d = new Dictionary<string, double?>(StringComparer.Ordinal);
            if (idx.Length > 0 && cases[idx[0]].ReferenceIsToolCall)
            {
                d[MetricCatalog.ToolNameAccuracy] = Mean(idx.Select(i => B(pick(i).NameMatch)));
                d[MetricCatalog.ArgumentMatch] = Mean(idx.Select(i => B(pick(i).ArgsMatch)));
            }
            else
            {
                d[MetricCatalog.AnswerSimilarity] = Mean(idx.Select(i => pick(i).Similarity));
            }

            d[MetricCatalog.CallDecisionAccuracy] = Mean(idx.Select(i => B(pick(i).CallMatch)));
            d[MetricCatalog.ErrorRate] = Mean(idx.Select(i => (double?)(outputs[(2 * i) + side].Result.IsError ? 1 : 0)));
            return d;
        }
    }

    private static double? Mean(IEnumerable<double?> values)
    {
        var v = values.Where(x => x is not null).Select(x => x!.Value).ToList();
        return v.Count == 0 ? null : Math.Round(v.Average(), 6);
    }

    internal static CaseReference ReferenceView(Message reference)
    {
        var calls = reference.ToolCalls;
        return new CaseReference
        {
            Kind = reference.HasToolCalls ? "tool_call" : "answer",
            Name = calls is { Count: > 0 } ? calls[0].Name : null,
            Arguments = calls is { Count: > 0 } ? calls[0].Arguments : null,
            Calls = calls is { Count: > 0 } ? calls.Select(CallViewOf).ToArray() : null,
            Text = reference.Content,
        };
    }

    private static CaseOutput OutputView(Output output)
    {
        var r = output.Result;
        var calls = r.Message?.ToolCalls;
        return new CaseOutput
        {
            Name = calls is { Count: > 0 } ? calls[0].Name : null,
            Arguments = calls is { Count: > 0 } ? calls[0].Arguments : null,
            Calls = calls is { Count: > 0 } ? calls.Select(CallViewOf).ToArray() : null,
            Text = r.Message?.Content,
            Error = r.Error?.ToString(),
            ErrorCode = r.Error?.Code,
            LatencyMs = Math.Round(output.LatencyMs, 3),
            PromptTokens = r.Usage?.PromptTokens,
            CompletionTokens = r.Usage?.CompletionTokens,
            Attempts = r.Attempts,
        };
    }

    private static CallView CallViewOf(ToolCall c) => new() { Name = c.Name, Arguments = c.Arguments, RawArguments = c.Arguments is null ? c.RawArguments : null };

    internal static Comparison PrimaryComparison(EvaluationOptions options, string mode, Dictionary<string, MetricComparison> perMetric)
    {
        var name = options.PrimaryMetric(mode);
        var p = perMetric.GetValueOrDefault(name) ?? new MetricComparison();
        return new Comparison
        {
            PrimaryMetric = name,
            Candidate = p.Candidate,
            Baseline = p.Baseline,
            Difference = p.Difference,
            Ci95 = p.Ci95,
            PValue = p.PValue,
            Test = p.Test,
            N = p.N,
            Wins = p.Wins,
            Losses = p.Losses,
            Ties = p.Ties,
            Resamples = options.BootstrapResamples,
            Seed = options.Seed,
            PerMetric = perMetric,
        };
    }

    internal static string ReportId(string mode, ModelRef candidate, ModelRef baseline, string? snapshot, DateTimeOffset created, int cases)
    {
        var text = string.Join('\n', mode, candidate.Id, candidate.Model, candidate.Client, baseline.Id, baseline.Model, baseline.Client,
            snapshot, created.UtcTicks.ToString(CultureInfo.InvariantCulture), cases.ToString(CultureInfo.InvariantCulture));
        return "ev-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }
}
