using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Whetstone.Datasets;
using Whetstone.Datasets.Export;
using Whetstone.Storage;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone dataset snapshot|list|show|export|use-for-eval</c>.</summary>
internal static class DatasetCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("dataset", "Freeze accepted runs into snapshots and export them for trainers");
        command.Subcommands.Add(Snapshot(env));
        command.Subcommands.Add(List(env));
        command.Subcommands.Add(Show(env));
        command.Subcommands.Add(Export(env));
        command.Subcommands.Add(UseForEval(env));
        return command;
    }

    private static Command Snapshot(CliEnvironment env)
    {
        var min = new Option<int?>("--min-examples") { Description = "Fewest accepted runs a snapshot needs (default Whetstone:Datasets:MinExamples, 25)" };
        var eval = new Option<double?>("--eval-fraction") { Description = "Share of task clusters held out for evaluation (default 0.2)" };
        var validation = new Option<double?>("--validation-fraction") { Description = "Share of task clusters for validation (default 0.1)" };
        var seed = new Option<int?>("--seed") { Description = "Split seed (default 42)" };
        var actor = CommonOptions.As();
        var command = new Command("snapshot", "Freeze the accepted runs into an immutable, content-addressed snapshot") { min, eval, validation, seed, actor };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var result = await ctx.Services.Snapshots.TakeAsync(new SnapshotRequest
            {
                MinExamples = parse.GetValue(min),
                EvalFraction = parse.GetValue(eval),
                ValidationFraction = parse.GetValue(validation),
                Seed = parse.GetValue(seed),
                Actor = parse.GetValue(actor),
            }, ct);
            var (examples, total) = await ctx.Services.Artifacts.WriteSnapshotExamplesAsync(result.Snapshot.Id, ctx.Options.Datasets.ArtifactMaxExamples, ct);
            if (ctx.Json)
            {
                ctx.WriteJson(new SnapshotReport(result.Snapshot, result.Created, result.BecameEvalSnapshot), CliJsonContext.Output.SnapshotReport);
                return ExitCodes.Ok;
            }

            var s = result.Snapshot;
            ctx.Out.WriteLine(result.Created ? $"snapshot {s.Id} taken" : $"snapshot {s.Id} (unchanged: the accepted runs are the same as when it was taken)");
            Describe(ctx, s);
            if (result.BecameEvalSnapshot)
            {
                ctx.Out.WriteLine("this is the first snapshot: its eval split is now the evaluation set ('dataset use-for-eval' moves it)");
            }

            ctx.Out.WriteLine($"wrote {examples} examples to artifacts/{Artifacts.ArtifactWriter.TrajectoriesJsonl}" +
                (total > ctx.Options.Datasets.ArtifactMaxExamples ? $" (the most recent {ctx.Options.Datasets.ArtifactMaxExamples} of {total} runs: Whetstone:Datasets:ArtifactMaxExamples)" : ""));
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static void Describe(CliContext ctx, Snapshot s)
    {
        var c = s.Counts;
        ctx.Out.WriteLine($"  hash:     {s.Hash}");
        ctx.Out.WriteLine($"  runs:     {c.Total} (train {c.Train} in {c.TrainClusters} task clusters, validation {c.Validation} in {c.ValidationClusters}, eval {c.Eval} in {c.EvalClusters})");
        ctx.Out.WriteLine($"  split:    eval {F(s.Parameters.EvalFraction)}, validation {F(s.Parameters.ValidationFraction)}, seed {s.Parameters.Seed} (by task cluster)");
        ctx.Out.WriteLine($"  policies: {string.Join(", ", s.PolicyVersions)}");
        ctx.Out.WriteLine($"  models:   {string.Join(", ", s.Models.Select(kv => $"{kv.Key} {kv.Value}"))}");
        if (s.Tools.Count > 0)
        {
            ctx.Out.WriteLine($"  tools:    {string.Join(", ", s.Tools)}");
        }

        if (s.Redactions.Count > 0)
        {
            ctx.Out.WriteLine($"  redacted: {string.Join(", ", s.Redactions.Select(kv => $"{kv.Key} {kv.Value}"))}");
        }
    }

    private static string F(double d) => d.ToString("0.###", CultureInfo.InvariantCulture);

    private static Command List(CliEnvironment env)
    {
        var command = new Command("list", "List snapshots, newest first");
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var list = await ctx.Services.Store.Snapshots.ListAsync(ct);
            var pointer = await ctx.Services.Store.Snapshots.GetEvalPointerAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(list.Select(s => new SnapshotReport(s, null, s.Id == pointer?.SnapshotId)).ToList(), CliJsonContext.Output.ListSnapshotReport);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("id", "created", "runs", "train", "validation", "eval", "eval set");
            foreach (var s in list)
            {
                table.AddRow(s.Id, s.CreatedAt.ToString("u", CultureInfo.InvariantCulture), N(s.Counts.Total), N(s.Counts.Train),
                    N(s.Counts.Validation), N(s.Counts.Eval), s.Id == pointer?.SnapshotId ? "yes" : "");
            }

            ctx.Console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static Command Show(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Snapshot id" };
        var command = new Command("show", "Show one snapshot") { id };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var s = await Get(ctx, parse.GetValue(id)!, ct);
            var pointer = await ctx.Services.Store.Snapshots.GetEvalPointerAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(new SnapshotReport(s, null, s.Id == pointer?.SnapshotId), CliJsonContext.Output.SnapshotReport);
                return ExitCodes.Ok;
            }

            ctx.Out.WriteLine($"snapshot {s.Id}, taken {s.CreatedAt:u}{(s.CreatedBy is null ? "" : " by " + s.CreatedBy)}" +
                (s.Id == pointer?.SnapshotId ? " — the evaluation snapshot" : ""));
            Describe(ctx, s);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static async Task<Snapshot> Get(CliContext ctx, string id, CancellationToken ct) =>
        await ctx.Services.Store.Snapshots.GetAsync(id, ct)
        ?? throw new WhetstoneException(ErrorCode.NotFound, $"no snapshot with id '{id}' (see 'whetstone dataset list')");

    private static Command Export(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Snapshot id" };
        var format = new Option<string>("--format") { Description = "openai, hf, sharegpt, axolotl or parquet", Required = true };
        format.AcceptOnlyFromAmong([.. ExportFormats.All]);
        var target = new Option<string>("--target")
        {
            Description = "Chat-template target for hf/axolotl: default (Qwen3 and Llama 3.1), qwen3, llama3_1, deepseek",
            DefaultValueFactory = _ => ExportFormats.DefaultTarget,
        };
        target.AcceptOnlyFromAmong([.. ExportFormats.Targets]);
        var outDir = new Option<string>("--out") { Description = "Folder to write", Required = true };
        var strict = new Option<bool>("--strict") { Description = "Fail when any run cannot be exported instead of skipping it" };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Skip examples over this many o200k tokens (default Whetstone:Training:MaxTokensPerExample)" };
        var command = new Command("export", "Write a snapshot's train/validation/eval files in a trainer's format") { id, format, target, outDir, strict, maxTokens };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var result = await ctx.Services.Exporter.ExportAsync(parse.GetValue(id)!, parse.GetValue(outDir)!, new ExportOptions
            {
                Format = parse.GetValue(format)!,
                Target = parse.GetValue(target)!,
                Strict = parse.GetValue(strict),
                MaxTokens = parse.GetValue(maxTokens) ?? ctx.Options.Training.MaxTokensPerExample,
            }, ct);
            if (ctx.Json)
            {
                ctx.WriteJson(result, CliJsonContext.Output.ExportResult);
                return ExitCodes.Ok;
            }

            foreach (var (split, f) in result.Files)
            {
                ctx.Out.WriteLine($"{split,-10} {f.Examples,7} examples  {f.Path}  sha256 {f.Sha256[..16]}…");
            }

            foreach (var f in result.ConfigFiles)
            {
                ctx.Out.WriteLine($"{"config",-10} {"",7}           {f.Path}");
            }

            if (result.Skipped > 0)
            {
                ctx.Out.WriteLine($"skipped {result.Skipped} runs that cannot be {result.Format} examples:");
                foreach (var p in result.Problems)
                {
                    ctx.Out.WriteLine("  " + p);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command UseForEval(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Snapshot id" };
        var actor = CommonOptions.As(required: true);
        var command = new Command("use-for-eval", "Make a snapshot's eval split the evaluation set (admin only)") { id, actor };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var name = CommonOptions.RequireAdmin(ctx, parse.GetValue(actor));
            var s = await Get(ctx, parse.GetValue(id)!, ct);
            await ctx.Services.Snapshots.UseForEvalAsync(s.Id, name, ct);
            ctx.Out.WriteLine($"evaluation snapshot is now {s.Id} ({s.Counts.Eval} eval runs), set by {name}");
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary><c>dataset snapshot|show --json</c>.</summary>
internal sealed record SnapshotReport(Snapshot Snapshot, bool? Created, bool EvalSnapshot)
{
    public string Id => Snapshot.Id;

    public SnapshotCounts Counts => Snapshot.Counts;
}
