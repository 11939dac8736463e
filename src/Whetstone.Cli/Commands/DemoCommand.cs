using System.CommandLine;
using Whetstone.Cli.Commands.Demo;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone demo</c>: runs the loop on the bundled sample in a fresh home, step by step, printing
/// what each step did.</summary>
internal static class DemoCommand
{
    /// <summary>A file in the home marking it as made by the demo (so a rerun may reset it).</summary>
    public const string Marker = "demo-home.txt";

    public static Command Create(CliEnvironment env)
    {
        var samples = new Option<string?>("--samples") { Description = "Folder with the sample data (default: the bundled samples)" };
        var command = new Command("demo", "Run the whole loop on the bundled sample in a fresh home") { samples };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var demo = new DemoContext(ctx, DemoSamples.Locate(parse.GetValue(samples)));
            PrepareHome(ctx);
            foreach (var step in Steps)
            {
                ctx.Out.WriteLine();
                ctx.Out.WriteLine($"== {step.Title}");
                var code = await step.Run(demo, ct);
                if (code != ExitCodes.Ok)
                {
                    return code;
                }
            }

            ctx.Out.WriteLine();
            ctx.Out.WriteLine($"demo finished; home: {ctx.Home.Root}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The demo's steps in loop order; each issue's stage adds its own.</summary>
    private static readonly IReadOnlyList<DemoStep> Steps =
    [
        IngestStep.Step,
        QualityStep.Step,
        DatasetStep.Step,
        PromotionStep.Evaluate,
        PromotionStep.Promote,
    ];

    /// <summary>The demo needs a fresh home: a new folder, or one an earlier demo made (which it resets). A home
    /// holding anything else is refused, so the demo never touches real data.</summary>
    private static void PrepareHome(CliContext ctx)
    {
        var root = ctx.Home.Root;
        var marker = Path.Combine(root, Marker);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            if (!File.Exists(marker))
            {
                throw new WhetstoneException(ErrorCode.Refused,
                    $"{root} already holds a Whetstone home that the demo did not create; run the demo with --home on a new folder");
            }

            foreach (var entry in Directory.EnumerateFileSystemEntries(root))
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }

        Directory.CreateDirectory(root);
        File.WriteAllText(marker, "This home was created by 'whetstone demo'; a rerun of the demo resets it.\n");

        // The demo's agent config (what promotion rewrites) and a home configuration naming the demo's admin.
        var agentConfig = Path.Combine(root, "agent-config.json");
        File.WriteAllText(agentConfig, $$"""
            {
              "agent": "hotpotqa-researcher",
              "llm": {
                "provider": "none",
                "model": "{{Demo.PromotionStep.LiveModel}}",
                "max_steps": 8
              },
              "tools": ["search", "lookup"]
            }

            """);
        File.WriteAllText(ctx.Home.ConfigFile, $$"""
            {
              "Whetstone": {
                "Storage": { "Provider": "sqlite" },
                "Datasets": { "EvalFraction": 0.2, "ValidationFraction": 0.1, "Seed": 42, "MinExamples": 25 },
                "Admins": [ "{{Demo.PromotionStep.Admin}}" ],
                "LiveConfig": { "Path": {{System.Text.Json.JsonSerializer.Serialize(agentConfig, WhetstoneJson.Compact.String)}} }
              }
            }

            """);
    }
}
