using Whetstone.Quality;
using Whetstone.Trajectories;
using static Whetstone.Core.Tests.Quality.QualityTestData;

namespace Whetstone.Core.Tests.Quality;

public class QualityServiceTests
{
    private static QualityService Service(QualityPolicy? policy = null) => new(policy ?? QualityPolicy.Default, new FixedTime());

    private static Trajectory Copy(Trajectory t, string id, string? model = null) =>
        t with { Id = id, Model = model is null ? t.Model : new ModelInfo { Name = model } };

    [Fact]
    public async Task Rescore_NearDuplicatesOfOneModel_OnlyTheBestStaysAccepted()
    {
        var store = new FakeTrajectoryStore();
        var good = FireAct("fireact-gpt-3.5-turbo-0613-ft-6238");
        var worse = Copy(good, "dup-worse") with { Outcome = new Outcome { Reward = 0.8 } };
        await store.AddAsync(Scorer(), worse, good);

        var summary = await Service().RescoreAsync(store);

        Assert.Equal(1, summary.NearDuplicates);
        Assert.True(store[good.Id].IsAccepted);
        Assert.Null(store[good.Id].Verdict.NearDuplicateOf);
        var dup = store["dup-worse"].Verdict;
        Assert.False(dup.Accepted);
        Assert.Equal(good.Id, dup.NearDuplicateOf);
        var signal = Assert.Single(dup.Signals, s => s.Code == QualityCodes.NearDuplicate);
        Assert.Equal("set", signal.Scope);
        Assert.Equal(store[good.Id].Verdict.ClusterId, dup.ClusterId);
    }

    [Fact]
    public async Task Rescore_SameRunByAnotherModel_NotADuplicateButSameCluster()
    {
        var store = new FakeTrajectoryStore();
        var a = FireAct("fireact-gpt-3.5-turbo-0613-ft-6238");
        await store.AddAsync(Scorer(), a, Copy(a, "other-model", "another-model"));

        var summary = await Service().RescoreAsync(store);

        Assert.Equal(0, summary.NearDuplicates);
        Assert.True(store["other-model"].IsAccepted);
        Assert.Equal(store[a.Id].Verdict.ClusterId, store["other-model"].Verdict.ClusterId);
        Assert.Equal(QualityService.ClusterId(a.Id), store[a.Id].Verdict.ClusterId);
    }

    [Fact]
    public async Task Rescore_FireActSample_ThreeModelsOfAQuestionShareACluster()
    {
        var store = new FakeTrajectoryStore();
        var runs = AllFireAct.Values.Where(t => t.TaskKey is "hotpotqa-6238" or "hotpotqa-5388").ToArray();
        await store.AddAsync(Scorer(), runs);

        var summary = await Service().RescoreAsync(store);

        Assert.Equal(6, runs.Length);
        Assert.Equal(2, summary.Clusters);
        Assert.Single(runs.Where(t => t.TaskKey == "hotpotqa-6238").Select(t => store[t.Id].Verdict.ClusterId).Distinct());
        Assert.All(runs, t => Assert.Equal(QualityPolicy.Default.Version, store[t.Id].Verdict.PolicyVersion));
    }

