using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Whetstone.Quality.NearDuplicates;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Quality;

/// <summary>The quality stage: the per-run scorer used at ingest, the set-level rescoring of a whole store
/// (near-duplicates, inefficient paths, answer consensus, task clusters) and human overrides.</summary>
public sealed class QualityService
{
    /// <summary>Runs read per page and verdicts written per transaction while rescoring.</summary>
    public const int PageSize = 512;

    private readonly QualityScorer _scorer;
    private readonly TimeProvider _time;
    private readonly Evaluation.IModelClientFactory? _models;

    /// <param name="models">Gives the sentence embedder when <see cref="Configuration.QualityOptions.SemanticClusterThreshold"/>
    /// is on.</param>
    public QualityService(QualityPolicy policy, TimeProvider time, Evaluation.IModelClientFactory? models = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _time = time ?? TimeProvider.System;
        _models = models;
        _scorer = new QualityScorer(policy, _time);
    }

    public QualityPolicy Policy => _scorer.Policy;

    /// <summary>The per-run scorer (what ingest applies).</summary>
    public ITrajectoryScorer Scorer => _scorer;

    /// <summary>
    /// Re-scores every stored run with the current policy and recomputes the set-level rules: task clusters
    /// (<see cref="QualityVerdict.ClusterId"/>, used by dataset splits), near-duplicates within one model (only
    /// the best-scored run of a set stays accepted; the others get <see cref="QualityVerdict.NearDuplicateOf"/>),
    /// <c>inefficient_path</c> against the shortest accepted run of the cluster, and — for runs that report no
    /// outcome — agreement of short final answers with the other runs of the task. Human overrides are kept.
    /// <para>Streams the store twice in pages of <see cref="PageSize"/> and holds about 200 bytes per run in
    /// between (signature, scores, id); verdicts are written in batches of <see cref="PageSize"/>, one transaction
    /// each. Runs stored after the first pass started keep their ingest verdicts until the next rescore.</para>
    /// </summary>
    public async Task<RescoreSummary> RescoreAsync(ITrajectoryStore store, IProgress<RescoreProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var options = Policy.Options;
        var hasher = new MinHasher();
        var index = new NearDuplicateIndex(options.NearDuplicateThreshold);
        var facts = new RunFactsTable();
        var models = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = (await store.CountAsync(cancellationToken)).Total;
        var semantic = options.SemanticClusterThreshold > 0;
        var taskTexts = new List<(ulong Key, string Text)>();
        var seenTasks = new HashSet<ulong>();

        // Pass 1: per-run scores and what the set-level rules compare.
        long last = 0;
        var signature = new byte[MinHasher.Bytes];
        await foreach (var page in Pages(store, long.MaxValue, cancellationToken))
        {
            var scored = EvaluateAll(page, cancellationToken);
            for (var i = 0; i < page.Count; i++)
            {
                var t = page[i].Trajectory;
                var run = scored[i];
                hasher.Sign(t, signature);
                var model = t.Model?.Name ?? "";
                if (!models.TryGetValue(model, out var group))
                {
                    group = models.Count;
                    models[model] = group;
                }

                var task = TaskKey(t);
                if (semantic && task != 0 && MinHasher.TaskText(t) is { } taskText && seenTasks.Add(task))
                {
                    if (taskTexts.Count == options.SemanticClusterMaxTasks)
                    {
                        throw new WhetstoneException(ErrorCode.InvalidConfiguration,
                            $"semantic task clustering would embed more than {options.SemanticClusterMaxTasks} distinct tasks: raise " +
                            $"{Configuration.QualityOptions.Key}:{nameof(Configuration.QualityOptions.SemanticClusterMaxTasks)} (a few ms a task) " +
                            $"or set {Configuration.QualityOptions.Key}:{nameof(Configuration.QualityOptions.SemanticClusterThreshold)} to 0; nothing was changed");
                    }

                    taskTexts.Add((task, taskText));
                }

                index.Add(signature, group, task);
                facts.Add(page[i].Sequence, t.Id, task, run.AcceptedAlone(Policy), run.ScoreAlone, run.Analysis.TurnCount,
                    run.Analysis.OutcomeKnown ? 0 : AnswerKey(run.Analysis.FinalAnswer, options.ConsensusMaxAnswerWords, page[i].Redaction.AnswerKey));
                last = page[i].Sequence;
            }

            progress?.Report(new RescoreProgress(1, facts.Count, total));
        }

        var merge = semantic ? GroupByMeaning(taskTexts, options.SemanticClusterThreshold, progress, cancellationToken) : null;
        var sets = index.Build(cancellationToken, merge);
        var clusters = ClusterFacts.Compute(facts, sets);

        // Pass 2: compose and write the verdicts.
        var summary = new RescoreSummary.Builder(Policy.Version);
        var done = 0;
        await foreach (var page in Pages(store, last, cancellationToken))
        {
            var scored = EvaluateAll(page, cancellationToken);
            var updates = new List<KeyValuePair<string, QualityVerdict>>(page.Count);
            for (var i = 0; i < page.Count; i++)
            {
                var item = facts.IndexOf(page[i].Sequence);
                if (item < 0)
                {
                    continue;
                }

                var verdict = ComposeSet(scored[i], item, facts, sets, clusters, page[i].Verdict.Override);
                updates.Add(new(page[i].Id, verdict));
                summary.Add(page[i], verdict);
            }

            await store.UpdateVerdictsAsync(updates, cancellationToken);
            done += page.Count;
            progress?.Report(new RescoreProgress(2, done, facts.Count));
        }

        return summary.Build(clusters.ClusterCount) with
        {
            SemanticTasks = merge?.Tasks, SemanticallyJoined = merge?.Canonical.Count, LargestSemanticGroup = merge?.LargestGroup,
        };
    }

