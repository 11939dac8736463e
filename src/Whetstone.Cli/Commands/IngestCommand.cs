using System.CommandLine;
using Spectre.Console;
using Whetstone.Ingest;
using Whetstone.Trajectories;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone ingest FILE… [--format auto|whetstone|openai|orcbot|react]</c>: reads, redacts, scores
/// and stores runs. Bad records are reported with file and line and skipped; exit 2 if any was bad.</summary>
internal static class IngestCommand
{
    public static Command Create(CliEnvironment env)
    {
        var files = new Argument<string[]>("files") { Description = "Files to import (JSON Lines or JSON)", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format")
        {
            Description = "Input format: auto (default), whetstone, openai, orcbot, react",
            DefaultValueFactory = _ => TrajectoryFormats.Auto,
        };
        format.AcceptOnlyFromAmong([.. TrajectoryFormats.All]);
        var command = new Command("ingest", "Import completed runs: redact, score and store them") { files, format };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            return await RunAsync(ctx, parse.GetValue(files)!, parse.GetValue(format)!, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(CliContext ctx, IReadOnlyList<string> files, string format, CancellationToken ct)
    {
        var services = ctx.Services;
        var total = new IngestReport();
        var missing = 0;
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                await ctx.Error.WriteLineAsync($"error: {file}: no such file");
                missing++;
                continue;
            }

            IngestSummary summary;
            await using (var stream = File.OpenRead(file))
            {
                var items = TrajectoryFileReader.Read(stream, Path.GetFileName(file), format);
                if (ctx.ShowProgress)
                {
                    summary = await ctx.Console.Progress().StartAsync(async progress =>
                    {
                        var task = progress.AddTask(Markup.Escape(Path.GetFileName(file)), maxValue: Math.Max(1, stream.Length));
                        return await services.Ingest.IngestAsync(items,
                            new Progress<IngestSummary>(_ => task.Value = stream.Position), ct);
                    });
                }
                else
                {
                    summary = await services.Ingest.IngestAsync(items, cancellationToken: ct);
                }
            }

            foreach (var error in summary.Errors)
            {
                await ctx.Error.WriteLineAsync("rejected " + error);
            }

            if (summary.Invalid > summary.Errors.Count)
            {
                await ctx.Error.WriteLineAsync($"… and {summary.Invalid - summary.Errors.Count} more rejected records in {file}");
            }

            total = total.Add(file, summary);
        }

        total = total with { MissingFiles = missing };
        if (total.Imported > 0)
        {
            await services.Artifacts.WriteTrajectoriesAsync(ct);
        }

        if (ctx.Json)
        {
            ctx.WriteJson(total, CliJsonContext.Output.IngestReport);
        }
        else
        {
            ctx.Out.WriteLine($"imported {total.Imported}, duplicate {total.Duplicates}, rejected {total.Rejected}" +
                $" (accepted by quality: {total.Accepted}, not accepted: {total.Imported - total.Accepted})");
            if (total.Redacted.Count > 0)
            {
                ctx.Out.WriteLine("redacted: " + string.Join(", ", total.Redacted.Select(kv => $"{kv.Key} {kv.Value}")));
            }
        }

        return total.Rejected > 0 || missing > 0 ? ExitCodes.BadInput : ExitCodes.Ok;
    }
}

/// <summary>Totals of one <c>ingest</c> run.</summary>
internal sealed record IngestReport
{
    public long Imported { get; init; }

    public long Duplicates { get; init; }

    /// <summary>Records that could not be read.</summary>
    public long Rejected { get; init; }

    public long Accepted { get; init; }

    public int MissingFiles { get; init; }

    public IReadOnlyList<string> Files { get; init; } = [];

    public IReadOnlyDictionary<string, long> Redacted { get; init; } = new SortedDictionary<string, long>();

    public IReadOnlyList<string> Errors { get; init; } = [];

    public IngestReport Add(string file, IngestSummary s)
    {
        var redacted = new SortedDictionary<string, long>(Redacted.ToDictionary(), StringComparer.Ordinal);
        foreach (var (k, v) in s.RedactedByKind)
        {
            redacted[k] = redacted.GetValueOrDefault(k) + v;
        }

        return this with
        {
            Imported = Imported + s.Imported,
            Duplicates = Duplicates + s.Duplicates,
            Rejected = Rejected + s.Invalid,
            Accepted = Accepted + s.Accepted,
            Files = [.. Files, file],
            Redacted = redacted,
            Errors = [.. Errors, .. s.Errors.Select(e => e.ToString())],
        };
    }
}
