using Whetstone.Evaluation;
using Whetstone.Registry;
using Whetstone.Registry.LiveConfig;

namespace Whetstone.Cli.Commands.Demo;

/// <summary>Demo steps: record the weakest FireAct model as live, register the strongest as a candidate, evaluate it
/// in shadow mode on the evaluation snapshot's tasks, then request and approve its promotion as demo-admin.</summary>
internal static class PromotionStep
{
    public const string Admin = "demo-admin";
    public const string LiveModel = "llama-2-7b-lora";
    public const string CandidateModel = "gpt-3.5-turbo-0613-ft";

    public static readonly DemoStep Evaluate = new("record the live model, register the candidate, evaluate it (shadow mode)", EvaluateAsync);

    public static readonly DemoStep Promote = new("request and approve the promotion, rewrite the agent's config", PromoteAsync);

    private static async Task<int> EvaluateAsync(DemoContext demo, CancellationToken ct)
    {
        var services = demo.Cli.Services;
        var live = await services.Registry.InitializeLiveAsync(LiveModel, "none", Admin, ct);
        demo.Out.WriteLine($"live init: {live.Id} ({live.Model}) is live");
        var (candidate, _) = await services.Registry.RegisterAsync(new RegistrationRequest
        {
            Model = CandidateModel, Client = "none", Job = demo.State.GetValueOrDefault("job"), Actor = Admin,
            Notes = "FireAct's fine-tuned GPT-3.5; its runs of the same HotpotQA questions were captured beside the live model's",
        }, ct);
        demo.State["candidate"] = candidate.Id;
        demo.Out.WriteLine($"registered candidate {candidate.Id} ({candidate.Model})");
        var (report, html) = await EvalCommand.RunAsync(demo.Cli, new EvaluationRequest { CandidateId = candidate.Id, Mode = "shadow", Actor = Admin }, ct);
        foreach (var line in report.SummaryLines())
        {
            demo.Out.WriteLine(line);
        }

        demo.Out.WriteLine($"report: {html}");
        return report.Decision.Passed ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static async Task<int> PromoteAsync(DemoContext demo, CancellationToken ct)
    {
        var services = demo.Cli.Services;
        var request = await services.Promotion.RequestAsync(demo.State["candidate"], Admin, ct);
        demo.Out.WriteLine($"promote request: {request.Id} (evaluation {request.EvaluationId})");
        var result = await services.Promotion.ApproveAsync(request.Id, Admin, dryRun: false, ct);
        await services.Artifacts.WritePromotionAsync(ct);
        await services.Artifacts.WriteCandidatesAsync(ct);
        demo.Out.WriteLine($"promote approve: {result.Change.Id}, {result.Candidate.Id} ({result.Candidate.Model}) is live; previous {result.Change.PreviousAfter}");
        demo.Out.WriteLine($"{result.Change.ConfigPath}:");
        foreach (var line in LiveConfigFile.Diff(result.Edits))
        {
            demo.Out.WriteLine("  " + line);
        }

        var verify = await services.Audit.VerifyStoreAsync(ct);
        demo.Out.WriteLine($"audit: {verify.Entries} entries, chain {(verify.Ok ? "verified" : "BROKEN: " + verify.Problem)}");
        demo.Out.WriteLine($"roll back with: whetstone --home {demo.Cli.Home.Root} rollback --as {Admin}");
        return ExitCodes.Ok;
    }
}
