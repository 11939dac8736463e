using System.Diagnostics;
using System.Globalization;
using Whetstone;
using Whetstone.Bench;
using Whetstone.Quality;
using Whetstone.Quality.NearDuplicates;
using Whetstone.Trajectories;

// Benchmarks of the quality stage (Release build, one process, one thread unless said otherwise).
//   scoring [N=100000]          per-run scoring of N generated runs on one thread (after a warm-up)
//   scoring-file FILE [FORMAT]  per-run scoring of the runs of a file (read first, then scored on one thread, 20 rounds)
//   neardup [N=1000000]         MinHash signatures + LSH near-duplicate clustering of N generated runs (10 % planted
//                               near-duplicates), with managed memory at checkpoints
//   rules FILE|gen [FORMAT]     CPU time per run of the analysis and of each rule (for finding hot spots)
//   micro [FILE]                wall time per run of scoring with all / no / one rule and of the analysis parts
var mode = args.Length > 0 ? args[0] : "scoring";
switch (mode)
{
    case "scoring":
        Scoring(Count(1, 100_000));
        break;
    case "scoring-file":
        ScoringFile(args[1], args.Length > 2 ? args[2] : TrajectoryFormats.Auto);
        break;
    case "rules":
        Rules(args[1], args.Length > 2 ? args[2] : TrajectoryFormats.Auto);
        break;
    case "micro":
        Micro(args.Length > 1 ? Load(args[1], TrajectoryFormats.Auto) : null);
        break;
    case "neardup":
        NearDup(Count(1, 1_000_000));
        break;
    default:
        Console.Error.WriteLine("usage: Whetstone.Bench scoring [N] | scoring-file FILE [FORMAT] | neardup [N] | rules FILE|gen [FORMAT] | micro [FILE]");
        return 2;
}

return 0;

int Count(int at, int fallback) => args.Length > at ? int.Parse(args[at], CultureInfo.InvariantCulture) : fallback;

static QualityScorer NewScorer() => new(QualityPolicy.Default, TimeProvider.System);

static void Scoring(int n)
{
    var scorer = NewScorer();
    const int batch = 10_000;
    var gen = new Generator(7);
    var runs = Enumerable.Range(0, batch).Select(gen.Next).ToArray();
    foreach (var t in runs.Take(2000))
    {
        scorer.Score(t);
    }

    var accepted = 0;
    var cpu = Cpu();
    var sw = Stopwatch.StartNew();
    for (var done = 0; done < n; done += batch)
    {
        for (var i = 0; i < batch && done + i < n; i++)
        {
            if (scorer.Score(runs[i]).Accepted)
            {
                accepted++;
            }
        }
    }

    sw.Stop();
    var used = Cpu() - cpu;
    Console.WriteLine($"scoring: {n:N0} generated runs on one thread: wall {sw.Elapsed.TotalSeconds:0.00} s = {n / sw.Elapsed.TotalSeconds:N0} runs/s; " +
        $"CPU {used.TotalSeconds:0.00} s = {n / used.TotalSeconds:N0} runs per CPU-second ({accepted:N0} accepted)");
}

static Trajectory[] Load(string file, string format)
{
    using var stream = File.OpenRead(file);
    return TrajectoryFileReader.Read(stream, Path.GetFileName(file), format).Where(i => i.Trajectory is not null).Select(i => i.Trajectory!).ToArray();
}

static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

static void ScoringFile(string file, string format)
{
    var scorer = NewScorer();
    var runs = Load(file, format);
    for (var w = 0; w < 3; w++)
    {
        foreach (var t in runs)
        {
            scorer.Score(t);
        }
    }

    var rounds = Math.Max(20, 100_000 / runs.Length);
    var cpu = Cpu();
    var sw = Stopwatch.StartNew();
    for (var r = 0; r < rounds; r++)
    {
        foreach (var t in runs)
        {
            scorer.Score(t);
        }
    }

    sw.Stop();
    var used = Cpu() - cpu;
    var n = runs.Length * rounds;
    Console.WriteLine($"scoring {Path.GetFileName(file)}: {runs.Length:N0} runs x {rounds} rounds on one thread: wall {sw.Elapsed.TotalSeconds:0.00} s = {n / sw.Elapsed.TotalSeconds:N0} runs/s; " +
        $"CPU {used.TotalSeconds:0.00} s = {n / used.TotalSeconds:N0} runs per CPU-second");
}

