using System.Collections;
using System.CommandLine;
using Whetstone.Configuration;
using Whetstone.Redaction;

namespace Whetstone.Cli.Native;

/// <summary>The native build of <c>whetstone</c>: <c>redact</c> with the same options, line protocol, policy keys,
/// messages and exit codes as the full build's command (<c>src/Whetstone.Cli/Commands/RedactCommand.cs</c>); both
/// run <see cref="LineRedaction"/>. Any other command is refused with exit code 2 and a pointer to the full
/// build.</summary>
internal static class NativeCli
{
    public const string Name = "redact";

    public static int Run(string[] args, TextWriter output, TextWriter error, IDictionary environment)
    {
        var home = new Option<string?>("--home") { Description = "Whetstone home folder (default ./.whetstone, env WHETSTONE_HOME); only its Whetstone:Redaction settings and id key are read", Recursive = true };
        var json = new Option<bool>("--json") { Description = "Accepted for compatibility with the full build (redact writes JSON Lines either way)", Recursive = true };
        var input = new Option<string>("--input") { Description = "JSON Lines input, one {\"id\", \"text\"} object a line ('-' for stdin)", Required = true };
        var outputPath = new Option<string>("--output") { Description = "JSON Lines output ('-' for stdout)", Required = true };
        var redact = new Command(Name, "Redact secrets and personal data from text lines; report every finding with its offsets") { input, outputPath };
        var root = new RootCommand("Whetstone, native build: the redact command only. Every other command is in the full build "
            + "(dotnet whetstone.dll, from src/Whetstone.Cli).") { home, json, redact };
        redact.SetAction((parse, ct) =>
        {
            var layout = new HomeLayout(parse.GetValue(home) ?? environment["WHETSTONE_HOME"] as string ?? ".whetstone");
            var options = RedactionOptions.Read(ConfigurationLoader.BuildReadOnly(layout, environment));
            var redactor = LineRedaction.ForHome(layout, options.ToPolicy());
            using var inStream = LineRedaction.OpenInput(parse.GetValue(input)!, Console.OpenStandardInput);
            using var outStream = LineRedaction.OpenOutput(parse.GetValue(outputPath)!, Console.OpenStandardOutput);
            var bad = LineRedaction.Run(redactor, inStream, outStream, error, ct);
            return Task.FromResult(bad > 0 ? ExitCodes.BadInput : ExitCodes.Ok);
        });

        var command = CommandWord(args);
        if (command is not null && command != Name)
        {
            error.WriteLine($"error: '{command}' is not in the native build of whetstone, which has only '{Name}'; "
                + $"run it with the full build: dotnet whetstone.dll {command} …");
            return ExitCodes.BadInput;
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                error.WriteLine("error: " + e.Message);
            }

            error.WriteLine("run 'whetstone --help' for usage");
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (WhetstoneException e)
        {
            error.WriteLine(e.Reason is null ? $"error: {e.Message}" : $"error ({e.Reason}): {e.Message}");
            return ExitCodes.For(e.Code);
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled");
            return ExitCodes.Failed;
        }
        catch (IOException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>The first word that is neither an option nor the value of a root option (<c>--home DIR</c>).</summary>
    private static string? CommandWord(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--home")
            {
                i++;
            }
            else if (!args[i].StartsWith('-'))
            {
                return args[i];
            }
        }

        return null;
    }
}
