using System.Text.Json;
using Whetstone.Quality;
using Whetstone.Redaction;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Ingest;

/// <summary>Outcome, reward and user feedback that arrive after a run was stored. Fields that are present replace
/// the stored ones; feedback items are appended.</summary>
public sealed record OutcomeUpdate
{
    public OutcomeStatus? Status { get; init; }

    public bool? GoalsMet { get; init; }

    public bool? Delivered { get; init; }

    public int? UnresolvedFailures { get; init; }

    public bool? StatusOnly { get; init; }

    public double? Reward { get; init; }

    public string? Notes { get; init; }

    public IReadOnlyList<Feedback> Feedback { get; init; } = [];

    public bool IsEmpty => Status is null && GoalsMet is null && Delivered is null && UnresolvedFailures is null &&
        StatusOnly is null && Reward is null && Notes is null && Feedback.Count == 0;

    /// <summary>Reads <c>{"status"?, "goals_met"?, "delivered"?, "unresolved_failures"?, "status_only"?, "reward"?,
    /// "notes"?, "feedback"?}</c> (the fields of a run's <c>outcome</c>), or the same wrapped in <c>{"outcome": …}</c>.
    /// Throws <see cref="RecordException"/> naming the JSON path of a bad field.</summary>
    public static OutcomeUpdate Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new RecordException("$", $"must be a JSON object, found {JsonFields.Describe(body)}");
        }

        var path = "$";
        if (JsonFields.Object(body, "outcome", "$") is { } wrapped)
        {
            body = wrapped;
            path = "$.outcome";
        }

        var parsed = Envelope.ReadOutcome(body, path);
        bool Has(string name) => JsonFields.TryGet(body, name, out _);
        var update = new OutcomeUpdate
        {
            Status = Has("status") ? parsed.Status : null,
            GoalsMet = parsed.GoalsMet,
            Delivered = parsed.Delivered,
            UnresolvedFailures = parsed.UnresolvedFailures,
            StatusOnly = parsed.StatusOnly,
            Reward = parsed.Reward,
            Notes = parsed.Notes,
            Feedback = parsed.Feedback,
        };
        if (update.IsEmpty)
        {
            throw new RecordException(path, "holds none of status, goals_met, delivered, unresolved_failures, status_only, reward, notes, feedback");
        }

        return update;
    }

    /// <summary>The stored outcome with this update applied.</summary>
    public Outcome ApplyTo(Outcome current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current with
        {
            Status = Status ?? current.Status,
            GoalsMet = GoalsMet ?? current.GoalsMet,
            Delivered = Delivered ?? current.Delivered,
            UnresolvedFailures = UnresolvedFailures ?? current.UnresolvedFailures,
            StatusOnly = StatusOnly ?? current.StatusOnly,
            Reward = Reward ?? current.Reward,
            Notes = Notes ?? current.Notes,
            Feedback = [.. current.Feedback, .. Feedback],
        };
    }
}

/// <summary>Applies late outcome and feedback to a stored run in one store transaction: the new text (notes,
/// feedback comments) is redacted first, then the run is re-scored; a human override survives.</summary>
public sealed class FeedbackService(ITrajectoryStore store, ITrajectoryRedactor redactor, ITrajectoryScorer scorer, TimeProvider time)
{
    public Task<StoredTrajectory> ApplyAsync(string id, OutcomeUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        // Redact only the new text: the stored run is already redacted (and its identifiers keyed-hashed, which a
        // second pass would hash again).
        var redacted = redactor.Redact(new Trajectory
        {
            Id = id,
            Outcome = new Outcome { Notes = update.Notes, Feedback = update.Feedback },
        });
        return store.UpdateAsync(id, current =>
        {
            // The new text was redacted on its own: number its placeholders after the run's, so <EMAIL_1> in the
            // feedback never names a different value than <EMAIL_1> in the run.
            var used = Redactor.HighestPlaceholders(WhetstoneJson.Serialize(current.Trajectory));
            var clean = update with
            {
                Notes = Redactor.ContinueNumbering(redacted.Trajectory.Outcome.Notes, used),
                Feedback = redacted.Trajectory.Outcome.Feedback.Select(f => f with { Comment = Redactor.ContinueNumbering(f.Comment, used) }).ToList(),
            };
            var trajectory = current.Trajectory with { Outcome = clean.ApplyTo(current.Trajectory.Outcome) };
            var scored = scorer.Score(trajectory);

            // Per-run rules are re-applied now; the task cluster stays (it depends on the task, not the outcome) so
            // dataset splits keep the run with its task until the next set-level rescore.
            var verdict = scored with
            {
                Override = current.Verdict.Override,
                ClusterId = scored.ClusterId ?? current.Verdict.ClusterId,
                ScoredAt = scored.ScoredAt ?? time.GetUtcNow(),
            };
            return current with
            {
                Trajectory = trajectory,
                Verdict = verdict,
                Redaction = Merge(current.Redaction, redacted.Report),
            };
        }, cancellationToken);
    }

    private static RedactionReport Merge(RedactionReport a, RedactionReport b)
    {
        if (b.Total == 0)
        {
            return a;
        }

        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (k, v) in a.Counts.Concat(b.Counts))
        {
            counts[k] = counts.GetValueOrDefault(k) + v;
        }

        return a with { Counts = counts, Total = a.Total + b.Total, DetectorVersion = b.DetectorVersion ?? a.DetectorVersion };
    }
}
