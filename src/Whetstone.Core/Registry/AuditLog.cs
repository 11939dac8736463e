using System.Globalization;
using System.Text;
using System.Text.Json;
using Whetstone.Configuration;
using Whetstone.Storage;

namespace Whetstone.Registry;

/// <summary>The outcome of checking an audit chain.</summary>
public sealed record AuditVerification(bool Ok, long Entries, long? FirstBadSequence, string? Problem);

/// <summary>Appends actions to the hash-chained audit log in the store and mirrors each entry to
/// <c>&lt;home&gt;/audit.jsonl</c>; verifies the chain of the store or of an exported file.</summary>
public sealed class AuditLog(IAuditStore store, HomeLayout home, TimeProvider time)
{
    public async Task<AuditEntry> AppendAsync(string actor, string action, IReadOnlyList<string> subjects, JsonElement? payload = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        var digest = AuditEntry.PayloadDigest(payload);
        var at = time.GetUtcNow();
        var entry = await store.AppendAsync(last =>
        {
            var sequence = (last?.Sequence ?? 0) + 1;
            var previous = last?.Hash ?? AuditEntry.Genesis;
            return new AuditEntry
            {
                Sequence = sequence,
                At = at,
                Actor = actor,
                Action = action,
                Subjects = subjects,
                Payload = payload,
                PayloadSha256 = digest,
                PreviousHash = previous,
                Hash = AuditEntry.ComputeHash(sequence, at, actor, action, subjects, digest, previous),
            };
        }, cancellationToken);
        await SyncMirrorAsync(cancellationToken);
        return entry;
    }

    /// <summary>Appends to the mirror file whatever store entries it lacks (also after a crash between the two
    /// writes). The mirror is held exclusively while it is read and extended, so concurrent processes never write
    /// an entry twice.</summary>
    private async Task SyncMirrorAsync(CancellationToken cancellationToken)
    {
        await using var stream = await OpenExclusiveAsync(home.AuditMirror, cancellationToken);
        var lastMirrored = 0L;
        using (var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true))
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    lastMirrored = JsonSerializer.Deserialize(line, WhetstoneJson.Compact.AuditEntry)?.Sequence ?? lastMirrored;
                }
            }
        }

        stream.Seek(0, SeekOrigin.End);
        await foreach (var e in store.StreamAsync(cancellationToken))
        {
            if (e.Sequence > lastMirrored)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(e, WhetstoneJson.Compact.AuditEntry) + "\n"), cancellationToken);
            }
        }

        stream.Flush(flushToDisk: true);
    }

    private static async Task<FileStream> OpenExclusiveAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 400)
            {
                await Task.Delay(25, cancellationToken);
            }
        }
    }

    /// <summary>Checks the store's chain, and that the mirror file (when present) holds the same entries.</summary>
    public async Task<AuditVerification> VerifyStoreAsync(CancellationToken cancellationToken = default)
    {
        var entries = new List<AuditEntry>();
        await foreach (var e in store.StreamAsync(cancellationToken))
        {
            entries.Add(e);
        }

        var result = Verify(entries);
        if (!result.Ok || !File.Exists(home.AuditMirror))
        {
            return result;
        }

        var mirror = ReadFile(home.AuditMirror, out var parseProblem);
        if (parseProblem is not null)
        {
            return new AuditVerification(false, entries.Count, null, $"{home.AuditMirror}: {parseProblem}");
        }

        for (var i = 0; i < Math.Min(mirror.Count, entries.Count); i++)
        {
            if (mirror[i].Hash != entries[i].Hash)
            {
                return new AuditVerification(false, entries.Count, entries[i].Sequence,
                    $"entry {entries[i].Sequence} in the store differs from the mirror {home.AuditMirror}");
            }
        }

        if (mirror.Count > entries.Count)
        {
            return new AuditVerification(false, entries.Count, mirror[entries.Count].Sequence,
                $"the store ends at entry {entries.Count} but the mirror {home.AuditMirror} holds {mirror.Count}: entries were deleted from the store");
        }

        return result;
    }

    /// <summary>Checks an exported chain (JSON Lines of entries).</summary>
    public static AuditVerification VerifyFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"{path}: no such file");
        }

        var entries = ReadFile(path, out var problem);
        return problem is null ? Verify(entries) : new AuditVerification(false, entries.Count, null, $"{path}: {problem}");
    }

    private static List<AuditEntry> ReadFile(string path, out string? problem)
    {
        problem = null;
        var list = new List<AuditEntry>();
        var n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                list.Add(JsonSerializer.Deserialize(line, WhetstoneJson.Compact.AuditEntry)
                    ?? throw new JsonException("null entry"));
            }
            catch (JsonException e)
            {
                problem = $"line {n.ToString(CultureInfo.InvariantCulture)} is not an audit entry: {e.Message}";
                return list;
            }
        }

        return list;
    }

    /// <summary>Sequence numbers 1, 2, 3…; each entry's previous hash is the hash before it; each hash and payload
    /// digest recomputes. Names the first entry that fails.</summary>
    public static AuditVerification Verify(IReadOnlyList<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var previous = AuditEntry.Genesis;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            string? problem = null;
            if (e.Sequence != i + 1)
            {
                problem = $"expected sequence {i + 1} but found {e.Sequence}: an entry was deleted or moved";
            }
            else if (e.PreviousHash != previous)
            {
                problem = "its previous hash does not match the entry before it: an entry was deleted, inserted or reordered";
            }
            else if (AuditEntry.PayloadDigest(e.Payload) != e.PayloadSha256)
            {
                problem = "its payload does not match its digest: the payload was edited";
            }
            else if (e.ComputeHash() != e.Hash)
            {
                problem = "its hash does not match its contents: the entry was edited";
            }

            if (problem is not null)
            {
                return new AuditVerification(false, entries.Count, e.Sequence, $"entry {e.Sequence} ({e.Action}): {problem}");
            }

            previous = e.Hash;
        }

        return new AuditVerification(true, entries.Count, null, null);
    }

    /// <summary>Builds a payload object from name/value pairs.</summary>
    public static JsonElement Payload(params (string Name, object? Value)[] fields)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                w.WritePropertyName(name);
                switch (value)
                {
                    case null:
                        w.WriteNullValue();
                        break;
                    case string s:
                        w.WriteStringValue(s);
                        break;
                    case bool b:
                        w.WriteBooleanValue(b);
                        break;
                    case int n:
                        w.WriteNumberValue(n);
                        break;
                    case long l:
                        w.WriteNumberValue(l);
                        break;
                    case double d:
                        w.WriteNumberValue(d);
                        break;
                    case JsonElement j:
                        j.WriteTo(w);
                        break;
                    case IEnumerable<string> list:
                        w.WriteStartArray();
                        foreach (var item in list)
                        {
                            w.WriteStringValue(item);
                        }

                        w.WriteEndArray();
                        break;
                    default:
                        w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                        break;
                }
            }

            w.WriteEndObject();
        }

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }
}
