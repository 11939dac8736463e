using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Whetstone.Registry;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone candidates register|list|show</c> and <c>whetstone live init</c>.</summary>
internal static class CandidatesCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("candidates", "Register and inspect candidate models (immutable records)");
        command.Subcommands.Add(Register(env));
        command.Subcommands.Add(List(env));
        command.Subcommands.Add(Show(env));
        return command;
    }

    public static Command Live(CliEnvironment env)
    {
        var model = new Option<string>("--model") { Description = "The model the agent runs today", Required = true };
        var client = new Option<string>("--client") { Description = "How to call it: openai:URL, gguf:PATH, replay:FILE or none", Required = true };
        var actor = CommonOptions.As(required: true);
        var init = new Command("init", "Record the model the agent runs today as the first live candidate (admin only)") { model, client, actor };
        init.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var name = CommonOptions.RequireAdmin(ctx, parse.GetValue(actor));
            var candidate = await ctx.Services.Registry.InitializeLiveAsync(parse.GetValue(model)!, parse.GetValue(client)!, name, ct);
            await ctx.Services.Artifacts.WriteCandidatesAsync(ct);
            await ctx.Services.Artifacts.WritePromotionAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(new RegistrationReport(candidate.Id, true, candidate), CliJsonContext.Output.RegistrationReport);
            }
            else
            {
                ctx.Out.WriteLine($"live is {candidate.Id} ({candidate.Model}, {candidate.Client})");
            }

            return ExitCodes.Ok;
        });
        var command = new Command("live", "The model the agent runs (the live alias)");
        command.Subcommands.Add(init);
        return command;
    }

    private static Command Register(CliEnvironment env)
    {
        var model = new Option<string>("--model") { Description = "Model name as the serving endpoint knows it", Required = true };
        var client = new Option<string>("--client") { Description = "openai:URL, gguf:PATH, replay:FILE or none", Required = true };
        var job = new Option<string?>("--job") { Description = "The training job that produced it (pins its snapshot)" };
        var artifact = new Option<string?>("--artifact") { Description = "Model artifact (a local path is hashed; a URI needs --sha256)" };
        var sha = new Option<string?>("--sha256") { Description = "Expected SHA-256 of the artifact" };
        var notes = new Option<string?>("--notes") { Description = "Free notes (redacted before storing)" };
        var actor = CommonOptions.As(required: true);
        var command = new Command("register", "Register a candidate model") { model, client, job, artifact, sha, notes, actor };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var (candidate, created) = await ctx.Services.Registry.RegisterAsync(new RegistrationRequest
            {
                Model = parse.GetValue(model)!,
                Client = parse.GetValue(client)!,
                Job = parse.GetValue(job),
                Artifact = parse.GetValue(artifact),
                ArtifactSha256 = parse.GetValue(sha),
                Notes = parse.GetValue(notes),
                Actor = parse.GetValue(actor)!,
            }, ct);
            await ctx.Services.Artifacts.WriteCandidatesAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(new RegistrationReport(candidate.Id, created, candidate), CliJsonContext.Output.RegistrationReport);
            }
            else
            {
                ctx.Out.WriteLine(created ? $"registered {candidate.Id}" : $"{candidate.Id} (already registered)");
                Describe(ctx, candidate);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal static void Describe(CliContext ctx, Candidate c)
    {
        ctx.Out.WriteLine($"  model:    {c.Model}");
        ctx.Out.WriteLine($"  client:   {c.Client}");
        if (c.Job is not null)
        {
            ctx.Out.WriteLine($"  job:      {c.Job} (snapshot {c.SnapshotId})");
        }

        if (c.Artifact is not null)
        {
            ctx.Out.WriteLine($"  artifact: {c.Artifact} sha256 {c.ArtifactSha256}");
        }

        ctx.Out.WriteLine($"  by:       {c.RegisteredBy} at {c.RegisteredAt:u}");
        if (c.Notes is not null)
        {
            ctx.Out.WriteLine($"  notes:    {c.Notes}");
        }
    }

    private static Command List(CliEnvironment env)
    {
        var command = new Command("list", "List candidates with their latest evaluation");
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var registry = ctx.Services.Store.Registry;
            var candidates = await registry.ListCandidatesAsync(ct);
            var evaluations = await registry.ListEvaluationsAsync(null, ct);
            var aliases = await registry.GetAliasesAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(candidates.Select(c => CandidateView.Of(c, aliases, evaluations)).ToList(), CliJsonContext.Output.ListCandidateView);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("id", "model", "client", "alias", "latest evaluation", "registered");
            foreach (var c in candidates)
            {
                var v = CandidateView.Of(c, aliases, evaluations);
                table.AddRow(c.Id, Markup.Escape(c.Model), Markup.Escape(c.Client), v.Alias ?? "",
                    v.LatestEvaluation is { } e ? $"{e.Id} {(e.Passed ? "passed" : "failed")} vs {e.BaselineId}" : "",
                    c.RegisteredAt.ToString("u", CultureInfo.InvariantCulture));
            }

            ctx.Console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Candidate id" };
        var command = new Command("show", "Show one candidate and its evaluations") { id };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var registry = ctx.Services.Store.Registry;
            var key = parse.GetValue(id)!;
            var c = await registry.GetCandidateAsync(key, ct)
                ?? throw new WhetstoneException(ErrorCode.NotFound, $"no candidate with id '{key}'");
            var evaluations = await registry.ListEvaluationsAsync(c.Id, ct);
            var aliases = await registry.GetAliasesAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(CandidateView.Of(c, aliases, evaluations) with { Evaluations = evaluations.Select(EvaluationSummary.Of).ToList() },
                    CliJsonContext.Output.CandidateView);
                return ExitCodes.Ok;
            }

            ctx.Out.WriteLine($"{c.Id}{(aliases.Live == c.Id ? " (live)" : aliases.Previous == c.Id ? " (previous)" : "")}");
            Describe(ctx, c);
            foreach (var e in evaluations)
            {
                ctx.Out.WriteLine($"  eval {e.Id}: {(e.Passed ? "passed" : "failed")} vs {e.BaselineId} on {e.SnapshotId} ({e.Mode}, {e.CreatedAt:u})");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
