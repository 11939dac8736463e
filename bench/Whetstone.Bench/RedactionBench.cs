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
/// [--only NAME] | redaction --startup | redaction --write-names FILE</para></summary>
internal static class RedactionBench
{
    public static int Run(string[] args)
    {
        var textsFile = Arg(args, "--texts");
        var runsFile = Arg(args, "--runs");
        var seconds = double.Parse(Arg(args, "--seconds") ?? "2", CultureInfo.InvariantCulture);
        var only = Arg(args, "--only");
        var maxRuns = int.Parse(Arg(args, "--max-runs") ?? "5000", CultureInfo.InvariantCulture);
        if (Arg(args, "--write-names") is { } namesFile)
        {
            // The embedded name lists, taken anew from Bogus's locale data.
            File.WriteAllText(namesFile, Whetstone.Redaction.Detectors.NameLists.FromBogus().Serialize());
            return 0;
        }

        if (args.Contains("--startup"))
        {
            // What the first redaction in a fresh process costs, step by step (run it in a fresh process).
            var sw0 = Stopwatch.StartNew();
            var names = Whetstone.Redaction.Detectors.NameLists.Instance;
            Console.WriteLine($"  name lists loaded          {sw0.Elapsed.TotalMilliseconds,7:0.0} ms ({names.FirstNames.Count} + {names.Surnames.Count})");
            sw0.Restart();
            _ = PhoneNumbers.PhoneNumberUtil.GetInstance();
            Console.WriteLine($"  phone metadata loaded      {sw0.Elapsed.TotalMilliseconds,7:0.0} ms");
            sw0.Restart();
            var detectors = DetectorSet.Default();
            Console.WriteLine($"  detectors constructed      {sw0.Elapsed.TotalMilliseconds,7:0.0} ms");
            sw0.Restart();
            var first = new Redactor(detectors, new byte[32]);
            first.Find("Hi Maria, call +44 20 7946 0958 or mail john@example.com; password=hunter2hunter2 ghp_R7mQ2xK9pL4vN8sT1wY6zA3cF5hJ0dG2bE4k 4111 1111 1111 1111 at 742 Evergreen Terrace");
            Console.WriteLine($"  first Find                 {sw0.Elapsed.TotalMilliseconds,7:0.0} ms");
            sw0.Restart();
            first.Find("Dear John,\nthe token is eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijk and ssn 123-45-6789 born 1980-01-02");
            Console.WriteLine($"  second Find                {sw0.Elapsed.TotalMilliseconds,7:0.0} ms");
            return 0;
        }

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

            if (only is null || only == "io")
            {
                // What the redact command adds around RedactText: the input line parsed, the output line written.
                var lines = File.ReadLines(textsFile).Where(l => l.Length > 0).Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
                var sink = new MemoryStream();
                var index = 0;
                var (rate, count) = Measure(texts, chars, seconds, _ =>
                {
                    var reader = new Utf8JsonReader(lines[index++ % lines.Length]);
                    string? text = null;
                    while (reader.Read())
                    {
                        if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("text"u8))
                        {
                            reader.Read();
                            text = reader.GetString();
                        }
                    }

                    var (redacted, findings) = redactor.RedactText(text!);
                    sink.Position = 0;
                    using var writer = new Utf8JsonWriter(sink, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
                    writer.WriteStartObject();
                    writer.WriteString("redacted"u8, redacted);
                    writer.WriteStartArray("findings"u8);
                    foreach (var f in findings)
                    {
                        writer.WriteStartObject();
                        writer.WriteNumber("start"u8, f.Start);
                        writer.WriteNumber("end"u8, f.End);
                        writer.WriteString("kind"u8, f.Kind);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                    return findings.Count;
                });
                Console.WriteLine($"  {"parse + RedactText + write",-28} {rate,8:0.0} MB/s  {count,7} findings");
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
