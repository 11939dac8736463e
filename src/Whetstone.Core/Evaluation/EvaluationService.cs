using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Whetstone.Configuration;
using Whetstone.Datasets;
using Whetstone.Registry;
using Whetstone.Storage;

namespace Whetstone.Evaluation;

/// <summary>Makes the model clients and the answer embedder an evaluation needs (implemented by Whetstone.Models,
/// so Core holds no HTTP client or inference engine).</summary>
public interface IModelClientFactory
{
    IModelClient Create(Candidate candidate);

    /// <summary>The sentence embedder for answer similarity, or null to fall back to token F1.</summary>
    ITextEmbedder? CreateEmbedder();

    void Release(object? resource);
}

/// <summary>What <c>whetstone eval</c> asks for.</summary>
public sealed record EvaluationRequest
{
    public required string CandidateId { get; init; }

    /// <summary>Snapshot whose eval split is used (default: the evaluation snapshot).</summary>
    public string? SnapshotId { get; init; }

    /// <summary><c>live</c> (default) or a candidate id.</summary>
    public string Baseline { get; init; } = "live";

    /// <summary><c>replay</c>, <c>shadow</c>, or null: replay when both models have a client, else shadow.</summary>
    public string? Mode { get; init; }

    /// <summary>At most this many cases (replay) or tasks (shadow).</summary>
    public int? Limit { get; init; }

    public int? Concurrency { get; init; }

    public string? Actor { get; init; }

    public IProgress<int>? Progress { get; init; }
}

/// <summary>Evaluates a candidate against the live model (or another candidate) on a snapshot's eval split —
/// step replay through both models' clients, or shadow comparison of both models' own captured runs of those tasks —
/// stores the report with the gate's decision, and audits it.</summary>
public sealed class EvaluationService(IWhetstoneStore store, AuditLog audit, EvaluationOptions options, TimeProvider time, IModelClientFactory? clients)
{
    public async Task<(EvaluationReport Report, EvaluationRecord Record)> RunAsync(EvaluationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Limit is < 1)
        {
            throw new WhetstoneException(ErrorCode.BadInput, "--limit must be at least 1");
        }

        var candidate = await store.Registry.GetCandidateAsync(request.CandidateId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no candidate with id '{request.CandidateId}'");
        var baselineId = request.Baseline == "live"
            ? (await store.Registry.GetAliasesAsync(cancellationToken)).Live
                ?? throw new WhetstoneException(ErrorCode.Refused, "no live model is recorded: run 'whetstone live init' first, or pass --baseline CANDIDATE", "no_live")
            : request.Baseline;
        var baseline = await store.Registry.GetCandidateAsync(baselineId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no candidate with id '{baselineId}' (the baseline)");
        if (baseline.Id == candidate.Id)
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"{candidate.Id} is the baseline itself; evaluate another candidate against it");
        }

