using System.CommandLine;
using Whetstone.Configuration;
using Whetstone.Redaction;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone redact --input IN.jsonl --output OUT.jsonl</c>: reads lines <c>{"id":…, "text":…}</c> and
/// writes lines <c>{"id":…, "redacted":…, "findings":[{"start":…, "end":…, "kind":…}]}</c> (UTF-16 offsets into the
/// input text, end exclusive), in input order. Streams: memory stays flat for any input size. A bad line is
/// reported on stderr by line number (never by content), the other lines are still processed, and the exit code is
/// 2. Uses the home's <c>Whetstone:Redaction</c> policy when the home exists, but writes nothing to it. The line
/// protocol is <see cref="LineRedaction"/>, which the native build of the command (<c>src/Whetstone.Cli.Native</c>)
/// runs too.</summary>
internal static class RedactCommand
{
    public static Command Create(CliEnvironment env)
    {
        var input = new Option<string>("--input") { Description = "JSON Lines input, one {\"id\", \"text\"} object a line ('-' for stdin)", Required = true };
        var output = new Option<string>("--output") { Description = "JSON Lines output ('-' for stdout)", Required = true };
        var command = new Command("redact", "Redact secrets and personal data from text lines; report every finding with its offsets") { input, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var options = ConfigurationLoader.Bind(ConfigurationLoader.BuildReadOnly(ctx.Home, env.Variables));
            var redactor = LineRedaction.ForHome(ctx.Home, options.Redaction.ToPolicy());
            await using var inStream = LineRedaction.OpenInput(parse.GetValue(input)!, Console.OpenStandardInput);
            await using var outStream = LineRedaction.OpenOutput(parse.GetValue(output)!, Console.OpenStandardOutput);
            var bad = LineRedaction.Run(redactor, inStream, outStream, ctx.Error, ct);
            return bad > 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        });
        return command;
    }
}
