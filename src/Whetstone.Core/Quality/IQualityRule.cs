namespace Whetstone.Quality;

/// <summary>One per-run quality rule: reads the analysed run and adds the signals it finds. Rules never decide
/// acceptance themselves: the policy says which signals reject, and the scorer adds them up.</summary>
public interface IQualityRule
{
    void Evaluate(RunAnalysis run, QualitySignalSink signals);
}

/// <summary>Where rules put their signals. Applies the policy: a code turned <c>off</c> is dropped, a code set to
/// <c>reject</c> rejects; label-free signals are dropped when the run reports its outcome; each code is kept
/// once (the first wins).</summary>
public sealed class QualitySignalSink
{
    private readonly List<QualitySignal> _signals;
    private readonly bool _outcomeKnown;

    internal QualitySignalSink(QualityPolicy policy, List<QualitySignal> signals, bool outcomeKnown)
    {
        Policy = policy;
        _signals = signals;
        _outcomeKnown = outcomeKnown;
    }

    public QualityPolicy Policy { get; }

    public void Add(string code, string? detail = null, IReadOnlyList<int>? turns = null, bool detour = false, double? contribution = null)
    {
        var definition = QualityCodes.Get(code);
        var action = Policy.ActionFor(definition.Code);
        if (action == RuleAction.Off || (definition.InferredOnly && _outcomeKnown))
        {
            return;
        }

        foreach (var s in _signals)
        {
            if (s.Code == definition.Code)
            {
                return;
            }
        }

        _signals.Add(new QualitySignal
        {
            Code = definition.Code,
            Scope = definition.Scope,
            Contribution = Math.Round(contribution ?? definition.Contribution, 3),
            Rejects = action == RuleAction.Reject,
            Detail = detail,
            Turns = turns is { Count: > 0 } ? turns : null,
            Detour = detour && turns is { Count: > 0 },
        });
    }
}
