namespace Whetstone.Evaluation;

/// <summary>Statistics for paired comparisons: seeded percentile bootstrap intervals of a mean and the exact
/// two-sided sign test (McNemar's exact test when the per-case values are 0/1).</summary>
public static class PairedStatistics
{
    public const int MinResamples = 2000;

    /// <summary>The mean and its percentile bootstrap interval at <paramref name="confidence"/> (resampling cases
    /// with replacement, <paramref name="resamples"/> times, from a generator seeded with <paramref name="seed"/>;
    /// the same inputs always give the same interval). Null interval for no values.</summary>
    public static (double Mean, double Low, double High)? BootstrapMean(IReadOnlyList<double> values, int resamples, int seed, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (confidence is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "must be in (0, 1)");
        }

        var n = values.Count;
        if (n == 0)
        {
            return null;
        }

        var data = values.ToArray();
        var mean = data.Average();
        if (data.All(v => v == data[0]))
        {
            return (mean, data[0], data[0]);
        }

        var rng = new SplitMix64((ulong)(uint)seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += data[rng.NextIndex(n)];
            }

            means[r] = sum / n;
        }

        Array.Sort(means);
        var alpha = 1 - confidence;
        return (mean, Quantile(means, alpha / 2), Quantile(means, 1 - alpha / 2));
    }

    /// <summary>Exact two-sided sign test: the probability, with no true difference, of a split of wins and losses at
    /// least this uneven (ties are dropped). 1 when there are no wins and no losses.</summary>
    public static double SignTestPValue(int wins, int losses)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(wins);
        ArgumentOutOfRangeException.ThrowIfNegative(losses);
        var n = wins + losses;
        if (n == 0)
        {
            return 1;
        }

        var k = Math.Min(wins, losses);
        // log pmf(i) of Binomial(n, 1/2), accumulated relative to pmf(k), the largest term of the lower tail.
        var logPmf = new double[k + 1];
        logPmf[0] = -n * Math.Log(2);
        for (var i = 0; i < k; i++)
        {
            logPmf[i + 1] = logPmf[i] + Math.Log(n - i) - Math.Log(i + 1);
        }

        double relative = 0;
        for (var i = 0; i <= k; i++)
        {
            relative += Math.Exp(logPmf[i] - logPmf[k]);
        }

        var tail = Math.Exp(logPmf[k] + Math.Log(relative));
        return Math.Min(1, 2 * tail);
    }

    /// <summary>Linear-interpolation quantile (type 7) of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no values", nameof(sorted));
        }

        var h = (sorted.Count - 1) * Math.Clamp(p, 0, 1);
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }

    /// <summary>A small, fully specified generator (SplitMix64) so intervals do not depend on the runtime's
    /// <see cref="Random"/> implementation.</summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in [0, n) by Lemire's multiply-shift (bias below 2^-32 for the n used here).</summary>
        public int NextIndex(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);
    }
}
