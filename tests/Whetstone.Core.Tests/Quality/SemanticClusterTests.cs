using Whetstone.Configuration;
using Whetstone.Evaluation;
using Whetstone.Quality;
using Whetstone.Registry;
using Whetstone.Trajectories;
using static Whetstone.Core.Tests.Quality.QualityTestData;

namespace Whetstone.Core.Tests.Quality;

public class SemanticClusterTests
{
    private static readonly string[] Topics = ["alarm", "weather", "invoice"];

    private static QualityService Service(double threshold, IModelClientFactory? models, int maxTasks = 20_000) =>
        new(QualityPolicy.From(new QualityOptions { SemanticClusterThreshold = threshold, SemanticClusterMaxTasks = maxTasks }), new FixedTime(), models);

    private static Trajectory Ask(string id, string task) =>
        Run(id, [new Message { Role = Role.Assistant, Content = "Done." }], task: task) with { Outcome = new Outcome { Reward = 1 } };

    private static async Task<FakeTrajectoryStore> Paraphrases()
    {
        var store = new FakeTrajectoryStore();
        await store.AddAsync(Scorer(),
            Ask("r1", "Set an alarm for 7am tomorrow"),
            Ask("r2", "Please wake me at seven with an alarm"),
            Ask("r3", "What is the weather in Paris today?"),
            Ask("r4", "Set an alarm for 7am tomorrow"));
        return store;
    }

    [Fact]
    public async Task Rescore_Paraphrases_ShareOneClusterByMeaning()
    {
        var store = await Paraphrases();
        var models = new TopicModels();

        var summary = await Service(0.85, models).RescoreAsync(store);

        Assert.Equal(store["r1"].Verdict.ClusterId, store["r2"].Verdict.ClusterId);
        Assert.Equal(store["r1"].Verdict.ClusterId, store["r4"].Verdict.ClusterId);
        Assert.NotEqual(store["r1"].Verdict.ClusterId, store["r3"].Verdict.ClusterId);
        Assert.Equal(2, summary.Clusters);
        Assert.Equal(3, summary.SemanticTasks);
        Assert.Equal(1, summary.SemanticallyJoined);
        Assert.Equal(2, summary.LargestSemanticGroup);
        Assert.Equal(3, models.Embedder.TextsSeen);
        Assert.Equal(1, models.Released);
    }

    [Fact]
    public async Task Rescore_WithProgress_EmbeddingIsReportedBetweenScoringAndWriting()
    {
        var store = await Paraphrases();
        var seen = new List<RescoreProgress>();

        await Service(0.85, new TopicModels()).RescoreAsync(store, new SyncProgress(seen.Add));

        Assert.Equal(new RescoreProgress(3, 3, 3), Assert.Single(seen, p => p.Pass == 3));
        var passes = seen.Select(p => p.Pass).Distinct().ToList();
        Assert.Equal([1, 3, 2], passes);
    }

    [Fact]
    public async Task Rescore_SemanticClusteringOff_ParaphrasesStayApartAndNothingIsEmbedded()
    {
        var store = await Paraphrases();
        var models = new TopicModels();

        var summary = await Service(0, models).RescoreAsync(store);

        Assert.NotEqual(store["r1"].Verdict.ClusterId, store["r2"].Verdict.ClusterId);
        Assert.Equal(store["r1"].Verdict.ClusterId, store["r4"].Verdict.ClusterId);
        Assert.Equal(3, summary.Clusters);
        Assert.Null(summary.SemanticTasks);
        Assert.Null(summary.SemanticallyJoined);
        Assert.Equal(0, models.Embedder.TextsSeen);
    }

    [Fact]
    public async Task Rescore_ThresholdAboveTheParaphrasesCosine_TheyStayApart()
    {
        var store = await Paraphrases();

        // The topic embedder gives paraphrases a cosine of 0.9 (see TopicEmbedder).
        var summary = await Service(0.95, new TopicModels()).RescoreAsync(store);

        Assert.NotEqual(store["r1"].Verdict.ClusterId, store["r2"].Verdict.ClusterId);
        Assert.Equal(0, summary.SemanticallyJoined);
        Assert.Equal(3, summary.Clusters);
    }