        var snapshotId = request.SnapshotId ?? (await store.Snapshots.GetEvalPointerAsync(cancellationToken))?.SnapshotId
            ?? throw new WhetstoneException(ErrorCode.Refused, "there is no evaluation snapshot yet: take one with 'whetstone dataset snapshot'", "no_snapshot");
        _ = await store.Snapshots.GetAsync(snapshotId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no snapshot with id '{snapshotId}'");

        var callable = IsCallable(candidate) && IsCallable(baseline);
        var mode = request.Mode ?? (callable ? "replay" : "shadow");
        if (mode is not ("replay" or "shadow"))
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"--mode '{mode}' must be replay or shadow");
        }

        if (mode == "replay" && !callable)
        {
            var which = IsCallable(candidate) ? baseline : candidate;
            throw new WhetstoneException(ErrorCode.BadInput,
                $"{which.Id} has no callable client ({which.Client}): it can only be compared by its own runs (--mode shadow)", "no_callable_model");
        }

        var reportId = "eval-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{candidate.Id}\n{baseline.Id}\n{snapshotId}\n{mode}\n{time.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture)}")))[..12];
        var candidateRef = new ModelRef { Id = candidate.Id, Model = candidate.Model, Client = candidate.Client };
        var baselineRef = new ModelRef { Id = baseline.Id, Model = baseline.Model, Client = baseline.Client };
        var embedder = clients?.CreateEmbedder();
        EvaluationReport report;
        try
        {
            report = mode == "replay"
                ? await ReplayAsync(request, candidate, baseline, snapshotId, reportId, candidateRef, baselineRef, embedder, cancellationToken)
                : await ShadowAsync(request, candidate, baseline, snapshotId, reportId, candidateRef, baselineRef, embedder, cancellationToken);
        }
        finally
        {
            clients?.Release(embedder);
        }

        var record = new EvaluationRecord
        {
            Id = report.Id,
            CandidateId = candidate.Id,
            BaselineId = baseline.Id,
            SnapshotId = snapshotId,
            Mode = mode,
            Passed = report.Decision.Passed,
            Reasons = report.Decision.Reasons.Select(r => $"{(r.Passed ? "ok" : "FAIL")} {r.Code}: {r.Detail}").ToList(),
            CreatedAt = time.GetUtcNow(),
            Actor = request.Actor,
            ReportJson = report.ToJson(indented: false),
        };
        await store.Registry.AddEvaluationAsync(record, cancellationToken);
        await audit.AppendAsync(request.Actor ?? "system", "evaluation", [report.Id, candidate.Id, baseline.Id, snapshotId], AuditLog.Payload(
            ("mode", mode), ("passed", report.Decision.Passed), ("primary_metric", report.Comparison.PrimaryMetric),
            ("difference", report.Comparison.Difference), ("cases", report.Cases.Count)), cancellationToken);
        return (report, record);
    }

    private static bool IsCallable(Candidate c) => ClientSpec.Parse(c.Client).Kind != ClientSpec.None;

    /// <summary>The eval split's runs as the snapshot froze them (accepted, with their frozen turn weights).</summary>
    public async Task<List<StoredTrajectory>> EvalRunsAsync(string snapshotId, CancellationToken cancellationToken)
    {
        var runs = new List<StoredTrajectory>();
        await foreach (var entry in PinnedEntries.StreamAsync(store.Snapshots, snapshotId, Split.Eval, cancellationToken))
        {
            runs.Add(new StoredTrajectory
            {
                Trajectory = entry.Trajectory,
                Verdict = new Quality.QualityVerdict
                {
                    Accepted = true,
                    Score = 1,
                    PolicyVersion = "snapshot",
                    TurnWeights = entry.Item.TurnWeights,
                },
                IngestedAt = time.GetUtcNow(),
            });
        }

        return runs;
    }

    /// <summary>The replay cases of a snapshot's eval split (for <c>eval cases</c> and batch jobs).</summary>
    public async Task<IReadOnlyList<EvalCase>> CasesAsync(string? snapshotId, int? limit, CancellationToken cancellationToken)
    {
        var id = snapshotId ?? (await store.Snapshots.GetEvalPointerAsync(cancellationToken))?.SnapshotId
            ?? throw new WhetstoneException(ErrorCode.Refused, "there is no evaluation snapshot yet", "no_snapshot");
        _ = await store.Snapshots.GetAsync(id, cancellationToken) ?? throw new WhetstoneException(ErrorCode.NotFound, $"no snapshot with id '{id}'");
        var cases = EvalCases.FromStored(await EvalRunsAsync(id, cancellationToken));
        return limit is { } n ? cases.Take(n).ToList() : cases;
    }

    private async Task<EvaluationReport> ReplayAsync(EvaluationRequest request, Candidate candidate, Candidate baseline, string snapshotId, string reportId,
        ModelRef candidateRef, ModelRef baselineRef, ITextEmbedder? embedder, CancellationToken cancellationToken)
    {
        var factory = clients ?? throw new WhetstoneException(ErrorCode.InvalidConfiguration, "this host cannot call models");
        var cases = await CasesAsync(snapshotId, request.Limit, cancellationToken);
        var candidateClient = factory.Create(candidate);
        try
        {
            var baselineClient = factory.Create(baseline);
            try
            {
                return await new EvaluationRunner(options, time, embedder).RunAsync(cases, candidateClient, baselineClient, new ReplayRunOptions
                {
                    Candidate = candidateRef,
                    Baseline = baselineRef,
                    Snapshot = snapshotId,
                    Concurrency = request.Concurrency,
                    ReportId = reportId,
                    Progress = request.Progress,
                }, cancellationToken);
            }
            finally
            {
                factory.Release(baselineClient);
            }
        }
        finally
        {
            factory.Release(candidateClient);
        }
    }

    private async Task<EvaluationReport> ShadowAsync(EvaluationRequest request, Candidate candidate, Candidate baseline, string snapshotId, string reportId,
        ModelRef candidateRef, ModelRef baselineRef, ITextEmbedder? embedder, CancellationToken cancellationToken)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var run in await EvalRunsAsync(snapshotId, cancellationToken))
        {
            keys.Add(ShadowComparer.TaskKeyOf(run.Trajectory));
        }

        var taskKeys = (request.Limit is { } n ? keys.Take(n) : keys).ToHashSet(StringComparer.Ordinal);
        var candidateRuns = await RunsOfAsync(candidate.Model, taskKeys, cancellationToken);
        var baselineRuns = await RunsOfAsync(baseline.Model, taskKeys, cancellationToken);
        return new ShadowComparer(options, time, embedder).Compare(candidateRuns, baselineRuns, new ShadowRunOptions
        {
            Candidate = candidateRef,
            Baseline = baselineRef,
            Snapshot = snapshotId,
            TaskKeys = taskKeys,
            ReportId = reportId,
        }, cancellationToken);
    }

    /// <summary>Every stored run of a model (accepted or not) on the given tasks.</summary>
    private async Task<List<StoredTrajectory>> RunsOfAsync(string model, IReadOnlySet<string> taskKeys, CancellationToken cancellationToken)
    {
        var runs = new List<StoredTrajectory>();
        await foreach (var run in store.Trajectories.StreamAsync(new TrajectoryFilter { ModelName = model }, cancellationToken))
        {
            if (taskKeys.Contains(ShadowComparer.TaskKeyOf(run.Trajectory)))
            {
                runs.Add(run);
            }
        }

        return runs;
    }
}
