using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Whetstone.Datasets;

namespace Whetstone.Storage.Postgres;

internal sealed class PostgresSnapshotStore(PostgresDatabase db) : ISnapshotStore
{
    private const string EvalPointerKey = "eval_snapshot";

    public async Task<ISnapshotWriter> BeginAsync(CancellationToken cancellationToken = default) => await Writer.StartAsync(db, cancellationToken);

    public async Task<Snapshot?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("SELECT doc FROM snapshots WHERE id = @id", connection);
        c.Parameters.AddWithValue("id", id);
        return await c.ExecuteScalarAsync(cancellationToken) is string doc ? Parse(doc) : null;
    }

    public async Task<IReadOnlyList<Snapshot>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("SELECT doc FROM snapshots ORDER BY snapshot_key DESC", connection);
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        var list = new List<Snapshot>();
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(Parse(r.GetString(0)));
        }

        return list;
    }

    public async IAsyncEnumerable<SnapshotItem> StreamItemsAsync(string id, Split? split = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = Items(connection, "", id, split);
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return ReadItem(r);
        }
    }

    public async IAsyncEnumerable<SnapshotEntry> StreamEntriesAsync(string id, Split? split = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = Items(connection, ", t.doc", id, split);
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return new SnapshotEntry(ReadItem(r), r.IsDBNull(6) ? [] : Encoding.UTF8.GetBytes(r.GetString(6)));
        }
    }

    private static NpgsqlCommand Items(NpgsqlConnection connection, string extra, string id, Split? split)
    {
        var c = new NpgsqlCommand($"""
            SELECT i.ordinal, i.trajectory_id, i.split, i.split_key, i.doc_sha256, i.weights{extra}
            FROM snapshots s
            JOIN snapshot_items i ON i.snapshot_key = s.snapshot_key
            {(extra.Length > 0 ? "LEFT JOIN trajectories t ON t.id = i.trajectory_id" : "")}
            WHERE s.id = @id AND (@split::text IS NULL OR i.split = @split)
            ORDER BY i.ordinal
            """, connection);
        c.Parameters.AddWithValue("id", id);
        c.Parameters.Add(new NpgsqlParameter("split", NpgsqlDbType.Text) { Value = split is { } sp ? SplitNames.Name(sp) : DBNull.Value });
        return c;
    }

    public async Task<byte[]> ReadPinnedAsync(SnapshotItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("SELECT doc FROM trajectory_versions WHERE doc_sha256 = @sha", connection);
        c.Parameters.AddWithValue("sha", item.DocSha256);
        return await c.ExecuteScalarAsync(cancellationToken) is string doc
            ? Encoding.UTF8.GetBytes(doc)
            : throw new WhetstoneException(ErrorCode.StoreFailure,
                $"the content of trajectory '{item.TrajectoryId}' as pinned by the snapshot (sha256 {item.DocSha256[..12]}…) is missing from the store");
    }

    public async Task<EvalPointer?> GetEvalPointerAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("SELECT value FROM settings WHERE key = @k", connection);
        c.Parameters.AddWithValue("k", EvalPointerKey);
        return await c.ExecuteScalarAsync(cancellationToken) is string v ? JsonSerializer.Deserialize(v, WhetstoneJson.Compact.EvalPointer) : null;
    }

    public async Task SetEvalPointerAsync(EvalPointer pointer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("""
            INSERT INTO settings (key, value, updated_at) VALUES (@k, @v, @t)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, connection);
        c.Parameters.AddWithValue("k", EvalPointerKey);
        c.Parameters.AddWithValue("v", JsonSerializer.Serialize(pointer, WhetstoneJson.Compact.EvalPointer));
        c.Parameters.AddWithValue("t", pointer.SetAt.UtcDateTime);
        await c.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Snapshot Parse(string doc) => JsonSerializer.Deserialize(doc, WhetstoneJson.Compact.Snapshot)!;

    private static SnapshotItem ReadItem(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), SplitNames.Parse(r.GetString(2)), r.GetString(3), r.GetString(4), r.GetString(5));

    /// <summary>Items go in by binary COPY inside one transaction; the snapshot row is added at commit.</summary>
    private sealed class Writer : ISnapshotWriter
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _tx;
        private readonly long _key;
        private NpgsqlBinaryImporter? _copy;
        private bool _done;

        private Writer(NpgsqlConnection connection, NpgsqlTransaction tx, long key)
        {
            _connection = connection;
            _tx = tx;
            _key = key;
        }

        public static async Task<Writer> StartAsync(PostgresDatabase db, CancellationToken cancellationToken)
        {
            var connection = await db.Source.OpenConnectionAsync(cancellationToken);
            var tx = await connection.BeginTransactionAsync(cancellationToken);
            await using var k = new NpgsqlCommand("INSERT INTO snapshot_keys DEFAULT VALUES RETURNING key", connection, tx);
            var key = (long)(await k.ExecuteScalarAsync(cancellationToken))!;
            return new Writer(connection, tx, key);
        }

        public async Task AddAsync(SnapshotItem item, CancellationToken cancellationToken = default)
        {
            _copy ??= await _connection.BeginBinaryImportAsync(
                "COPY snapshot_items (snapshot_key, ordinal, trajectory_id, split, split_key, doc_sha256, weights) FROM STDIN (FORMAT BINARY)", cancellationToken);
            await _copy.StartRowAsync(cancellationToken);
            await _copy.WriteAsync(_key, NpgsqlDbType.Bigint, cancellationToken);
            await _copy.WriteAsync(item.Ordinal, NpgsqlDbType.Bigint, cancellationToken);
            await _copy.WriteAsync(item.TrajectoryId, NpgsqlDbType.Text, cancellationToken);
            await _copy.WriteAsync(SplitNames.Name(item.Split), NpgsqlDbType.Text, cancellationToken);
            await _copy.WriteAsync(item.SplitKey, NpgsqlDbType.Text, cancellationToken);
            await _copy.WriteAsync(item.DocSha256, NpgsqlDbType.Text, cancellationToken);
            await _copy.WriteAsync(item.Weights, NpgsqlDbType.Text, cancellationToken);
        }

        private async Task FinishCopyAsync(CancellationToken cancellationToken)
        {
            if (_copy is not null)
            {
                await _copy.CompleteAsync(cancellationToken);
                await _copy.DisposeAsync();
                _copy = null;
            }
        }

        public async Task<IReadOnlyDictionary<Split, long>> CountClustersAsync(CancellationToken cancellationToken = default)
        {
            await FinishCopyAsync(cancellationToken);
            await using var c = new NpgsqlCommand("SELECT split, count(DISTINCT split_key) FROM snapshot_items WHERE snapshot_key = @k GROUP BY split", _connection, _tx);
            c.Parameters.AddWithValue("k", _key);
            await using var r = await c.ExecuteReaderAsync(cancellationToken);
            var result = new Dictionary<Split, long>();
            while (await r.ReadAsync(cancellationToken))
            {
                result[SplitNames.Parse(r.GetString(0))] = r.GetInt64(1);
            }

            return result;
        }

        public async Task<bool> CommitAsync(Snapshot snapshot, CancellationToken cancellationToken = default)
        {
            await FinishCopyAsync(cancellationToken);
            await using var c = new NpgsqlCommand("""
                INSERT INTO snapshots (id, snapshot_key, created_at, doc) VALUES (@id, @k, @t, @doc)
                ON CONFLICT (id) DO NOTHING
                """, _connection, _tx);
            c.Parameters.AddWithValue("id", snapshot.Id);
            c.Parameters.AddWithValue("k", _key);
            c.Parameters.AddWithValue("t", snapshot.CreatedAt.UtcDateTime);
            c.Parameters.AddWithValue("doc", JsonSerializer.Serialize(snapshot, WhetstoneJson.Compact.Snapshot));
            var created = await c.ExecuteNonQueryAsync(cancellationToken) == 1;
            if (created)
            {
                await _tx.CommitAsync(cancellationToken);
            }
            else
            {
                await _tx.RollbackAsync(cancellationToken);
            }

            _done = true;
            return created;
        }

        public async ValueTask DisposeAsync()
        {
            if (_copy is not null)
            {
                await _copy.DisposeAsync();
            }

            if (!_done)
            {
                try
                {
                    await _tx.RollbackAsync();
                }
                catch (InvalidOperationException)
                {
                    // Already completed.
                }
            }

            await _tx.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