static void Rules(string file, string format)
{
    var runs = file == "gen" ? Enumerable.Range(0, 5000).Select(new Generator(7).Next).ToArray() : Load(file, format);
    var policy = QualityPolicy.Default;
    var analyses = runs.Select(t => new RunAnalysis(t)).ToArray();
    var cpu = Cpu();
    for (var r = 0; r < 10; r++)
    {
        analyses = runs.Select(t => new RunAnalysis(t)).ToArray();
    }

    var scorer = NewScorer();
    foreach (var t in runs)
    {
        scorer.Score(t);
    }

    var all = Cpu();
    foreach (var t in runs)
    {
        scorer.Score(t);
    }

    Console.WriteLine($"  whole verdict: {(Cpu() - all).TotalMicroseconds / runs.Length:0.0} us/run (CPU)");
    var json = Cpu();
    foreach (var t in runs)
    {
        System.Text.Json.JsonSerializer.Serialize(scorer.Score(t), WhetstoneJson.Compact.QualityVerdict);
    }

    Console.WriteLine($"  verdict + JSON: {(Cpu() - json).TotalMicroseconds / runs.Length:0.0} us/run (CPU), {System.Text.Json.JsonSerializer.Serialize(scorer.Score(runs[0]), WhetstoneJson.Compact.QualityVerdict).Length} chars");
    Console.WriteLine($"  analysis: {(Cpu() - cpu).TotalMicroseconds / (runs.Length * 10):0.0} us/run (CPU)");
    foreach (var rule in QualityScorer.DefaultRules())
    {
        foreach (var a in analyses)
        {
            rule.Evaluate(a, new QualitySignalSink(policy, [], a.OutcomeKnown));
        }

        var watch = Stopwatch.StartNew();
        var before = Cpu();
        for (var r = 0; r < 10; r++)
        {
            foreach (var a in analyses)
            {
                var signals = new List<QualitySignal>();
                rule.Evaluate(a, new QualitySignalSink(policy, signals, a.OutcomeKnown));
            }
        }

        Console.WriteLine($"  {rule.GetType().Name,-24} {(Cpu() - before).TotalMicroseconds / (runs.Length * 10):0.0} us/run (CPU)");
    }
}

static void Micro(Trajectory[]? given)
{
    var runs = given ?? Enumerable.Range(0, 5000).Select(new Generator(7).Next).ToArray();
    var calls = runs.SelectMany(t => t.Messages.Where(m => m.HasToolCalls).SelectMany(m => m.ToolCalls!).Select(c => (t, c))).ToArray();
    var results = runs.SelectMany(t => t.Messages.Where(m => m.Role == Role.Tool)).ToArray();
    void Time(string name, Action body)
    {
        body();
        var sw = Stopwatch.StartNew();
        for (var r = 0; r < 10; r++)
        {
            body();
        }

        Console.WriteLine($"  {name,-28} {sw.Elapsed.TotalMicroseconds / (runs.Length * 10):0.00} us/run");
    }

    var full = new QualityScorer(QualityPolicy.Default, TimeProvider.System);
    var bare = new QualityScorer(QualityPolicy.Default, TimeProvider.System, []);
    Time("Score (all rules)", () => { foreach (var t in runs) { full.Score(t); } });
    Time("Score (no rules)", () => { foreach (var t in runs) { bare.Score(t); } });
    foreach (var rule in QualityScorer.DefaultRules())
    {
        var one = new QualityScorer(QualityPolicy.Default, TimeProvider.System, [rule]);
        Time("  + " + rule.GetType().Name, () => { foreach (var t in runs) { one.Score(t); } });
    }

    Time("Score (all rules) again", () => { foreach (var t in runs) { full.Score(t); } });
    Time("new RunAnalysis", () => { foreach (var t in runs) { _ = new RunAnalysis(t); } });
    Time("schema checks", () => { foreach (var (t, c) in calls) { if (c.Arguments is { } a && t.Tools.FirstOrDefault(x => x.Name == c.Name)?.Parameters is { } p) { JsonSchemaCheck.Check(p, a); } } });
    Time("result error+empty", () => { foreach (var m in results) { TextCues.IsToolError(TextCues.HeadSpan(m.Content ?? "", 400)); TextCues.IsEmptyResult(TextCues.HeadSpan(m.Content ?? "", 400)); } });
    Time("unknown tool regex", () => { foreach (var m in results) { TextCues.UnknownToolResult().IsMatch(TextCues.HeadSpan(m.Content ?? "", 400)); } });
    Time("IsToolError", () => { foreach (var m in results) { TextCues.IsToolError(TextCues.HeadSpan(m.Content ?? "", 400)); } });
    Time("IsEmptyResult", () => { foreach (var m in results) { TextCues.IsEmptyResult(TextCues.HeadSpan(m.Content ?? "", 400)); } });
    Time("CallInfo ctor", () => { foreach (var (t, c) in calls) { _ = new RunAnalysis.CallInfo(0, 0, c, t.Tools[0]); } });
    Time("CallInfo ctor no tool", () => { foreach (var (t, c) in calls) { _ = new RunAnalysis.CallInfo(0, 0, c, null); } });
    Time("ArgumentsText", () => { foreach (var (t, c) in calls) { _ = c.ArgumentsText(); } });
}