    private SemanticMerge GroupByMeaning(List<(ulong Key, string Text)> tasks, double threshold, IProgress<RescoreProgress>? progress,
        CancellationToken cancellationToken)
    {
        var embedder = _models?.CreateEmbedder() ?? throw new WhetstoneException(ErrorCode.InvalidConfiguration,
            $"{Configuration.QualityOptions.Key}:{nameof(Configuration.QualityOptions.SemanticClusterThreshold)} is on but no sentence embedder " +
            "is available here (WHETSTONE_NO_EMBEDDINGS=1?); nothing was changed");
        try
        {
            return SemanticTaskGroups.Group(tasks, embedder, threshold, cancellationToken,
                progress is null ? null : done => progress.Report(new RescoreProgress(3, done, tasks.Count)));
        }
        finally
        {
            _models!.Release(embedder);
        }
    }

    /// <summary>Records a reviewer's decision on one run; it wins over the rules and survives rescoring.</summary>
    public async Task<StoredTrajectory> ReviewAsync(ITrajectoryStore store, string id, bool accept, string reason, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new WhetstoneException(ErrorCode.BadInput, "a review needs a reason");
        }

        if (string.IsNullOrWhiteSpace(actor))
        {
            throw new WhetstoneException(ErrorCode.BadInput, "a review needs the reviewer's name");
        }