    [Fact]
    public async Task Rescore_OnWithoutAnEmbedder_ClearErrorAndVerdictsUntouched()
    {
        var store = await Paraphrases();
        var before = store["r2"].Verdict;

        var e = await Assert.ThrowsAsync<WhetstoneException>(() => Service(0.85, null).RescoreAsync(store));

        Assert.Equal(ErrorCode.InvalidConfiguration, e.Code);
        Assert.Contains("SemanticClusterThreshold", e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", e.Message, StringComparison.Ordinal);
        Assert.Same(before, store["r2"].Verdict);
        Assert.Equal(0, store.VerdictBatches);
    }

    [Fact]
    public async Task Rescore_MoreDistinctTasksThanTheBound_ErrorNamesTheKeyAndNothingIsEmbedded()
    {
        var store = await Paraphrases();
        var models = new TopicModels();

        var e = await Assert.ThrowsAsync<WhetstoneException>(() => Service(0.85, models, maxTasks: 2).RescoreAsync(store));

        Assert.Equal(ErrorCode.InvalidConfiguration, e.Code);
        Assert.Contains("Whetstone:Quality:SemanticClusterMaxTasks", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, models.Embedder.TextsSeen);
        Assert.Equal(0, store.VerdictBatches);
    }

    [Fact]
    public async Task Rescore_EmbedderReturnsTheWrongNumberOfVectors_ExternalFailure()
    {
        var store = await Paraphrases();

        var e = await Assert.ThrowsAsync<WhetstoneException>(() => Service(0.85, new TopicModels(dropOne: true)).RescoreAsync(store));

        Assert.Equal(ErrorCode.ExternalFailure, e.Code);
        Assert.Contains("2 vectors for 3 texts", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.VerdictBatches);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void From_SemanticThresholdOutOfRange_InvalidConfigurationNamingTheKey(double threshold)
    {
        var e = Assert.Throws<WhetstoneException>(() => QualityPolicy.From(new QualityOptions { SemanticClusterThreshold = threshold }));

        Assert.Equal(ErrorCode.InvalidConfiguration, e.Code);
        Assert.Contains("Whetstone:Quality:SemanticClusterThreshold", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_UnchangedWhenOff_ChangedWhenOn()
    {
        Assert.Equal(QualityPolicy.Default.Version, QualityPolicy.From(new QualityOptions { SemanticClusterMaxTasks = 5 }).Version);
        Assert.NotEqual(QualityPolicy.Default.Version, QualityPolicy.From(new QualityOptions { SemanticClusterThreshold = 0.85 }).Version);
        Assert.Throws<WhetstoneException>(() => QualityPolicy.From(new QualityOptions { SemanticClusterMaxTasks = 0 }));
    }

    /// <summary>Gives the topic embedder; creates no model clients.</summary>
    private sealed class TopicModels(bool dropOne = false) : IModelClientFactory
    {
        public TopicEmbedder Embedder { get; } = new(dropOne);

        public int Released { get; private set; }

        public IModelClient Create(Candidate candidate) => throw new InvalidOperationException("no model clients in these tests");

        public ITextEmbedder? CreateEmbedder() => Embedder;

        public void Release(object? resource)
        {
            if (ReferenceEquals(resource, Embedder))
            {
                Released++;
            }
        }
    }

    /// <summary>Texts about the same topic word get vectors with a cosine of 0.9 (a shared topic axis plus a
    /// per-text axis); texts about different topics are orthogonal.</summary>
    private sealed class TopicEmbedder(bool dropOne) : ITextEmbedder
    {
        private readonly Dictionary<string, int> _own = new(StringComparer.Ordinal);

        public int TextsSeen { get; private set; }

        public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken)
        {
            TextsSeen += texts.Count;
            var vectors = texts.Select(text =>
            {
                var v = new float[Topics.Length + 64];
                var topic = Array.FindIndex(Topics, w => text.Contains(w, StringComparison.OrdinalIgnoreCase));
                Assert.True(topic >= 0, $"no topic word in '{text}'");
                if (!_own.TryGetValue(text, out var own))
                {
                    _own[text] = own = _own.Count;
                }

                // cos = 0.9 between two texts of a topic: 0.9 on the topic axis and sqrt(0.1) on an own axis.
                v[topic] = 3 * MathF.Sqrt(0.9f);
                v[Topics.Length + own] = 3 * MathF.Sqrt(0.1f);
                return v;
            }).ToArray();
            return dropOne ? vectors[..^1] : vectors;
        }
    }

    private sealed class SyncProgress(Action<RescoreProgress> report) : IProgress<RescoreProgress>
    {
        public void Report(RescoreProgress value) => report(value);
    }
}
