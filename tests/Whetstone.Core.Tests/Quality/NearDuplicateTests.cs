using Whetstone.Quality.NearDuplicates;
using Whetstone.Trajectories;
using static Whetstone.Core.Tests.Quality.QualityTestData;

namespace Whetstone.Core.Tests.Quality;

public class MinHasherTests
{
    private static byte[] Sign(Trajectory t)
    {
        var signature = new byte[MinHasher.Bytes];
        new MinHasher().Sign(t, signature);
        return signature;
    }

    [Fact]
    public void Sign_SameRunUnderAnotherId_SameSignature()
    {
        var t = FireAct("fireact-llama-2-7b-lora-1768");

        Assert.Equal(Sign(t), Sign(t with { Id = "copy" }));
    }

    [Fact]
    public void Similarity_RunAndCopyWithOneWordAdded_Similar()
    {
        var t = FireAct("fireact-llama-2-7b-lora-1768");
        var messages = t.Messages.ToList();
        messages[0] = messages[0] with { Content = messages[0].Content + " please" };
        var copy = t with { Id = "copy", Task = messages[0].Content, Messages = messages };

        var (content, sameIds) = MinHasher.Similarity(Sign(t), Sign(copy));

        Assert.True(content >= 0.85, $"similarity {content}");
        Assert.True(sameIds);
    }

    [Fact]
    public void Similarity_SameQuestionForAnotherPatient_IdentifiersDiffer()
    {
        var a = Sign(MedAgentBench("mab-gpt-4o-099"));
        var b = Sign(MedAgentBench("mab-gpt-4o-098"));

        var (content, sameIds) = MinHasher.Similarity(a, b);

        Assert.True(content > 0.5, $"similarity {content}");
        Assert.False(sameIds);
        Assert.False(new NearDuplicateIndex(0.9).Similar(a, b));
    }

    [Fact]
    public void Similarity_DifferentFireActQuestions_Low()
    {
        var (content, _) = MinHasher.Similarity(Sign(FireAct("fireact-gpt-3.5-turbo-0613-ft-6238")), Sign(FireAct("fireact-gpt-3.5-turbo-0613-ft-5388")));

        Assert.True(content < 0.2, $"similarity {content}");
    }
}

public class NearDuplicateIndexTests
{
    [Theory]
    [InlineData(0.9, 8)]
    [InlineData(0.7, 4)]
    [InlineData(0.5, 2)]
    public void Constructor_Threshold_ChoosesBands(double threshold, int rows)
    {
        var index = new NearDuplicateIndex(threshold);

        Assert.Equal(rows, index.Rows);
        Assert.Equal(64 / rows, index.Bands);
    }

    [Fact]
    public void Build_CopiesWithinAModelAndAcrossModels_DuplicatesOnlyWithinTheModel()
    {
        var hasher = new MinHasher();
        var index = new NearDuplicateIndex(0.9);
        var signature = new byte[MinHasher.Bytes];
        var runs = AllFireAct.Values.Take(60).ToList();
        foreach (var t in runs)
        {
            hasher.Sign(t, signature);
            index.Add(signature, 0, 0);
        }

        // Item 60: a copy of item 5 by the same model; item 61: a copy of item 5 by another model.
        hasher.Sign(runs[5], signature);
        index.Add(signature, 0, 0);
        index.Add(signature, 1, 0);

        var result = index.Build();

        Assert.Equal(5, result.DuplicateRoot[60]);
        Assert.Equal(61, result.DuplicateRoot[61]);
        Assert.Equal(5, result.ClusterRoot[61]);
        Assert.Equal(60, Enumerable.Range(0, 62).Count(i => result.ClusterRoot[i] == i));
    }

    [Fact]
    public void Build_SameTaskKey_OneClusterNoDuplicates()
    {
        var hasher = new MinHasher();
        var index = new NearDuplicateIndex(0.9);
        var signature = new byte[MinHasher.Bytes];
        hasher.Sign(FireAct("fireact-gpt-3.5-turbo-0613-ft-6238"), signature);
        index.Add(signature, 0, 42);
        hasher.Sign(FireAct("fireact-gpt-3.5-turbo-0613-ft-2544"), signature);
        index.Add(signature, 0, 42);
        hasher.Sign(FireAct("fireact-gpt-3.5-turbo-0613-ft-5388"), signature);
        index.Add(signature, 0, 7);

        var result = index.Build();

        Assert.Equal([0, 0, 2], result.ClusterRoot);
        Assert.Equal([0, 1, 2], result.DuplicateRoot);
    }

    [Fact]
    public void Add_WrongSignatureSize_Throws()
    {
        Assert.Throws<ArgumentException>(() => new NearDuplicateIndex(0.9).Add(new byte[3], 0, 0));
    }
}
