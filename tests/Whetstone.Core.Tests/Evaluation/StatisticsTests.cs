using Whetstone.Evaluation;

namespace Whetstone.Tests.Evaluation;

public sealed class StatisticsTests
{
    [Theory]
    [InlineData(10, 0, 2.0 / 1024)]
    [InlineData(0, 10, 2.0 / 1024)]
    [InlineData(8, 2, 2.0 * (1 + 10 + 45) / 1024)]
    [InlineData(5, 5, 1.0)]
    [InlineData(0, 0, 1.0)]
    [InlineData(1, 0, 1.0)]
    public void SignTestPValue_KnownValues(int wins, int losses, double expected) =>
        Assert.Equal(expected, PairedStatistics.SignTestPValue(wins, losses), 12);

    [Fact]
    public void SignTestPValue_LargeCounts_StayFiniteAndSmall()
    {
        var p = PairedStatistics.SignTestPValue(6000, 4000);
        Assert.InRange(p, 0, 1e-80);
        Assert.Equal(1.0, PairedStatistics.SignTestPValue(5000, 5000), 6);
    }

    [Fact]
    public void BootstrapMean_SameSeed_SameInterval_OtherSeed_Differs()
    {
        var values = Enumerable.Range(0, 200).Select(i => Math.Sin(i) * 0.3).ToArray();
        var a = PairedStatistics.BootstrapMean(values, 2000, 42)!.Value;
        var b = PairedStatistics.BootstrapMean(values, 2000, 42)!.Value;
        var c = PairedStatistics.BootstrapMean(values, 2000, 7)!.Value;

        Assert.Equal(a, b);
        Assert.NotEqual(a.Low, c.Low);
        Assert.Equal(values.Average(), a.Mean, 12);
        Assert.True(a.Low < a.Mean && a.Mean < a.High);
    }

    [Fact]
    public void BootstrapMean_ClearWin_IntervalExcludesZero()
    {
        // 70 wins, 10 losses, 20 ties on a 0/1 metric.
        var diffs = Enumerable.Repeat(1.0, 70).Concat(Enumerable.Repeat(-1.0, 10)).Concat(Enumerable.Repeat(0.0, 20)).ToArray();
        var ci = PairedStatistics.BootstrapMean(diffs, 2000, 42)!.Value;
        Assert.Equal(0.6, ci.Mean, 12);
        Assert.InRange(ci.Low, 0.45, 0.6);
        Assert.InRange(ci.High, 0.6, 0.75);
    }

    [Fact]
    public void BootstrapMean_ConstantOrEmpty_IsDegenerateOrNull()
    {
        Assert.Equal((0.5, 0.5, 0.5), PairedStatistics.BootstrapMean([0.5, 0.5, 0.5], 2000, 1));
        Assert.Null(PairedStatistics.BootstrapMean([], 2000, 1));
    }

    [Fact]
    public void Quantile_InterpolatesLinearly()
    {
        double[] sorted = [1, 2, 3, 4];
        Assert.Equal(1, PairedStatistics.Quantile(sorted, 0));
        Assert.Equal(2.5, PairedStatistics.Quantile(sorted, 0.5));
        Assert.Equal(4, PairedStatistics.Quantile(sorted, 1));
        Assert.Equal(3.85, PairedStatistics.Quantile(sorted, 0.95), 10);
    }
}