    [Fact]
    public async Task Rescore_AnswerRedactedInOneRunOnly_StillAgreesWithItsPeers()
    {
        // The same answer in four runs of one task; in run "b" the redactor learns the name from a greeting in the
        // reasoning and replaces it in the answer too. Run "d" answers something else.
        static Trajectory Run(string id, string reasoning, string answer) => new()
        {
            Id = id,
            Task = "Which novelist wrote The Quiet Hours?",
            Model = new ModelInfo { Name = "model-" + id },
            Messages =
            [
                new Message { Role = Role.User, Content = "Which novelist wrote The Quiet Hours?" },
                new Message { Role = Role.Assistant, Reasoning = reasoning, Content = answer },
            ],
        };

        var redactor = new Whetstone.Redaction.Redactor(Whetstone.Redaction.DetectorSet.Default(), () => new byte[32], Whetstone.Redaction.RedactionPolicy.Default);
        var runs = new[]
        {
            Run("a", "The novel is by a Basque author.", "Zork Ibarra"),
            Run("b", "Hi Zork Ibarra, your novel came up.", "Zork Ibarra"),
            Run("c", "I recall the author.", "Zork Ibarra"),
            Run("d", "Not sure.", "Miren Olano"),
        }.Select(redactor.Redact).ToArray();
        var store = new FakeTrajectoryStore();
        await store.InsertAsync(runs.Select(r => new Whetstone.Storage.StoredTrajectory
        {
            Trajectory = r.Trajectory,
            Verdict = Scorer().Score(r.Trajectory),
            Redaction = r.Report,
            IngestedAt = FixedTime.Now,
        }).ToList());

        await Service().RescoreAsync(store);

        Assert.Equal("<PERSON_1>", runs[1].Trajectory.Messages[^1].Content); // b's stored answer differs from a's and c's
        Assert.Equal("Zork Ibarra", runs[0].Trajectory.Messages[^1].Content);
        Assert.Equal(runs[0].Report.AnswerKey, runs[1].Report.AnswerKey);
        Assert.All(["a", "b", "c"], id => Assert.True(store[id].IsAccepted, id + ": " + string.Join(", ", store[id].Verdict.Reasons)));
        Assert.Contains(QualityCodes.AnswerDisagreesWithPeers, store["d"].Verdict.Reasons);
    }

    [Fact]
    public async Task Rescore_MedAgentBenchWithoutLabels_AnswerConsensusDecides()
    {
        var store = new FakeTrajectoryStore();
        var runs = AllMedAgentBench.Values.Where(t => t.Id.EndsWith("-099", StringComparison.Ordinal) || t.Id.EndsWith("-098", StringComparison.Ordinal)).ToArray();
        await store.AddAsync(Scorer(), runs);

        await Service().RescoreAsync(store);

        // Task 99: all four models answer [-1] (llama's POST body is not JSON); task 98: four different answers.
        Assert.All(runs.Where(t => t.Id.EndsWith("-099", StringComparison.Ordinal)), t =>
        {
            Assert.Equal(t.Id != "mab-llama-3.3-099", store[t.Id].IsAccepted);
            Assert.Contains(store[t.Id].Verdict.Signals, s => s.Code == QualityCodes.AnswerAgreesWithPeers && s.Detail!.Contains("3 of the 3", StringComparison.Ordinal));
        });
        Assert.Equal([QualityCodes.InvalidArgumentsJson], store["mab-llama-3.3-099"].Verdict.Reasons);
        Assert.All(runs.Where(t => t.Id.EndsWith("-098", StringComparison.Ordinal)), t => Assert.False(store[t.Id].IsAccepted));
        Assert.Contains(QualityCodes.AnswerDisagreesWithPeers, store["mab-gpt-4o-098"].Verdict.Reasons);
    }

    [Fact]
    public async Task Rescore_ReportedOutcome_NoConsensusSignal()
    {
        var store = new FakeTrajectoryStore();
        var a = FireAct("fireact-gpt-3.5-turbo-0613-ft-6238");
        await store.AddAsync(Scorer(), a, Copy(a, "b", "m2") with { Messages = [.. a.Messages.SkipLast(1), Answer("Somebody else")] });

        await Service().RescoreAsync(store);

        Assert.DoesNotContain(store[a.Id].Verdict.Signals, s => s.Code.StartsWith("answer_", StringComparison.Ordinal));
        Assert.True(store[a.Id].IsAccepted);
    }

