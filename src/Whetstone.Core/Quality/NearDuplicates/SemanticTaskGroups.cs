using System.Numerics.Tensors;
using Whetstone.Evaluation;

namespace Whetstone.Quality.NearDuplicates;

/// <summary>Joins tasks that say the same thing in other words: the sentence embeddings of two task texts with a
/// cosine of at least the threshold put both tasks in one cluster (transitively), so a paraphrase of a training
/// task cannot land in the evaluation split.
/// <para>Every distinct task is embedded once (its first text seen, cut to <see cref="MaxChars"/>; the embedder
/// truncates further) and compared with every other: exact, no candidate pruning. The comparison costs
/// n²/2 dot products of 384 floats (about 1 s for 10,000 tasks here); embedding them costs more (a few ms a
/// task with MiniLM on CPU), which is why the number of tasks is bounded by the caller.</para></summary>
internal static class SemanticTaskGroups
{
    /// <summary>Characters of a task text that are embedded (MiniLM reads at most 256 word pieces anyway).</summary>
    public const int MaxChars = 1_000;

    private const int BatchSize = 64;

    /// <summary>For each task key joined to an earlier one, the key of its group's first task. Keys that stay
    /// alone are not in the result. <paramref name="onEmbedded"/> hears how many tasks are embedded after each batch
    /// (the slow part).</summary>
    public static SemanticMerge Group(IReadOnlyList<(ulong Key, string Text)> tasks, ITextEmbedder embedder, double threshold,
        CancellationToken cancellationToken, Action<int>? onEmbedded = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(embedder);
        var n = tasks.Count;
        var vectors = new float[n][];
        for (var start = 0; start < n; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(BatchSize, n - start);
            var texts = new string[count];
            for (var i = 0; i < count; i++)
            {
                var text = tasks[start + i].Text;
                texts[i] = text.Length > MaxChars ? text[..MaxChars] : text;
            }

            var embedded = embedder.Embed(texts, cancellationToken);
            if (embedded.Length != count)
            {
                throw new WhetstoneException(ErrorCode.ExternalFailure, $"the sentence embedder returned {embedded.Length} vectors for {count} texts");
            }

            for (var i = 0; i < count; i++)
            {
                vectors[start + i] = Normalised(embedded[i]);
            }

            onEmbedded?.Invoke(start + count);
        }

        // Rows in parallel; each row lists its similar later tasks, joined afterwards in a fixed order so the
        // groups do not depend on thread timing.
        var similar = new List<int>?[n];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var a = vectors[i];
            List<int>? found = null;
            for (var j = i + 1; j < n; j++)
            {
                if (vectors[j].Length == a.Length && TensorPrimitives.Dot(a, vectors[j]) >= threshold)
                {
                    (found ??= []).Add(j);
                }
            }

            similar[i] = found;
        });

        var sets = new UnionFind(n);
        for (var i = 0; i < n; i++)
        {
            foreach (var j in similar[i] ?? [])
            {
                sets.Union(i, j);
            }
        }

        var merged = new Dictionary<ulong, ulong>();
        var sizes = new int[n];
        var largest = n == 0 ? 0 : 1;
        for (var i = 0; i < n; i++)
        {
            var root = sets.Find(i);
            largest = Math.Max(largest, ++sizes[root]);
            if (root != i)
            {
                merged[tasks[i].Key] = tasks[root].Key;
            }
        }

        return new SemanticMerge(merged, n, largest);
    }

    private static float[] Normalised(float[] v)
    {
        var norm = TensorPrimitives.Norm(v);
        if (norm is 0 or float.NaN)
        {
            // No direction: similar to nothing (a zero vector has a dot product of 0 with everything).
            return new float[v.Length];
        }

        var copy = new float[v.Length];
        TensorPrimitives.Divide(v, norm, copy);
        return copy;
    }
}

/// <summary>What <see cref="SemanticTaskGroups.Group"/> found: task key → the key of its group's first task (only
/// for joined tasks), how many tasks were embedded, and the most tasks in one group (joining is transitive, so a low threshold can chain unrelated tasks).</summary>
internal sealed record SemanticMerge(IReadOnlyDictionary<ulong, ulong> Canonical, int Tasks, int LargestGroup)
{
    public ulong Map(ulong key) => Canonical.TryGetValue(key, out var to) ? to : key;
}