        var decision = new HumanOverride { Accepted = accept, Reason = reason.Trim(), Actor = actor.Trim(), At = _time.GetUtcNow() };
        return await store.UpdateAsync(id, s => s with { Verdict = s.Verdict with { Override = decision } }, cancellationToken);
    }

    private QualityVerdict ComposeSet(RunScore run, int item, RunFactsTable facts, NearDuplicateResult sets, ClusterFacts clusters, HumanOverride? humanOverride)
    {
        var options = Policy.Options;
        var signals = new List<QualitySignal>(2);
        var sink = new QualitySignalSink(Policy, signals, run.Analysis.OutcomeKnown);
        string? duplicateOf = null;
        var representative = clusters.Representative(sets.DuplicateRoot[item]);
        if (representative != item)
        {
            duplicateOf = facts.Id(representative);
            sink.Add(QualityCodes.NearDuplicate,
                $"near-duplicate (similarity >= {F(options.NearDuplicateThreshold)}) of the better-scored run {duplicateOf} of the same model");
        }

        var root = sets.ClusterRoot[item];
        var shortest = clusters.ShortestAccepted(root);
        var steps = facts.Steps(item);
        if (shortest > 0 && steps > options.InefficientPathFactor * shortest && steps - shortest >= 2)
        {
            sink.Add(QualityCodes.InefficientPath,
                $"{steps} steps; the shortest accepted run of the task cluster took {shortest} (factor {F(options.InefficientPathFactor)})");
        }

        var answer = facts.Answer(item);
        var task = facts.Task(item);
        if (answer != 0 && task != 0)
        {
            // Label-free consensus: the answer should be the majority answer of the other runs of the same task.
            var peers = clusters.Answers(task) - 1;
            if (peers > 0)
            {
                var agreeing = clusters.Agreeing(task, answer) - 1;
                if (agreeing * 2 > peers)
                {
                    sink.Add(QualityCodes.AnswerAgreesWithPeers, $"the answer matches {agreeing} of the {peers} other answer(s) of the task");
                }
                else
                {
                    sink.Add(QualityCodes.AnswerDisagreesWithPeers, agreeing == 0
                        ? $"the answer matches none of the {peers} other answer(s) of the task"
                        : $"the answer matches only {agreeing} of the {peers} other answer(s) of the task (no majority)");
                }
            }
        }

        return _scorer.Compose(run, signals, ClusterId(facts.Id(root)), duplicateOf, humanOverride);
    }

    private RunScore[] EvaluateAll(IReadOnlyList<StoredTrajectory> page, CancellationToken cancellationToken)
    {
        var scored = new RunScore[page.Count];
        Parallel.For(0, page.Count, new ParallelOptions { CancellationToken = cancellationToken },
            i => scored[i] = _scorer.Evaluate(page[i].Trajectory));
        return scored;
    }

    private static async IAsyncEnumerable<List<StoredTrajectory>> Pages(ITrajectoryStore store, long upTo,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            var page = new List<StoredTrajectory>(PageSize);
            await foreach (var s in store.StreamAsync(new TrajectoryFilter { AfterSequence = after, Limit = PageSize }, cancellationToken))
            {
                if (s.Sequence > upTo)
                {
                    break;
                }

                page.Add(s);
            }

            if (page.Count == 0)
            {
                yield break;
            }

            after = page[^1].Sequence;
            yield return page;
            if (page.Count < PageSize || after >= upTo)
            {
                yield break;
            }
        }
    }

    /// <summary>Stable cluster id: <c>c-</c> + 16 hex digits of xxHash64 over the id of the cluster's earliest run.</summary>
    public static string ClusterId(string anchorId) =>
        "c-" + XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(anchorId)).ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Runs with the same task: the task key when given, else the normalised task text (0 = none).</summary>
    internal static ulong TaskKey(Trajectory t)
    {
        if (!string.IsNullOrWhiteSpace(t.TaskKey))
        {
            return NonZero(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes("k:" + t.TaskKey.Trim())));
        }

        return MinHasher.TaskText(t) is { } text ? NonZero(HashNormalised("t:", text, int.MaxValue)) : 0;
    }

    /// <summary>Hash of a short final answer (lower-case words of letters and digits); 0 when there is none or it
    /// has more than <paramref name="maxWords"/> words. When the redactor recorded a key of the answer as it was
    /// before redaction (<see cref="Redaction.RedactionReport.AnswerKey"/>), that key is compared instead of the
    /// stored text: the same name may be replaced in one run's answer and not in another's.</summary>
    internal static ulong AnswerKey(string? answer, int maxWords, string? keyBeforeRedaction = null)
    {
        if (string.IsNullOrWhiteSpace(answer) || TextCues.Words(answer, maxWords) > maxWords)
        {
            return 0;
        }

        return keyBeforeRedaction is { Length: > 0 } key
            ? NonZero(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes("r:" + key)))
            : HashNormalised("a:", answer, maxWords);
    }

    private static ulong HashNormalised(string prefix, string text, int maxWords)
    {
        var sb = new StringBuilder(prefix, Math.Min(text.Length, 4096) + prefix.Length);
        return TextCues.AppendNormalisedWords(sb, text, maxWords) == 0
            ? 0
            : NonZero(XxHash64.HashToUInt64(MemoryMarshal.AsBytes(sb.ToString().AsSpan())));
    }

    private static ulong NonZero(ulong h) => h == 0 ? 1 : h;

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The compact per-run facts kept between the two passes.</summary>
    private sealed class RunFactsTable
    {
        private readonly List<long> _sequences = [];
        private readonly List<string> _ids = [];
        private readonly List<ulong> _tasks = [];
        private readonly List<bool> _accepted = [];
        private readonly List<float> _scores = [];
        private readonly List<int> _steps = [];
        private readonly List<ulong> _answers = [];

        public int Count => _ids.Count;

        public void Add(long sequence, string id, ulong task, bool accepted, double score, int steps, ulong answer)
        {
            _sequences.Add(sequence);
            _ids.Add(id);
            _tasks.Add(task);
            _accepted.Add(accepted);
            _scores.Add((float)score);
            _steps.Add(steps);
            _answers.Add(answer);
        }

        /// <summary>Item of a sequence number (pass 1 reads in sequence order), or -1.</summary>
        public int IndexOf(long sequence)
        {
            var i = _sequences.BinarySearch(sequence);
            return i < 0 ? -1 : i;
        }

        public string Id(int item) => _ids[item];

        public ulong Task(int item) => _tasks[item];

        public bool Accepted(int item) => _accepted[item];

        public float Score(int item) => _scores[item];

        public int Steps(int item) => _steps[item];

        public ulong Answer(int item) => _answers[item];
    }

    /// <summary>Aggregates per task cluster and near-duplicate set.</summary>
    private sealed class ClusterFacts
    {
        private readonly Dictionary<int, int> _shortest = [];
        private readonly Dictionary<ulong, int> _answers = [];
        private readonly Dictionary<(ulong Task, ulong Answer), int> _agreeing = [];
        private readonly Dictionary<int, int> _representative = [];

        public int ClusterCount { get; private set; }

        public static ClusterFacts Compute(RunFactsTable facts, NearDuplicateResult sets)
        {
            var c = new ClusterFacts();
            for (var i = 0; i < facts.Count; i++)
            {
                var root = sets.ClusterRoot[i];
                if (root == i)
                {
                    c.ClusterCount++;
                }

                if (facts.Accepted(i) && facts.Steps(i) > 0)
                {
                    c._shortest[root] = c._shortest.TryGetValue(root, out var s) ? Math.Min(s, facts.Steps(i)) : facts.Steps(i);
                }

                if (facts.Answer(i) is not 0 and var answer && facts.Task(i) is not 0 and var task)
                {
                    c._answers[task] = c._answers.GetValueOrDefault(task) + 1;
                    c._agreeing[(task, answer)] = c._agreeing.GetValueOrDefault((task, answer)) + 1;
                }

                var dup = sets.DuplicateRoot[i];
                if (dup != i || c._representative.ContainsKey(dup))
                {
                    // Best: accepted by the per-run rules, then higher score, then earlier.
                    var best = c._representative.TryGetValue(dup, out var b) ? b : dup;
                    if (Better(facts, i, best))
                    {
                        best = i;
                    }

                    c._representative[dup] = best;
                }
            }

            return c;
        }

        private static bool Better(RunFactsTable facts, int a, int b)
        {
            if (facts.Accepted(a) != facts.Accepted(b))
            {
                return facts.Accepted(a);
            }

            if (Math.Abs(facts.Score(a) - facts.Score(b)) > 1e-6)
            {
                return facts.Score(a) > facts.Score(b);
            }

            return a < b;
        }

        public int Representative(int duplicateRoot) => _representative.TryGetValue(duplicateRoot, out var r) ? r : duplicateRoot;

        public int ShortestAccepted(int root) => _shortest.GetValueOrDefault(root);

        /// <summary>Short final answers of runs of the task (same task key or task text).</summary>
        public int Answers(ulong task) => _answers.GetValueOrDefault(task);

        public int Agreeing(ulong task, ulong answer) => _agreeing.GetValueOrDefault((task, answer));
    }
}

