using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Whetstone.Registry;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone audit verify [--file F]</c> and <c>whetstone audit list</c>.</summary>
internal static class AuditCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("audit", "The hash-chained audit log");
        command.Subcommands.Add(Verify(env));
        command.Subcommands.Add(List(env));
        return command;
    }

    private static Command Verify(CliEnvironment env)
    {
        var file = new Option<string?>("--file") { Description = "Verify an exported chain (JSON Lines) instead of the store" };
        var command = new Command("verify", "Check the chain; exit 1 naming the first bad entry") { file };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var path = parse.GetValue(file);
            var result = path is null ? await ctx.Services.Audit.VerifyStoreAsync(ct) : AuditLog.VerifyFile(path);
            if (ctx.Json)
            {
                ctx.WriteJson(result, CliJsonContext.Output.AuditVerification);
            }
            else if (result.Ok)
            {
                ctx.Out.WriteLine($"audit chain ok: {result.Entries} entries{(path is null ? " (store and mirror agree)" : "")}");
            }
            else
            {
                await ctx.Error.WriteLineAsync("audit chain broken: " + result.Problem);
            }

            return result.Ok ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static Command List(CliEnvironment env)
    {
        var limit = new Option<int?>("--limit") { Description = "Only the last N entries" };
        var command = new Command("list", "Show audit entries") { limit };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var entries = new List<AuditEntry>();
            await foreach (var e in ctx.Services.Store.Audit.StreamAsync(ct))
            {
                entries.Add(e);
            }

            if (parse.GetValue(limit) is { } n && n > 0 && entries.Count > n)
            {
                entries = entries.Skip(entries.Count - n).ToList();
            }

            if (ctx.Json)
            {
                ctx.WriteJson(entries, CliJsonContext.Output.ListAuditEntry);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("#", "at", "actor", "action", "subjects", "hash");
            foreach (var e in entries)
            {
                table.AddRow(e.Sequence.ToString(CultureInfo.InvariantCulture), e.At.ToString("u", CultureInfo.InvariantCulture), Markup.Escape(e.Actor),
                    e.Action, Markup.Escape(string.Join(", ", e.Subjects)), e.Hash[..12]);
            }

            ctx.Console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
