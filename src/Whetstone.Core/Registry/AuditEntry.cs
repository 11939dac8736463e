using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Whetstone.Registry;

/// <summary>One entry of the hash-chained audit log: sequence, time, actor, action, subject ids, the SHA-256 of the
/// payload, the previous entry's hash and its own hash over all of these. Editing, deleting or reordering entries
/// breaks the chain.</summary>
public sealed record AuditEntry
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public required long Sequence { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string Actor { get; init; }

    /// <summary>Stable snake_case action (<c>candidate_registered</c>, <c>promotion_approved</c>, …).</summary>
    public required string Action { get; init; }

    public IReadOnlyList<string> Subjects { get; init; } = [];

    /// <summary>Details of the action (ids, reasons, counts — never trajectory text).</summary>
    public JsonElement? Payload { get; init; }

    public required string PayloadSha256 { get; init; }

    public required string PreviousHash { get; init; }

    public required string Hash { get; init; }

    /// <summary>The hash the entry must carry given its fields.</summary>
    public string ComputeHash() => ComputeHash(Sequence, At, Actor, Action, Subjects, PayloadSha256, PreviousHash);

    public static string ComputeHash(long sequence, DateTimeOffset at, string actor, string action, IReadOnlyList<string> subjects,
        string payloadSha256, string previousHash)
    {
        var text = string.Join('\n',
            sequence.ToString(CultureInfo.InvariantCulture),
            at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            actor,
            action,
            string.Join('\u001f', subjects),
            payloadSha256,
            previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public static string PayloadDigest(JsonElement? payload) =>
        payload is { } p ? Trajectories.CanonicalJson.Sha256Hex(p) : Convert.ToHexStringLower(SHA256.HashData([]));
}