static void NearDup(int n)
{
    var gen = new Generator(11, duplicateShare: 0.1);
    var hasher = new MinHasher();
    var index = new NearDuplicateIndex(QualityPolicy.Default.Options.NearDuplicateThreshold);
    var signature = new byte[MinHasher.Bytes];
    var generate = TimeSpan.Zero;
    var sign = Stopwatch.StartNew();
    sign.Stop();
    var baseline = GC.GetTotalMemory(forceFullCollection: true);
    var checkpoints = new[] { n / 10, n / 4, n / 2, n };
    var next = 0;
    for (var i = 0; i < n; i++)
    {
        var g = Stopwatch.GetTimestamp();
        var t = gen.Next(i);
        generate += Stopwatch.GetElapsedTime(g);
        sign.Start();
        hasher.Sign(t, signature);
        index.Add(signature, 0, QualityService.TaskKey(t));
        sign.Stop();
        if (next < checkpoints.Length && i + 1 == checkpoints[next])
        {
            var mem = GC.GetTotalMemory(forceFullCollection: true) - baseline;
            Console.WriteLine($"  {i + 1,10:N0} runs signed: index holds {index.HeldBytes / 1048576.0:0.0} MiB ({(double)index.HeldBytes / (i + 1):0} bytes/run); " +
                $"managed heap grew {mem / 1048576.0:0.0} MiB");
            next++;
        }
    }

    var build = Stopwatch.StartNew();
    var result = index.Build();
    build.Stop();
    var afterBuild = GC.GetTotalMemory(forceFullCollection: false) - baseline;
    var duplicates = 0;
    var clusters = 0;
    for (var i = 0; i < n; i++)
    {
        if (result.DuplicateRoot[i] != i)
        {
            duplicates++;
        }

        if (result.ClusterRoot[i] == i)
        {
            clusters++;
        }
    }

    var peak = Process.GetCurrentProcess().PeakWorkingSet64;
    Console.WriteLine($"neardup: {n:N0} runs, threshold {index.Threshold} ({index.Bands} bands x {index.Rows} rows): " +
        $"sign + index {sign.Elapsed.TotalSeconds:0.0} s, LSH clustering {build.Elapsed.TotalSeconds:0.0} s, total {(sign.Elapsed + build.Elapsed).TotalSeconds:0.0} s " +
        $"(generating the runs took another {generate.TotalSeconds:0.0} s)");
    Console.WriteLine($"  planted near-duplicates {gen.Planted:N0}, found {duplicates:N0}; {clusters:N0} clusters; {result.Comparisons:N0} candidate comparisons; " +
        $"managed memory after clustering {afterBuild / 1048576.0:0} MiB; peak working set {peak / 1048576.0:0} MiB");
}