    [Fact]
    public async Task Rescore_PathMuchLongerThanTheShortestAcceptedRun_InefficientPath()
    {
        var store = new FakeTrajectoryStore();
        var success = new Outcome { Status = OutcomeStatus.Completed, GoalsMet = true };
        var shortRun = Run("short", [Call("c1", "search", """{"query":"order 7"}"""), Result("c1", "search", "shipped"), Answer("Shipped.")], model: "a") with { Outcome = success };
        var longRun = Run("long", [
            Call("c1", "search", """{"query":"orders"}"""), Result("c1", "search", "many"),
            Call("c2", "search", """{"query":"recent orders of the customer"}"""), Result("c2", "search", "some"),
            Call("c3", "search", """{"query":"order number 7 status"}"""), Result("c3", "search", "shipped"),
            Call("c4", "search", """{"query":"shipping of order 7"}"""), Result("c4", "search", "Monday"),
            Answer("Shipped on Monday."),
        ], model: "b") with { Outcome = success };
        await store.AddAsync(Scorer(), shortRun, longRun);

        await Service().RescoreAsync(store);
        var strict = Service(Policy(o => o.Rules["inefficient_path"] = "reject"));

        var signal = Assert.Single(store["long"].Verdict.Signals, s => s.Code == QualityCodes.InefficientPath);
        Assert.False(signal.Rejects);
        Assert.True(store["long"].IsAccepted);
        Assert.True(store["long"].Verdict.Score < store["short"].Verdict.Score);
        await strict.RescoreAsync(store);
        Assert.Contains(QualityCodes.InefficientPath, store["long"].Verdict.Reasons);
        Assert.True(store["short"].IsAccepted);
    }

    [Fact]
    public async Task Rescore_HumanOverride_Survives()
    {
        var store = new FakeTrajectoryStore();
        var rejected = FireAct("fireact-gpt-3.5-turbo-0613-ft-5388");
        await store.AddAsync(Scorer(), rejected);
        var service = Service();

        await service.ReviewAsync(store, rejected.Id, accept: true, "label was wrong: Enemy ships is right", "ana");
        var summary = await service.RescoreAsync(store);

        var v = store[rejected.Id].Verdict;
        Assert.True(store[rejected.Id].IsAccepted);
        Assert.False(v.Accepted);
        Assert.Equal("ana", v.Override!.Actor);
        Assert.Equal(FixedTime.Now, v.Override.At);
        Assert.Equal(1, summary.Overridden);
        Assert.Equal(1, summary.Accepted);
    }

    [Fact]
    public async Task Rescore_EmptyStore_NothingToDo()
    {
        var store = new FakeTrajectoryStore();

        var summary = await Service().RescoreAsync(store);

        Assert.Equal(0, summary.Total);
        Assert.Equal(0, summary.Clusters);
        Assert.Equal(0, store.VerdictBatches);
    }

    [Fact]
    public async Task Review_WithoutReason_BadInput()
    {
        var store = new FakeTrajectoryStore();

        var e = await Assert.ThrowsAsync<WhetstoneException>(() => Service().ReviewAsync(store, "x", true, " ", "ana"));

        Assert.Equal(ErrorCode.BadInput, e.Code);
    }

    [Fact]
    public async Task Review_UnknownId_NotFound()
    {
        var e = await Assert.ThrowsAsync<WhetstoneException>(() => Service().ReviewAsync(new FakeTrajectoryStore(), "nope", false, "bad", "ana"));

        Assert.Equal(ErrorCode.NotFound, e.Code);
    }

    [Fact]
    public async Task Rescore_MoreRunsThanAPage_StreamsInBatches()
    {
        var store = new FakeTrajectoryStore();
        var runs = AllFireAct.Values.ToArray();
        await store.AddAsync(Scorer(), runs);

        var summary = await Service().RescoreAsync(store);

        Assert.Equal(runs.Length, summary.Total);
        Assert.Equal((runs.Length + QualityService.PageSize - 1) / QualityService.PageSize, store.VerdictBatches);
        Assert.Equal(QualityService.PageSize, store.LargestVerdictBatch);
        Assert.Equal(464, summary.Clusters);
        Assert.Equal(summary.Rejected, summary.ByReason.Count == 0 ? 0 : summary.Total - summary.Accepted);
    }
}
