using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Whetstone.Training;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone job prepare|list|show|launch|launches</c>.</summary>
internal static class JobCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("job", "Prepare training jobs from snapshots and launch the trainer");
        command.Subcommands.Add(Prepare(env));
        command.Subcommands.Add(List(env));
        command.Subcommands.Add(Show(env));
        command.Subcommands.Add(Launch(env));
        command.Subcommands.Add(Launches(env));
        return command;
    }

    private static Command Prepare(CliEnvironment env)
    {
        var snapshot = new Option<string>("--snapshot") { Description = "Snapshot id", Required = true };
        var trainer = new Option<string>("--trainer") { Description = "trl, axolotl, llamafactory, openai or custom", Required = true };
        trainer.AcceptOnlyFromAmong([.. JobService.Trainers]);
        var baseModel = new Option<string>("--base-model") { Description = "Model to fine-tune (a HF id, a path, or an OpenAI model)", Required = true };
        var method = new Option<string>("--method") { Description = "lora (default) or full", DefaultValueFactory = _ => "lora" };
        method.AcceptOnlyFromAmong([.. JobService.Methods]);
        var param = new Option<string[]>("--param") { Description = "Hyperparameter override KEY=VALUE (repeatable)", AllowMultipleArgumentsPerToken = false };
        var format = new Option<string?>("--format") { Description = "Data format for the custom trainer (default hf)" };
        var actor = CommonOptions.As();
        var command = new Command("prepare", "Export a snapshot for a trainer and write the job manifest") { snapshot, trainer, baseModel, method, param, format, actor };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in parse.GetValue(param) ?? [])
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new WhetstoneException(ErrorCode.BadInput, $"--param '{p}' must be KEY=VALUE");
                }

                parameters[p[..eq].Trim()] = p[(eq + 1)..].Trim();
            }

            var result = await ctx.Services.Jobs.PrepareAsync(new JobRequest
            {
                SnapshotId = parse.GetValue(snapshot)!,
                Trainer = parse.GetValue(trainer)!,
                BaseModel = parse.GetValue(baseModel)!,
                Method = parse.GetValue(method)!,
                Parameters = parameters,
                Format = parse.GetValue(format),
                Actor = parse.GetValue(actor),
            }, ct);
            ctx.Services.Artifacts.WriteJob(result.Manifest);
            if (ctx.Json)
            {
                ctx.WriteJson(result.Manifest, CliJsonContext.Output.JobManifest);
                return ExitCodes.Ok;
            }

            var m = result.Manifest;
            ctx.Out.WriteLine(result.Created ? $"job {m.Id} prepared" : $"job {m.Id} (already prepared with the same inputs)");
            ShowManifest(ctx, m);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static void ShowManifest(CliContext ctx, JobManifest m)
    {
        ctx.Out.WriteLine($"  snapshot: {m.SnapshotId} (sha256 {m.SnapshotHash[..16]}…)");
        ctx.Out.WriteLine($"  trainer:  {m.Trainer}, base model {m.BaseModel}, method {m.Method}, format {m.Format}");
        foreach (var (split, f) in m.Files)
        {
            var tokens = m.Tokens.TryGetValue(split, out var t) ? $", tokens median {t.Median} p95 {t.P95} max {t.Max}" : "";
            ctx.Out.WriteLine($"  {split}: {f.Examples} examples{tokens}  {f.Path}");
        }

        ctx.Out.WriteLine($"  manifest: {Path.Combine(m.Folder, "manifest.json")}");
        if (m.Command is not null)
        {
            ctx.Out.WriteLine("  command:  " + string.Join(' ', m.Command.Select(Quote)));
        }

        foreach (var note in m.Notes)
        {
            ctx.Out.WriteLine("  note:     " + note);
        }
    }

    /// <summary>For display only: the argv is never joined into a shell string to run.</summary>
    internal static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=:@,+".Contains(c, StringComparison.Ordinal))
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static Command List(CliEnvironment env)
    {
        var command = new Command("list", "List prepared jobs, newest first");
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var jobs = await ctx.Services.Store.Jobs.ListJobsAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(jobs.ToList(), CliJsonContext.Output.ListJobManifest);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("id", "created", "snapshot", "trainer", "base model", "train examples");
            foreach (var j in jobs)
            {
                table.AddRow(j.Id, j.CreatedAt.ToString("u", CultureInfo.InvariantCulture), j.SnapshotId, j.Trainer, Markup.Escape(j.BaseModel),
                    (j.Files.TryGetValue("train", out var f) ? f.Examples ?? 0 : 0).ToString(CultureInfo.InvariantCulture));
            }

            ctx.Console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliEnvironment env)
    {
        var id = new Argument<string>("job") { Description = "Job id" };
        var command = new Command("show", "Show a job's manifest") { id };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var m = await Get(ctx, parse.GetValue(id)!, ct);
            if (ctx.Json)
            {
                ctx.WriteJson(m, CliJsonContext.Output.JobManifest);
                return ExitCodes.Ok;
            }

            ctx.Out.WriteLine($"job {m.Id}, prepared {m.CreatedAt:u}{(m.CreatedBy is null ? "" : " by " + m.CreatedBy)}");
            ShowManifest(ctx, m);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<JobManifest> Get(CliContext ctx, string id, CancellationToken ct) =>
        await ctx.Services.Store.Jobs.GetJobAsync(id, ct)
        ?? throw new WhetstoneException(ErrorCode.NotFound, $"no job with id '{id}' (see 'whetstone job list')");

    private static Command Launch(CliEnvironment env)
    {
        var id = new Argument<string>("job") { Description = "Job id" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Record and print the exact argv without running it" };
        var actor = CommonOptions.As();
        var command = new Command("launch", "Run the job's trainer command (argv, no shell) and record the launch") { id, dryRun, actor };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var record = await ctx.Services.Launcher.LaunchAsync(parse.GetValue(id)!, parse.GetValue(dryRun), parse.GetValue(actor), ct);
            await ctx.Services.Artifacts.WriteLaunchesAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(record, CliJsonContext.Output.LaunchRecord);
            }
            else
            {
                ctx.Out.WriteLine($"launch {record.Sequence}: {record.Status.ToString().ToLowerInvariant()}" +
                    (record.ExitCode is { } code ? $", exit code {code}" : "") +
                    (record.Status == LaunchStatus.DryRun ? "" : $", {record.DurationMs} ms") +
                    (record.Error is null ? "" : $" ({record.Error})"));
                ctx.Out.WriteLine("  argv: [" + string.Join(", ", record.Argv.Select(a => "\"" + a + "\"")) + "]");
                if (record.LogPath is not null)
                {
                    ctx.Out.WriteLine("  log:  " + record.LogPath);
                }
            }

            return record.Status is LaunchStatus.Succeeded or LaunchStatus.DryRun ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static Command Launches(CliEnvironment env)
    {
        var id = new Argument<string?>("job") { Description = "Only this job's launches", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("launches", "The launch history") { id };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var launches = await ctx.Services.Store.Jobs.ListLaunchesAsync(parse.GetValue(id), ct);
            if (ctx.Json)
            {
                ctx.WriteJson(launches.ToList(), CliJsonContext.Output.ListLaunchRecord);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("#", "job", "started", "status", "exit", "ms", "by");
            foreach (var l in launches)
            {
                table.AddRow(l.Sequence.ToString(CultureInfo.InvariantCulture), l.JobId, l.StartedAt.ToString("u", CultureInfo.InvariantCulture),
                    l.Status.ToString().ToLowerInvariant(), l.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "",
                    l.DurationMs.ToString(CultureInfo.InvariantCulture), Markup.Escape(l.Actor ?? ""));
            }

            ctx.Console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
