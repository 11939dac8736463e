using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Whetstone.Datasets;

/// <summary>Assigns a task cluster to a split by a seeded hash of its key. The assignment of a cluster depends only
/// on its key, the seed and the fractions — never on which other runs exist — so a task that was in the eval split
/// of one snapshot can never move into the train split of a later one with the same parameters.</summary>
public sealed class SplitAssigner
{
    private readonly SplitParameters _parameters;

    public SplitAssigner(SplitParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters;
    }

    public Split Assign(string splitKey)
    {
        var bytes = Encoding.UTF8.GetBytes(splitKey);
        var hash = XxHash64.HashToUInt64(bytes, _parameters.Seed);
        var u = (hash >> 11) * (1.0 / (1UL << 53));
        if (u < _parameters.EvalFraction)
        {
            return Split.Eval;
        }

        return u < _parameters.EvalFraction + _parameters.ValidationFraction ? Split.Validation : Split.Train;
    }

    /// <summary>The key that keeps a task's runs together: the quality stage's cluster, else the agent's task key,
    /// else a hash of the normalised task text.</summary>
    public static string KeyFor(string? clusterId, string? taskKey, string? task)
    {
        if (!string.IsNullOrEmpty(clusterId))
        {
            return "cluster:" + clusterId;
        }

        if (!string.IsNullOrEmpty(taskKey))
        {
            return "task_key:" + taskKey;
        }

        var normalized = string.Join(' ', (task ?? "").ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(normalized), digest);
        return "task:" + Convert.ToHexStringLower(digest[..8]);
    }

}
