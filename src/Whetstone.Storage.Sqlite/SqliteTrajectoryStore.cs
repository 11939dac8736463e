using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Whetstone.Quality;
using Whetstone.Redaction;
using Whetstone.Trajectories;

namespace Whetstone.Storage.Sqlite;

internal sealed class SqliteTrajectoryStore(SqliteDatabase db) : ITrajectoryStore
{
    private const string Columns = "seq, id, ingested_at, doc, verdict, redaction";

    public Task<IReadOnlyList<InsertResult>> InsertAsync(IReadOnlyList<StoredTrajectory> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var results = new InsertResult[batch.Count];
        if (batch.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<InsertResult>>(results);
        }

        using var connection = db.OpenConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO trajectories (id, ingested_at, model_name, task_key, accepted, score, reasons, doc, verdict, redaction)
            VALUES ($id, $at, $model, $task, $accepted, $score, $reasons, $doc, $verdict, $redaction)
            ON CONFLICT (id) DO NOTHING
            """;
        var pId = command.Parameters.Add("$id", SqliteType.Text);
        var pAt = command.Parameters.Add("$at", SqliteType.Text);
        var pModel = command.Parameters.Add("$model", SqliteType.Text);
        var pTask = command.Parameters.Add("$task", SqliteType.Text);
        var pAccepted = command.Parameters.Add("$accepted", SqliteType.Integer);
        var pScore = command.Parameters.Add("$score", SqliteType.Real);
        var pReasons = command.Parameters.Add("$reasons", SqliteType.Text);
        var pDoc = command.Parameters.Add("$doc", SqliteType.Text);
        var pVerdict = command.Parameters.Add("$verdict", SqliteType.Text);
        var pRedaction = command.Parameters.Add("$redaction", SqliteType.Text);
        command.Prepare();
        for (var i = 0; i < batch.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var s = batch[i];
            pId.Value = s.Id;
            pAt.Value = Time(s.IngestedAt);
            pModel.Value = (object?)s.Trajectory.Model?.Name ?? DBNull.Value;
            pTask.Value = (object?)s.Trajectory.TaskKey ?? DBNull.Value;
            pAccepted.Value = s.IsAccepted ? 1 : 0;
            pScore.Value = s.Verdict.Score;
            pReasons.Value = JsonSerializer.Serialize(s.Verdict.Reasons.ToList(), WhetstoneJson.Compact.ListString);
            pDoc.Value = JsonSerializer.Serialize(s.Trajectory, WhetstoneJson.Compact.Trajectory);
            pVerdict.Value = JsonSerializer.Serialize(s.Verdict, WhetstoneJson.Compact.QualityVerdict);
            pRedaction.Value = JsonSerializer.Serialize(s.Redaction, WhetstoneJson.Compact.RedactionReport);
            results[i] = command.ExecuteNonQuery() == 1 ? InsertResult.Inserted : InsertResult.Duplicate;
        }

        tx.Commit();
        return Task.FromResult<IReadOnlyList<InsertResult>>(results);
    }

    public Task<StoredTrajectory?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        return Task.FromResult(Get(connection, null, id));
    }

    private static StoredTrajectory? Get(SqliteConnection connection, SqliteTransaction? tx, string id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"SELECT {Columns} FROM trajectories WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadRow(reader) : null;
    }

    public async IAsyncEnumerable<StoredTrajectory> StreamAsync(TrajectoryFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = db.OpenConnection();
        await using var command = connection.CreateCommand();
        Filter(command, Columns, filter ?? new TrajectoryFilter());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadRow(reader);
        }
    }

    public async IAsyncEnumerable<RawTrajectory> StreamRawAsync(TrajectoryFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = db.OpenConnection();
        await using var command = connection.CreateCommand();
        Filter(command, "seq, id, model_name, task_key, accepted, CAST(doc AS BLOB), verdict, redaction", filter ?? new TrajectoryFilter());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new RawTrajectory(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt64(4) == 1,
                (byte[])reader.GetValue(5),
                reader.GetString(6),
                reader.GetString(7));
        }
    }

    private static void Filter(SqliteCommand command, string columns, TrajectoryFilter filter)
    {
        var sql = new StringBuilder($"SELECT {columns} FROM trajectories WHERE seq > $after");
        command.Parameters.AddWithValue("$after", filter.AfterSequence);
        if (filter.Accepted is { } accepted)
        {
            sql.Append(" AND accepted = $accepted");
            command.Parameters.AddWithValue("$accepted", accepted ? 1 : 0);
        }

        if (filter.ModelName is { } model)
        {
            sql.Append(" AND model_name = $model");
            command.Parameters.AddWithValue("$model", model);
        }

        if (filter.TaskKey is { } task)
        {
            sql.Append(" AND task_key = $task");
            command.Parameters.AddWithValue("$task", task);
        }

        if (filter.Ids is { } ids)
        {
            sql.Append(" AND id IN (SELECT value FROM json_each($ids))");
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(ids.ToList(), WhetstoneJson.Compact.ListString));
        }

        sql.Append(filter.NewestFirst ? " ORDER BY seq DESC" : " ORDER BY seq");
        if (filter.Limit is { } limit)
        {
            sql.Append(" LIMIT $limit");
            command.Parameters.AddWithValue("$limit", limit);
        }

        command.CommandText = sql.ToString();
    }

    public Task<StoredTrajectory> UpdateAsync(string id, Func<StoredTrajectory, StoredTrajectory> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var connection = db.OpenConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        var current = Get(connection, tx, id)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no trajectory with id '{id}'");
        var updated = change(current);
        if (updated.Id != current.Id)
        {
            throw new WhetstoneException(ErrorCode.Conflict, "an update may not change a trajectory's id");
        }

        var oldDoc = JsonSerializer.Serialize(current.Trajectory, WhetstoneJson.Compact.Trajectory);
        var newDoc = JsonSerializer.Serialize(updated.Trajectory, WhetstoneJson.Compact.Trajectory);
        if (oldDoc != newDoc)
        {
            // Snapshots pin content by hash: keep what they may have pinned.
            using var archive = connection.CreateCommand();
            archive.Transaction = tx;
            archive.CommandText = """
                INSERT INTO trajectory_versions (doc_sha256, trajectory_id, doc, archived_at)
                SELECT $sha, id, doc, $at FROM trajectories WHERE id = $id
                ON CONFLICT (doc_sha256) DO NOTHING
                """;
            archive.Parameters.AddWithValue("$sha", Sha256Hex(StoredDoc(connection, tx, id)));
            archive.Parameters.AddWithValue("$at", Time(DateTimeOffset.UtcNow));
            archive.Parameters.AddWithValue("$id", id);
            archive.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            UPDATE trajectories SET model_name = $model, task_key = $task, accepted = $accepted, score = $score,
                reasons = $reasons, doc = $doc, verdict = $verdict, redaction = $redaction WHERE id = $id
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$model", (object?)updated.Trajectory.Model?.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("$task", (object?)updated.Trajectory.TaskKey ?? DBNull.Value);
        AddVerdict(command, updated.Verdict, updated.IsAccepted);
        command.Parameters.AddWithValue("$doc", newDoc);
        command.Parameters.AddWithValue("$redaction", JsonSerializer.Serialize(updated.Redaction, WhetstoneJson.Compact.RedactionReport));
        command.ExecuteNonQuery();
        tx.Commit();
        return Task.FromResult(updated with { Sequence = current.Sequence });
    }

    public Task UpdateVerdictsAsync(IReadOnlyList<KeyValuePair<string, QualityVerdict>> verdicts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        using var connection = db.OpenConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        // A verdict without an override keeps the override stored now: a reviewer's decision recorded while the
        // verdicts were being computed (a long rescore) is never lost. SET expressions read the old row.
        command.CommandText = """
            UPDATE trajectories SET
                accepted = CASE WHEN $keep = 1 AND json_extract(verdict, '$.override') IS NOT NULL
                                THEN json_extract(verdict, '$.override.accepted') ELSE $accepted END,
                score = $score, reasons = $reasons,
                verdict = CASE WHEN $keep = 1 AND json_extract(verdict, '$.override') IS NOT NULL
                               THEN json_set($verdict, '$.override', json(json_extract(verdict, '$.override'))) ELSE $verdict END
            WHERE id = $id
            """;
        foreach (var (id, verdict) in verdicts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$keep", verdict.Override is null ? 1 : 0);
            AddVerdict(command, verdict, verdict.Override?.Accepted ?? verdict.Accepted);
            if (command.ExecuteNonQuery() != 1)
            {
                throw new WhetstoneException(ErrorCode.NotFound, $"no trajectory with id '{id}'");
            }
        }

        tx.Commit();
        return Task.CompletedTask;
    }

    private static void AddVerdict(SqliteCommand command, QualityVerdict verdict, bool accepted)
    {
        command.Parameters.AddWithValue("$accepted", accepted ? 1 : 0);
        command.Parameters.AddWithValue("$score", verdict.Score);
        command.Parameters.AddWithValue("$reasons", JsonSerializer.Serialize(verdict.Reasons.ToList(), WhetstoneJson.Compact.ListString));
        command.Parameters.AddWithValue("$verdict", JsonSerializer.Serialize(verdict, WhetstoneJson.Compact.QualityVerdict));
    }

    public Task<StoreTotals> TotalsAsync(CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT count(*), coalesce(sum(accepted), 0), coalesce(max(seq), 0) FROM trajectories";
        using var r = c.ExecuteReader();
        r.Read();
        return Task.FromResult(new StoreTotals(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)));
    }

    public Task<StoreCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        long total = 0, accepted = 0, last = 0;
        using (var c = connection.CreateCommand())
        {
            c.CommandText = "SELECT count(*), coalesce(sum(accepted), 0), coalesce(max(seq), 0) FROM trajectories";
            using var r = c.ExecuteReader();
            r.Read();
            total = r.GetInt64(0);
            accepted = r.GetInt64(1);
            last = r.GetInt64(2);
        }

        return Task.FromResult(new StoreCounts
        {
            Total = total,
            Accepted = accepted,
            Rejected = total - accepted,
            LastSequence = last,
            ByReason = Group(connection, "SELECT j.value, count(*) FROM trajectories t, json_each(t.reasons) j GROUP BY j.value"),
            ByModel = Group(connection, "SELECT coalesce(model_name, '(none)'), count(*) FROM trajectories GROUP BY 1"),
            RedactedByKind = Group(connection, "SELECT j.key, sum(j.value) FROM trajectories t, json_each(t.redaction, '$.counts') j GROUP BY j.key"),
        });
    }

    private static SortedDictionary<string, long> Group(SqliteConnection connection, string sql)
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        using var c = connection.CreateCommand();
        c.CommandText = sql;
        using var r = c.ExecuteReader();
        while (r.Read())
        {
            result[r.GetString(0)] = r.GetInt64(1);
        }

        return result;
    }

    private static StoredTrajectory ReadRow(SqliteDataReader r) => new()
    {
        Sequence = r.GetInt64(0),
        IngestedAt = DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        Trajectory = JsonSerializer.Deserialize(r.GetString(3), WhetstoneJson.Compact.Trajectory)!,
        Verdict = JsonSerializer.Deserialize(r.GetString(4), WhetstoneJson.Compact.QualityVerdict)!,
        Redaction = JsonSerializer.Deserialize(r.GetString(5), WhetstoneJson.Compact.RedactionReport)!,
    };

    private static byte[] StoredDoc(SqliteConnection connection, SqliteTransaction tx, string id)
    {
        using var c = connection.CreateCommand();
        c.Transaction = tx;
        c.CommandText = "SELECT CAST(doc AS BLOB) FROM trajectories WHERE id = $id";
        c.Parameters.AddWithValue("$id", id);
        return (byte[])c.ExecuteScalar()!;
    }

    internal static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