/// <summary>Progress of a rescore: pass 1 reads and scores, pass 2 writes verdicts; between them, with semantic
/// clustering on, pass 3 counts the distinct tasks embedded.</summary>
public sealed record RescoreProgress(int Pass, long Done, long Total);

/// <summary>What a rescore did.</summary>
public sealed record RescoreSummary
{
    public required string PolicyVersion { get; init; }

    public long Total { get; init; }

    public long Accepted { get; init; }

    public long Rejected { get; init; }

    /// <summary>Runs whose effective decision (with overrides) changed.</summary>
    public long Changed { get; init; }

    public long Clusters { get; init; }

    public long NearDuplicates { get; init; }

    public long Overridden { get; init; }

    /// <summary>Rejected runs per reason code.</summary>
    public IReadOnlyDictionary<string, long> ByReason { get; init; } = new Dictionary<string, long>();

    /// <summary>With semantic clustering on: distinct tasks embedded, and how many of them joined another task's
    /// cluster by meaning. Null when it is off.</summary>
    public int? SemanticTasks { get; init; }

    public int? SemanticallyJoined { get; init; }

    /// <summary>With semantic clustering on: the most distinct tasks joined into one group. Joining is transitive,
    /// so a group much larger than a handful means the threshold chains unrelated tasks together.</summary>
    public int? LargestSemanticGroup { get; init; }

    internal sealed class Builder(string policyVersion)
    {
        private readonly SortedDictionary<string, long> _byReason = new(StringComparer.Ordinal);
        private long _total, _accepted, _changed, _duplicates, _overridden;

        public void Add(StoredTrajectory before, QualityVerdict verdict)
        {
            _total++;
            var accepted = verdict.Override?.Accepted ?? verdict.Accepted;
            if (accepted)
            {
                _accepted++;
            }

            if (accepted != before.IsAccepted)
            {
                _changed++;
            }

            if (verdict.NearDuplicateOf is not null)
            {
                _duplicates++;
            }

            if (verdict.Override is not null)
            {
                _overridden++;
            }

            foreach (var r in verdict.Reasons)
            {
                _byReason[r] = _byReason.GetValueOrDefault(r) + 1;
            }
        }

        public RescoreSummary Build(long clusters) => new()
        {
            PolicyVersion = policyVersion,
            Total = _total,
            Accepted = _accepted,
            Rejected = _total - _accepted,
            Changed = _changed,
            Clusters = clusters,
            NearDuplicates = _duplicates,
            Overridden = _overridden,
            ByReason = _byReason,
        };
    }
}
