using System.Runtime.CompilerServices;
using Whetstone.Configuration;
using Whetstone.Quality;
using Whetstone.Storage;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Core.Tests.Quality;

/// <summary>Real sample runs and small builders for the quality tests.</summary>
internal static class QualityTestData
{
    private static readonly Lazy<IReadOnlyDictionary<string, Trajectory>> FireActRuns = new(() => Load(TestPaths.FireAct, TrajectoryFormats.ReAct));
    private static readonly Lazy<IReadOnlyDictionary<string, Trajectory>> ToolTalkRuns = new(() => Load(TestPaths.ToolTalk, TrajectoryFormats.OpenAi));
    private static readonly Lazy<IReadOnlyDictionary<string, Trajectory>> MedAgentBenchRuns = new(() =>
        Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "medagentbench", "medagentbench-openai.jsonl"), TrajectoryFormats.OpenAi));

    public static IReadOnlyDictionary<string, Trajectory> AllFireAct => FireActRuns.Value;

    /// <summary>A FireAct sample run (reports FireAct's success label as its reward).</summary>
    public static Trajectory FireAct(string id) => FireActRuns.Value[id];

    /// <summary>A FireAct sample run with its reported outcome removed (label-free).</summary>
    public static Trajectory FireActUnlabelled(string id) => FireAct(id) with { Outcome = Outcome.Unknown };

    public static Trajectory ToolTalk(string id) => ToolTalkRuns.Value[id];

    public static IReadOnlyDictionary<string, Trajectory> AllMedAgentBench => MedAgentBenchRuns.Value;

    /// <summary>A MedAgentBench run converted to OpenAI format (no outcome reported).</summary>
    public static Trajectory MedAgentBench(string id) => MedAgentBenchRuns.Value[id];

    public static QualityPolicy Policy(Action<QualityOptions>? configure = null)
    {
        var options = new QualityOptions();
        configure?.Invoke(options);
        return QualityPolicy.From(options);
    }

    public static QualityScorer Scorer(QualityPolicy? policy = null) => new(policy ?? QualityPolicy.Default, new FixedTime());

    /// <summary>The signals one rule adds to a run.</summary>
    public static List<QualitySignal> Signals(IQualityRule rule, Trajectory t, QualityPolicy? policy = null)
    {
        var run = new RunAnalysis(t);
        var signals = new List<QualitySignal>();
        rule.Evaluate(run, new QualitySignalSink(policy ?? QualityPolicy.Default, signals, run.OutcomeKnown));
        return signals;
    }

    public static Message User(string text) => new() { Role = Role.User, Content = text };

    public static Message Answer(string text) => new() { Role = Role.Assistant, Content = text };

    public static Message Call(string id, string tool, string argumentsJson) =>
        new() { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = id, Name = tool, Arguments = Some.Json(argumentsJson) }] };

    public static Message Result(string id, string tool, string content, bool? isError = null) =>
        new() { Role = Role.Tool, ToolCallId = id, Name = tool, Content = content, IsError = isError };

    public static ToolSpec Tool(string name, string schema = """{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}""") =>
        new() { Name = name, Parameters = Some.Json(schema) };

    /// <summary>A run with the given messages after a user request, the given tools, no outcome.</summary>
    public static Trajectory Run(string id, IEnumerable<Message> messages, IEnumerable<ToolSpec>? tools = null, string task = "Find the order status", string? model = "m") => new()
    {
        Id = id,
        Task = task,
        Model = model is null ? null : new ModelInfo { Name = model },
        Tools = tools?.ToList() ?? [Tool("search")],
        Messages = [User(task), .. messages],
    };

    private static Dictionary<string, Trajectory> Load(string file, string format)
    {
        using var stream = File.OpenRead(file);
        return TrajectoryFileReader.Read(stream, Path.GetFileName(file), format)
            .Select(i => i.Trajectory ?? throw new InvalidOperationException(i.Error?.ToString()))
            .ToDictionary(t => t.Id, StringComparer.Ordinal);
    }
}

