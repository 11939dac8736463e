using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Whetstone.Redaction;
using Whetstone.Trajectories;

namespace Whetstone.Bench;

/// <summary>Where redaction spends its time, in-process (no process start, no I/O): each detector of the default set
/// alone over every text of a <c>redact</c> input file, then <see cref="Redactor.Find"/> and
/// <see cref="Redactor.RedactText"/> over the same texts, and — given a trajectory file — <see cref="Redactor.Redact"/>
/// per run. Each measurement runs for at least the given seconds after one warm-up pass and is divided by the process's CPU
/// time (not wall time: the machine may be shared); throughput is in MiB of
/// UTF-16 characters (≈ MiB of ASCII text).
/// <para>usage: Whetstone.Bench redaction [--texts FILE.jsonl] [--runs FILE.jsonl [--max-runs N]] [--seconds S=2]
/// [--only NAME]</para></summary>
internal static class RedactionBench
{
    public static int Run(string[] args)
    {
        var textsFile = Arg(args, "--texts");
        var runsFile = Arg(args, "--runs");
        var seconds = double.Parse(Arg(args, "--seconds") ?? "2", CultureInfo.InvariantCulture);
        var only = Arg(args, "--only");
        var maxRuns = int.Parse(Arg(args, "--max-runs") ?? "5000", CultureInfo.InvariantCulture);
        var redactor = new Redactor(DetectorSet.Default(), new byte[32]);

        if (textsFile is not null)
        {
            var texts = File.ReadLines(textsFile).Where(l => l.Length > 0)
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToArray();
            var chars = texts.Sum(t => (long)t.Length);
            Console.WriteLine($"{texts.Length} texts, {chars / 1048576.0:0.0} M chars");
            var findings = new List<Finding>();
            foreach (var d in DetectorSet.Default())
            {
                var name = d.GetType().Name;
                if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var (rate, count) = Measure(texts, chars, seconds, t =>
                {
                    findings.Clear();
                    d.Detect(t, findings);
                    return findings.Count;
                });
                Console.WriteLine($"  {name,-28} {rate,8:0.0} MB/s  {count,7} raw findings");
            }

            if (only is null || only == "find")
            {
                var (rate, count) = Measure(texts, chars, seconds, t => redactor.Find(t).Count);
                Console.WriteLine($"  {"Redactor.Find",-28} {rate,8:0.0} MB/s  {count,7} findings");
            }

            if (only is null || only == "text")
            {
                var (rate, count) = Measure(texts, chars, seconds, t => redactor.RedactText(t).Findings.Count);
                Console.WriteLine($"  {"Redactor.RedactText",-28} {rate,8:0.0} MB/s  {count,7} findings");
            }
        }

        if (runsFile is not null)
        {
            var runs = new List<Trajectory>();
            using (var stream = File.OpenRead(runsFile))
            {
                foreach (var item in TrajectoryFileReader.Read(stream, Path.GetFileName(runsFile)))
                {
                    if (item.Trajectory is { } t)
                    {
                        runs.Add(t);
                    }

                    if (runs.Count >= maxRuns)
                    {
                        break;
                    }
                }
            }

            redactor.Redact(runs[0]);
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var n = 0L;
            var total = 0L;
            while (sw.Elapsed.TotalSeconds < seconds)
            {
                foreach (var t in runs)
                {
                    total += redactor.Redact(t).Report.Total;
                    n++;
                }
            }

            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            Console.WriteLine($"  {"Redactor.Redact (runs)",-28} {n / cpu,8:N0} runs/s  {total / Math.Max(1, n / runs.Count)} redactions per pass of {runs.Count}");
        }

        return 0;
    }

    private static (double Rate, long Count) Measure(string[] texts, long chars, double seconds, Func<string, int> work)
    {
        long count = 0;
        foreach (var t in texts)
        {
            count += work(t);
        }

        // CPU time of the process, not wall time: the machine is shared, and a preempted thread is not slower code.
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var passes = 0;
        while (sw.Elapsed.TotalSeconds < seconds || passes == 0)
        {
            foreach (var t in texts)
            {
                work(t);
            }

            passes++;
        }

        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        return (chars * passes / 1048576.0 / cpu, count);
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
