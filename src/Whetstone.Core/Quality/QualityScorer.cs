using System.Globalization;
using Whetstone.Quality.Rules;
using Whetstone.Trajectories;

namespace Whetstone.Quality;

/// <summary>Applies the per-run rules under a policy and adds the signals up into a verdict. The score is the
/// sum of the contributions — the base (<c>reported_outcome</c>: the reported reward, or 0.9 for a reported
/// status; <c>inferred_outcome</c>: <c>InferredBaseScore</c>) plus each signal's — clamped to 0..1. A run is
/// accepted when no signal rejects it and the score reaches <c>MinScore</c>. Assistant turns named by detour
/// signals get weight 0 (the final answer never does).</summary>
internal sealed class QualityScorer : ITrajectoryScorer
{
    private const double ReportedStatusBase = 0.9;
    private readonly IReadOnlyList<IQualityRule> _rules;
    private readonly TimeProvider _time;

    public QualityScorer(QualityPolicy policy, TimeProvider time, IReadOnlyList<IQualityRule>? rules = null)
    {
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _time = time ?? TimeProvider.System;
        _rules = rules ?? DefaultRules();
    }

    public QualityPolicy Policy { get; }

    /// <summary>The per-run rules, in the order their signals are listed.</summary>
    public static IReadOnlyList<IQualityRule> DefaultRules() =>
    [
        new ReportedOutcomeRule(),
        new DeliveryRule(),
        new FinalAnswerRule(),
        new LimitRule(),
        new HandoffRule(),
        new FailedCallRule(),
        new RepetitionRule(),
        new DeadEndRule(),
        new UncertainAnswerRule(),
        new HedgingReasoningRule(),
        new UserReactionRule(),
        new TrainingLengthRule(),
    ];

    public QualityVerdict Score(Trajectory trajectory) => Compose(Evaluate(trajectory), [], null, null, null);

    /// <summary>Runs the per-run rules (no verdict yet).</summary>
    internal RunScore Evaluate(Trajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var run = new RunAnalysis(trajectory);
        var signals = new List<QualitySignal>(6) { Base(run) };
        var sink = new QualitySignalSink(Policy, signals, run.OutcomeKnown);
        foreach (var rule in _rules)
        {
            rule.Evaluate(run, sink);
        }

        return new RunScore(run, signals);
    }

    /// <summary>Adds run and set-level signals up into a verdict.</summary>
    internal QualityVerdict Compose(RunScore run, IReadOnlyList<QualitySignal> setSignals, string? clusterId, string? nearDuplicateOf, HumanOverride? humanOverride)
    {
        var signals = new List<QualitySignal>(run.Signals.Count + setSignals.Count + 1);
        signals.AddRange(run.Signals);
        signals.AddRange(setSignals);
        var sum = 0.0;
        foreach (var s in signals)
        {
            sum += s.Contribution;
        }

        var score = Math.Round(Math.Clamp(sum, 0, 1), 3);
        var rejected = signals.Exists(s => s.Rejects);
        if (score < Policy.Options.MinScore && !rejected)
        {
            // The residual reason: no single rule rejected, but together the signals lowered the score too far.
            signals.Add(new QualitySignal
            {
                Code = QualityCodes.ScoreBelowThreshold,
                Rejects = true,
                Detail = $"score {F(score)} is under {F(Policy.Options.MinScore)}",
            });
        }

        var reasons = new List<string>(2);
        foreach (var s in signals)
        {
            if (s.Rejects && !reasons.Contains(s.Code))
            {
                reasons.Add(s.Code);
            }
        }

        var weights = new int[run.Analysis.TurnCount];
        Array.Fill(weights, 1);
        foreach (var s in signals)
        {
            if (s is { Detour: true, Turns: { } turns })
            {
                foreach (var t in turns)
                {
                    if (t >= 0 && t < weights.Length && t != run.Analysis.FinalAnswerTurn)
                    {
                        weights[t] = 0;
                    }
                }
            }
        }

        return new QualityVerdict
        {
            Accepted = reasons.Count == 0,
            Score = score,
            Reasons = reasons,
            Signals = signals,
            PolicyVersion = Policy.Version,
            Basis = run.Analysis.OutcomeKnown ? "reported" : "inferred",
            TurnWeights = weights,
            ClusterId = clusterId,
            NearDuplicateOf = nearDuplicateOf,
            Override = humanOverride,
            ScoredAt = _time.GetUtcNow(),
        };
    }

    private QualitySignal Base(RunAnalysis run)
    {
        var o = run.Trajectory.Outcome;
        if (o.Reward is { } reward)
        {
            return new QualitySignal { Code = QualityCodes.ReportedOutcome, Contribution = Math.Round(Math.Clamp(reward, 0, 1), 3), Detail = "reported reward " + F(reward) };
        }

        if (run.OutcomeKnown)
        {
            var what = o.Status != OutcomeStatus.Unknown ? "status " + o.Status.ToString().ToLowerInvariant() : "goals_met " + (o.GoalsMet == true ? "true" : "false");
            return new QualitySignal { Code = QualityCodes.ReportedOutcome, Contribution = ReportedStatusBase, Detail = "reported " + what };
        }

        return new QualitySignal
        {
            Code = QualityCodes.InferredOutcome,
            Contribution = Policy.Options.InferredBaseScore,
            Detail = "no outcome reported: inferred from the run itself",
        };
    }

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>The per-run part of a verdict: the analysed run and its signals (base first).</summary>
internal sealed record RunScore(RunAnalysis Analysis, IReadOnlyList<QualitySignal> Signals)
{
    /// <summary>Accepted by the per-run signals alone (before set-level rules).</summary>
    public bool AcceptedAlone(QualityPolicy policy)
    {
        var sum = 0.0;
        foreach (var s in Signals)
        {
            if (s.Rejects)
            {
                return false;
            }

            sum += s.Contribution;
        }

        return Math.Round(Math.Clamp(sum, 0, 1), 3) >= policy.Options.MinScore;
    }

    public double ScoreAlone
    {
        get
        {
            var sum = 0.0;
            foreach (var s in Signals)
            {
                sum += s.Contribution;
            }

            return Math.Round(Math.Clamp(sum, 0, 1), 3);
        }
    }
}