internal sealed class FixedTime : TimeProvider
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>An in-memory trajectory store for the quality service tests (same override rule as the port: a verdict
/// without an override keeps the stored one).</summary>
internal sealed class FakeTrajectoryStore : ITrajectoryStore
{
    private readonly List<StoredTrajectory> _rows = [];

    public int VerdictBatches { get; private set; }

    public int LargestVerdictBatch { get; private set; }

    public Task<IReadOnlyList<InsertResult>> InsertAsync(IReadOnlyList<StoredTrajectory> batch, CancellationToken cancellationToken = default)
    {
        var results = new List<InsertResult>();
        foreach (var s in batch)
        {
            if (_rows.Any(r => r.Id == s.Id))
            {
                results.Add(InsertResult.Duplicate);
                continue;
            }

            _rows.Add(s with { Sequence = _rows.Count + 1 });
            results.Add(InsertResult.Inserted);
        }

        return Task.FromResult<IReadOnlyList<InsertResult>>(results);
    }

    public Task<StoredTrajectory?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_rows.FirstOrDefault(r => r.Id == id));

    public async IAsyncEnumerable<StoredTrajectory> StreamAsync(TrajectoryFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        filter ??= new TrajectoryFilter();
        IEnumerable<StoredTrajectory> rows = _rows.Where(r => r.Sequence > filter.AfterSequence).ToList();
        if (filter.Accepted is { } accepted)
        {
            rows = rows.Where(r => r.IsAccepted == accepted);
        }

        if (filter.Limit is { } limit)
        {
            rows = rows.Take(limit);
        }

        foreach (var r in rows)
        {
            await Task.Yield();
            yield return r;
        }
    }

    public async IAsyncEnumerable<RawTrajectory> StreamRawAsync(TrajectoryFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var r in StreamAsync(filter, cancellationToken))
        {
            yield return new RawTrajectory(r.Sequence, r.Id, r.Trajectory.Model?.Name, r.Trajectory.TaskKey, r.IsAccepted,
                System.Text.Encoding.UTF8.GetBytes(WhetstoneJson.Serialize(r.Trajectory)),
                System.Text.Json.JsonSerializer.Serialize(r.Verdict, WhetstoneJson.Compact.QualityVerdict),
                System.Text.Json.JsonSerializer.Serialize(r.Redaction, WhetstoneJson.Compact.RedactionReport));
        }
    }

    public Task<StoredTrajectory> UpdateAsync(string id, Func<StoredTrajectory, StoredTrajectory> change, CancellationToken cancellationToken = default)
    {
        var i = _rows.FindIndex(r => r.Id == id);
        if (i < 0)
        {
            throw new WhetstoneException(ErrorCode.NotFound, $"no trajectory with id '{id}'");
        }

        _rows[i] = change(_rows[i]) with { Sequence = _rows[i].Sequence };
        return Task.FromResult(_rows[i]);
    }

    public Task UpdateVerdictsAsync(IReadOnlyList<KeyValuePair<string, QualityVerdict>> verdicts, CancellationToken cancellationToken = default)
    {
        VerdictBatches++;
        LargestVerdictBatch = Math.Max(LargestVerdictBatch, verdicts.Count);
        foreach (var (id, verdict) in verdicts)
        {
            var i = _rows.FindIndex(r => r.Id == id);
            _rows[i] = _rows[i] with { Verdict = verdict with { Override = verdict.Override ?? _rows[i].Verdict.Override } };
        }

        return Task.CompletedTask;
    }

    public Task<StoreCounts> CountAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new StoreCounts { Total = _rows.Count, Accepted = _rows.Count(r => r.IsAccepted), LastSequence = _rows.Count });

    public Task<StoreTotals> TotalsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new StoreTotals(_rows.Count, _rows.Count(r => r.IsAccepted), _rows.Count));

    public async Task AddAsync(QualityScorer scorer, params Trajectory[] runs)
    {
        await InsertAsync(runs.Select(t => new StoredTrajectory { Trajectory = t, Verdict = scorer.Score(t), IngestedAt = FixedTime.Now }).ToList());
    }

    public StoredTrajectory this[string id] => _rows.Single(r => r.Id == id);
}
