using Whetstone.Datasets;

namespace Whetstone.Core.Tests.Datasets;

public class SplitAssignerTests
{
    private static readonly SplitParameters Defaults = new();

    [Fact]
    public void Assign_SameKey_AlwaysSameSplit()
    {
        var a = new SplitAssigner(Defaults);
        var b = new SplitAssigner(Defaults);

        Assert.All(Enumerable.Range(0, 500), i => Assert.Equal(a.Assign($"task:{i}"), b.Assign($"task:{i}")));
    }

    [Fact]
    public void Assign_ManyKeys_MatchesFractionsClosely()
    {
        var a = new SplitAssigner(Defaults);

        var counts = Enumerable.Range(0, 20_000).GroupBy(i => a.Assign($"k{i}")).ToDictionary(g => g.Key, g => g.Count());

        Assert.InRange(counts[Split.Eval] / 20_000.0, 0.19, 0.21);
        Assert.InRange(counts[Split.Validation] / 20_000.0, 0.09, 0.11);
        Assert.InRange(counts[Split.Train] / 20_000.0, 0.69, 0.71);
    }

    [Fact]
    public void Assign_OtherSeed_MovesSomeKeys()
    {
        var a = new SplitAssigner(Defaults);
        var b = new SplitAssigner(Defaults with { Seed = 7 });

        Assert.Contains(Enumerable.Range(0, 200), i => a.Assign($"k{i}") != b.Assign($"k{i}"));
    }

    [Fact]
    public void KeyFor_PrefersClusterThenTaskKeyThenNormalisedText()
    {
        Assert.Equal("cluster:c1", SplitAssigner.KeyFor("c1", "t1", "x"));
        Assert.Equal("task_key:t1", SplitAssigner.KeyFor(null, "t1", "x"));
        Assert.Equal(SplitAssigner.KeyFor(null, null, "Where is  my\norder?"), SplitAssigner.KeyFor(null, null, "where is my order?"));
        Assert.NotEqual(SplitAssigner.KeyFor(null, null, "where is my order?"), SplitAssigner.KeyFor(null, null, "where is my parcel?"));
    }
}
