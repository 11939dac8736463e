using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Whetstone.Quality.NearDuplicates;

/// <summary>Finds near-duplicates among many runs with MinHash + LSH banding, in memory that grows linearly
/// (72 bytes of signature, a group and a task key per run; a few arrays of one word per run while building).
/// <para>Runs are added with their signature, a group (the model: near-duplicates only count within one model)
/// and a task key (runs sharing a non-zero key are the same task). <see cref="Build"/> returns, per run, the
/// root of its task cluster (same task key, or near-duplicate of any run, across groups) and the root of its
/// near-duplicate set (within its group). Roots are the earliest run of each set.</para>
/// <para>Banding: the 64 positions are cut into b bands of r rows, with r the largest of 2/4/8/16 whose
/// S-curve midpoint (1/b)^(1/r) lies at least 0.1 under the threshold; runs sharing a band are candidates,
/// and a candidate pair is linked when the estimated content similarity reaches the threshold and the
/// identifier fingerprints are equal. Within a band bucket
/// (sorted by group) each run is compared with its neighbour, so buckets cost linear time.</para></summary>
internal sealed class NearDuplicateIndex
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private readonly List<byte[]> _signatures = [];
    private readonly List<int[]> _groups = [];
    private readonly List<ulong[]> _taskKeys = [];

    public NearDuplicateIndex(double threshold)
    {
        if (threshold is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold));
        }

        Threshold = threshold;
        Rows = ChooseRows(threshold);
    }

    public double Threshold { get; }

    /// <summary>Rows per band (bands = 64 / rows).</summary>
    public int Rows { get; }

    public int Bands => MinHasher.Size / Rows;

    public int Count { get; private set; }

    /// <summary>Bytes held for the runs added so far (signature chunks, groups, task keys), without the
    /// temporary arrays of <see cref="Build"/> (about 12 bytes per run per band pass, plus 8 per run for the
    /// two results).</summary>
    public long HeldBytes => (long)_signatures.Count * ChunkSize * (MinHasher.Bytes + sizeof(int) + sizeof(ulong));

    /// <summary>Adds a run; returns its index.</summary>
    public int Add(ReadOnlySpan<byte> signature, int group, ulong taskKey)
    {
        if (signature.Length != MinHasher.Bytes)
        {
            throw new ArgumentException($"a signature has {MinHasher.Bytes} bytes", nameof(signature));
        }

        var index = Count;
        var (chunk, offset) = (index >> ChunkBits, index & (ChunkSize - 1));
        if (chunk == _signatures.Count)
        {
            _signatures.Add(new byte[ChunkSize * MinHasher.Bytes]);
            _groups.Add(new int[ChunkSize]);
            _taskKeys.Add(new ulong[ChunkSize]);
        }

        signature.CopyTo(_signatures[chunk].AsSpan(offset * MinHasher.Bytes, MinHasher.Bytes));
        _groups[chunk][offset] = group;
        _taskKeys[chunk][offset] = taskKey;
        Count++;
        return index;
    }

    public ReadOnlySpan<byte> Signature(int index) =>
        _signatures[index >> ChunkBits].AsSpan((index & (ChunkSize - 1)) * MinHasher.Bytes, MinHasher.Bytes);

    public int Group(int index) => _groups[index >> ChunkBits][index & (ChunkSize - 1)];

    private ulong TaskKey(int index) => _taskKeys[index >> ChunkBits][index & (ChunkSize - 1)];

    /// <summary>Links task clusters and near-duplicate sets; see the class remarks. With <paramref name="tasks"/>,
    /// task keys it maps to another key count as that key (tasks joined by meaning).</summary>
    public NearDuplicateResult Build(CancellationToken cancellationToken = default, SemanticMerge? tasks = null)
    {
        var n = Count;
        var clusters = new UnionFind(n);
        var duplicates = new UnionFind(n);
        var keys = new ulong[n];
        var items = new int[n];
        var comparisons = 0L;

        // Same task key: one cluster.
        var m = 0;
        for (var i = 0; i < n; i++)
        {
            if (TaskKey(i) is not 0 and var k)
            {
                keys[m] = tasks is null ? k : tasks.Map(k);
                items[m] = i;
                m++;
            }
        }

        Array.Sort(keys, items, 0, m);
        for (var i = 1; i < m; i++)
        {
            if (keys[i] == keys[i - 1])
            {
                clusters.Union(items[i - 1], items[i]);
            }
        }

        var bucketGroups = new List<(int Group, int Item)>();
        for (var band = 0; band < Bands; band++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < n; i++)
            {
                keys[i] = BandKey(Signature(i), band);
                items[i] = i;
            }

            Array.Sort(keys, items);
            var start = 0;
            for (var i = 1; i <= n; i++)
            {
                if (i < n && keys[i] == keys[start])
                {
                    continue;
                }

                if (i - start > 1)
                {
                    comparisons += LinkBucket(items.AsSpan(start, i - start), bucketGroups, clusters, duplicates);
                }

                start = i;
            }
        }

        var clusterRoot = new int[n];
        var duplicateRoot = new int[n];
        for (var i = 0; i < n; i++)
        {
            clusterRoot[i] = clusters.Find(i);
            duplicateRoot[i] = duplicates.Find(i);
        }

        return new NearDuplicateResult(clusterRoot, duplicateRoot, comparisons);
    }

    private int LinkBucket(Span<int> bucket, List<(int Group, int Item)> scratch, UnionFind clusters, UnionFind duplicates)
    {
        scratch.Clear();
        foreach (var item in bucket)
        {
            scratch.Add((Group(item), item));
        }

        scratch.Sort();
        var compared = 0;
        for (var k = 1; k < scratch.Count; k++)
        {
            var (ga, a) = scratch[k - 1];
            var (gb, b) = scratch[k];
            var sameGroup = ga == gb;
            var clustered = clusters.Find(a) == clusters.Find(b);
            if (clustered && (!sameGroup || duplicates.Find(a) == duplicates.Find(b)))
            {
                continue;
            }

            compared++;
            if (Similar(Signature(a), Signature(b)))
            {
                clusters.Union(a, b);
                if (sameGroup)
                {
                    duplicates.Union(a, b);
                }
            }
        }

        return compared;
    }

    private ulong BandKey(ReadOnlySpan<byte> signature, int band)
    {
        var rows = signature.Slice(band * Rows, Rows);
        return Rows switch
        {
            2 => BinaryPrimitives.ReadUInt16LittleEndian(rows),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(rows),
            8 => BinaryPrimitives.ReadUInt64LittleEndian(rows),
            _ => XxHash64.HashToUInt64(rows),
        };
    }

    /// <summary>Near-duplicates: the estimated similarity of the content parts reaches the threshold and the
    /// identifier fingerprints are equal.</summary>
    public bool Similar(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (!a[MinHasher.Size..].SequenceEqual(b[MinHasher.Size..]))
        {
            return false;
        }

        if (!Vector256.IsHardwareAccelerated)
        {
            return MinHasher.Similarity(a, b).Content >= Threshold;
        }

        var equal = 0;
        for (var i = 0; i < MinHasher.Size; i += Vector256<byte>.Count)
        {
            equal += BitOperations.PopCount(Vector256.Equals(Vector256.Create(a.Slice(i, 32)), Vector256.Create(b.Slice(i, 32))).ExtractMostSignificantBits());
        }

        return MinHasher.Estimate(equal, MinHasher.Size) >= Threshold;
    }

    private static int ChooseRows(double threshold)
    {
        foreach (var rows in new[] { 16, 8, 4 })
        {
            var bands = MinHasher.Size / rows;
            if (Math.Pow(1.0 / bands, 1.0 / rows) <= threshold - 0.1)
            {
                return rows;
            }
        }

        return 2;
    }
}

/// <summary>Per run: the root (earliest run) of its task cluster and of its near-duplicate set.</summary>
internal sealed record NearDuplicateResult(int[] ClusterRoot, int[] DuplicateRoot, long Comparisons);
