using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Whetstone.Datasets;
using Whetstone.Trajectories;

namespace Whetstone.Storage.Sqlite;

internal sealed class SqliteSnapshotStore(SqliteDatabase db) : ISnapshotStore
{
    private const string EvalPointerKey = "eval_snapshot";

    public Task<ISnapshotWriter> BeginAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<ISnapshotWriter>(new Writer(db));

    public Task<Snapshot?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT doc FROM snapshots WHERE id = $id";
        c.Parameters.AddWithValue("$id", id);
        return Task.FromResult(c.ExecuteScalar() is string doc ? Parse(doc) : null);
    }

    public Task<IReadOnlyList<Snapshot>> ListAsync(CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT doc FROM snapshots ORDER BY snapshot_key DESC";
        using var r = c.ExecuteReader();
        var list = new List<Snapshot>();
        while (r.Read())
        {
            list.Add(Parse(r.GetString(0)));
        }

        return Task.FromResult<IReadOnlyList<Snapshot>>(list);
    }

    public async IAsyncEnumerable<SnapshotItem> StreamItemsAsync(string id, Split? split = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = db.OpenConnection();
        await using var c = connection.CreateCommand();
        c.CommandText = """
            SELECT i.ordinal, i.trajectory_id, i.split, i.split_key, i.doc_sha256, i.weights
            FROM snapshots s JOIN snapshot_items i ON i.snapshot_key = s.snapshot_key
            WHERE s.id = $id AND ($split IS NULL OR i.split = $split)
            ORDER BY i.ordinal
            """;
        c.Parameters.AddWithValue("$id", id);
        c.Parameters.AddWithValue("$split", split is { } sp ? SplitNames.Name(sp) : DBNull.Value);
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return ReadItem(r);
        }
    }

    public async IAsyncEnumerable<SnapshotEntry> StreamEntriesAsync(string id, Split? split = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = db.OpenConnection();
        await using var c = connection.CreateCommand();
        c.CommandText = """
            SELECT i.ordinal, i.trajectory_id, i.split, i.split_key, i.doc_sha256, i.weights, CAST(t.doc AS BLOB)
            FROM snapshots s
            JOIN snapshot_items i ON i.snapshot_key = s.snapshot_key
            LEFT JOIN trajectories t ON t.id = i.trajectory_id
            WHERE s.id = $id AND ($split IS NULL OR i.split = $split)
            ORDER BY i.ordinal
            """;
        c.Parameters.AddWithValue("$id", id);
        c.Parameters.AddWithValue("$split", split is { } sp ? SplitNames.Name(sp) : DBNull.Value);
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            var item = ReadItem(r);
            yield return new SnapshotEntry(item, r.IsDBNull(6) ? [] : (byte[])r.GetValue(6));
        }
    }

    public Task<byte[]> ReadPinnedAsync(SnapshotItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        using var connection = db.OpenConnection();
        return Task.FromResult(Archived(connection, item));
    }

    private static byte[] Archived(SqliteConnection connection, SnapshotItem item)
    {
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT CAST(doc AS BLOB) FROM trajectory_versions WHERE doc_sha256 = $sha";
        c.Parameters.AddWithValue("$sha", item.DocSha256);
        return c.ExecuteScalar() as byte[] ?? throw new WhetstoneException(ErrorCode.StoreFailure,
            $"the content of trajectory '{item.TrajectoryId}' as pinned by the snapshot (sha256 {item.DocSha256[..12]}…) is missing from the store");
    }

    public Task<EvalPointer?> GetEvalPointerAsync(CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT value FROM settings WHERE key = $k";
        c.Parameters.AddWithValue("$k", EvalPointerKey);
        return Task.FromResult(c.ExecuteScalar() is string v ? JsonSerializer.Deserialize(v, WhetstoneJson.Compact.EvalPointer) : null);
    }

    public Task SetEvalPointerAsync(EvalPointer pointer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = """
            INSERT INTO settings (key, value, updated_at) VALUES ($k, $v, $t)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """;
        c.Parameters.AddWithValue("$k", EvalPointerKey);
        c.Parameters.AddWithValue("$v", JsonSerializer.Serialize(pointer, WhetstoneJson.Compact.EvalPointer));
        c.Parameters.AddWithValue("$t", SqliteTrajectoryStore.Time(pointer.SetAt));
        c.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    private static Snapshot Parse(string doc) => JsonSerializer.Deserialize(doc, WhetstoneJson.Compact.Snapshot)!;

    private static SnapshotItem ReadItem(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), SplitNames.Parse(r.GetString(2)), r.GetString(3), r.GetString(4), r.GetString(5));

    /// <summary>Writes items inside one transaction under a fresh snapshot key; the snapshot row is added at commit.</summary>
    private sealed class Writer : ISnapshotWriter
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _tx;
        private readonly SqliteCommand _insert;
        private readonly long _key;
        private bool _done;

        public Writer(SqliteDatabase db)
        {
            _connection = db.OpenConnection();
            _tx = _connection.BeginTransaction(deferred: false);
            using (var k = _connection.CreateCommand())
            {
                k.Transaction = _tx;
                k.CommandText = "INSERT INTO snapshot_keys DEFAULT VALUES RETURNING key";
                _key = (long)k.ExecuteScalar()!;
            }

            _insert = _connection.CreateCommand();
            _insert.Transaction = _tx;
            _insert.CommandText = """
                INSERT INTO snapshot_items (snapshot_key, ordinal, trajectory_id, split, split_key, doc_sha256, weights)
                VALUES ($k, $o, $t, $s, $sk, $h, $w)
                """;
            _insert.Parameters.AddWithValue("$k", _key);
            foreach (var name in new[] { "$o", "$t", "$s", "$sk", "$h", "$w" })
            {
                _insert.Parameters.Add(name, SqliteType.Text);
            }

            _insert.Prepare();
        }

        public Task AddAsync(SnapshotItem item, CancellationToken cancellationToken = default)
        {
            _insert.Parameters["$o"].Value = item.Ordinal;
            _insert.Parameters["$t"].Value = item.TrajectoryId;
            _insert.Parameters["$s"].Value = SplitNames.Name(item.Split);
            _insert.Parameters["$sk"].Value = item.SplitKey;
            _insert.Parameters["$h"].Value = item.DocSha256;
            _insert.Parameters["$w"].Value = item.Weights;
            _insert.ExecuteNonQuery();
            return Task.CompletedTask;
        }

        public Task<IReadOnlyDictionary<Split, long>> CountClustersAsync(CancellationToken cancellationToken = default)
        {
            using var c = _connection.CreateCommand();
            c.Transaction = _tx;
            c.CommandText = "SELECT split, count(DISTINCT split_key) FROM snapshot_items WHERE snapshot_key = $k GROUP BY split";
            c.Parameters.AddWithValue("$k", _key);
            using var r = c.ExecuteReader();
            var result = new Dictionary<Split, long>();
            while (r.Read())
            {
                result[SplitNames.Parse(r.GetString(0))] = r.GetInt64(1);
            }

            return Task.FromResult<IReadOnlyDictionary<Split, long>>(result);
        }

        public Task<bool> CommitAsync(Snapshot snapshot, CancellationToken cancellationToken = default)
        {
            using (var exists = _connection.CreateCommand())
            {
                exists.Transaction = _tx;
                exists.CommandText = "SELECT 1 FROM snapshots WHERE id = $id";
                exists.Parameters.AddWithValue("$id", snapshot.Id);
                if (exists.ExecuteScalar() is not null)
                {
                    _tx.Rollback();
                    _done = true;
                    return Task.FromResult(false);
                }
            }

            using var c = _connection.CreateCommand();
            c.Transaction = _tx;
            c.CommandText = "INSERT INTO snapshots (id, snapshot_key, created_at, doc) VALUES ($id, $k, $t, $doc)";
            c.Parameters.AddWithValue("$id", snapshot.Id);
            c.Parameters.AddWithValue("$k", _key);
            c.Parameters.AddWithValue("$t", SqliteTrajectoryStore.Time(snapshot.CreatedAt));
            c.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(snapshot, WhetstoneJson.Compact.Snapshot));
            c.ExecuteNonQuery();
            _tx.Commit();
            _done = true;
            return Task.FromResult(true);
        }

        public ValueTask DisposeAsync()
        {
            if (!_done)
            {
                _tx.Rollback();
            }

            _insert.Dispose();
            _tx.Dispose();
            _connection.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
