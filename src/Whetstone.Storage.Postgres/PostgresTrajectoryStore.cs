using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Whetstone.Quality;
using Whetstone.Trajectories;

namespace Whetstone.Storage.Postgres;

internal sealed class PostgresTrajectoryStore(PostgresDatabase db) : ITrajectoryStore
{
    private const string Columns = "seq, id, ingested_at, doc, verdict, redaction::text";

    public async Task<IReadOnlyList<InsertResult>> InsertAsync(IReadOnlyList<StoredTrajectory> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var results = new InsertResult[batch.Count];
        if (batch.Count == 0)
        {
            return results;
        }

        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("""
            INSERT INTO trajectories (id, ingested_at, model_name, task_key, accepted, score, reasons, doc, verdict, redaction)
            SELECT i, a, m, t, acc, s, r::jsonb, d, v, red::jsonb
            FROM unnest(@ids, @ats, @models, @tasks, @accepted, @scores, @reasons, @docs, @verdicts, @redactions)
                 WITH ORDINALITY AS x(i, a, m, t, acc, s, r, d, v, red, o)
            ORDER BY o
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """, connection);
        c.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(s => s.Id).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = batch.Select(s => s.IngestedAt.UtcDateTime).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("models", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(s => (object?)s.Trajectory.Model?.Name ?? DBNull.Value).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("tasks", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(s => (object?)s.Trajectory.TaskKey ?? DBNull.Value).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("accepted", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = batch.Select(s => s.IsAccepted).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("scores", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = batch.Select(s => s.Verdict.Score).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(s => Reasons(s.Verdict)).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("docs", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(s => JsonSerializer.Serialize(s.Trajectory, WhetstoneJson.Compact.Trajectory)).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("verdicts", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(s => JsonSerializer.Serialize(s.Verdict, WhetstoneJson.Compact.QualityVerdict)).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("redactions", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(s => JsonSerializer.Serialize(s.Redaction, WhetstoneJson.Compact.RedactionReport)).ToArray() });
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using (var r = await c.ExecuteReaderAsync(cancellationToken))
        {
            while (await r.ReadAsync(cancellationToken))
            {
                inserted.Add(r.GetString(0));
            }
        }

        for (var i = 0; i < batch.Count; i++)
        {
            // The first occurrence of an id in the batch is the one inserted.
            results[i] = inserted.Remove(batch[i].Id) ? InsertResult.Inserted : InsertResult.Duplicate;
        }

        return results;
    }

    private static string Reasons(QualityVerdict v) => JsonSerializer.Serialize(v.Reasons.ToList(), WhetstoneJson.Compact.ListString);

    public async Task<StoredTrajectory?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        return await GetAsync(connection, null, id, forUpdate: false, cancellationToken);
    }

    private static async Task<StoredTrajectory?> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string id, bool forUpdate, CancellationToken cancellationToken)
    {
        await using var c = new NpgsqlCommand($"SELECT {Columns} FROM trajectories WHERE id = @id{(forUpdate ? " FOR UPDATE" : "")}", connection, tx);
        c.Parameters.AddWithValue("id", id);
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? ReadRow(r) : null;
    }

    public async IAsyncEnumerable<StoredTrajectory> StreamAsync(TrajectoryFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = Filter(connection, Columns, filter ?? new TrajectoryFilter());
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return ReadRow(r);
        }
    }

    public async IAsyncEnumerable<RawTrajectory> StreamRawAsync(TrajectoryFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = Filter(connection, "seq, id, model_name, task_key, accepted, doc, verdict, redaction::text", filter ?? new TrajectoryFilter());
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return new RawTrajectory(
                r.GetInt64(0),
                r.GetString(1),
                r.IsDBNull(2) ? null : r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3),
                r.GetBoolean(4),
                Encoding.UTF8.GetBytes(r.GetString(5)),
                r.GetString(6),
                r.GetString(7));
        }
    }

    private static NpgsqlCommand Filter(NpgsqlConnection connection, string columns, TrajectoryFilter filter)
    {
        var c = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder($"SELECT {columns} FROM trajectories WHERE seq > @after");
        c.Parameters.AddWithValue("after", filter.AfterSequence);
        if (filter.Accepted is { } accepted)
        {
            sql.Append(" AND accepted = @accepted");
            c.Parameters.AddWithValue("accepted", accepted);
        }

        if (filter.ModelName is { } model)
        {
            sql.Append(" AND model_name = @model");
            c.Parameters.AddWithValue("model", model);
        }

        if (filter.TaskKey is { } task)
        {
            sql.Append(" AND task_key = @task");
            c.Parameters.AddWithValue("task", task);
        }

        if (filter.Ids is { } ids)
        {
            sql.Append(" AND id = ANY(@ids)");
            c.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.ToArray() });
        }

        sql.Append(filter.NewestFirst ? " ORDER BY seq DESC" : " ORDER BY seq");
        if (filter.Limit is { } limit)
        {
            sql.Append(" LIMIT @limit");
            c.Parameters.AddWithValue("limit", limit);
        }

        c.CommandText = sql.ToString();
        return c;
    }

    public async Task<StoredTrajectory> UpdateAsync(string id, Func<StoredTrajectory, StoredTrajectory> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var current = await GetAsync(connection, tx, id, forUpdate: true, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no trajectory with id '{id}'");
        var updated = change(current);
        if (updated.Id != current.Id)
        {
            throw new WhetstoneException(ErrorCode.Conflict, "an update may not change a trajectory's id");
        }

        var newDoc = JsonSerializer.Serialize(updated.Trajectory, WhetstoneJson.Compact.Trajectory);
        await using (var archive = new NpgsqlCommand("""
            INSERT INTO trajectory_versions (doc_sha256, trajectory_id, doc, archived_at)
            SELECT encode(sha256(convert_to(doc, 'UTF8')), 'hex'), id, doc, now() FROM trajectories WHERE id = @id AND doc <> @doc
            ON CONFLICT (doc_sha256) DO NOTHING
            """, connection, tx))
        {
            archive.Parameters.AddWithValue("id", id);
            archive.Parameters.AddWithValue("doc", newDoc);
            await archive.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var c = new NpgsqlCommand("""
            UPDATE trajectories SET model_name = @model, task_key = @task, accepted = @accepted, score = @score,
                reasons = @reasons::jsonb, doc = @doc, verdict = @verdict, redaction = @redaction::jsonb WHERE id = @id
            """, connection, tx))
        {
            c.Parameters.AddWithValue("id", id);
            c.Parameters.AddWithValue("model", (object?)updated.Trajectory.Model?.Name ?? DBNull.Value);
            c.Parameters.AddWithValue("task", (object?)updated.Trajectory.TaskKey ?? DBNull.Value);
            c.Parameters.AddWithValue("accepted", updated.IsAccepted);
            c.Parameters.AddWithValue("score", updated.Verdict.Score);
            c.Parameters.AddWithValue("reasons", Reasons(updated.Verdict));
            c.Parameters.AddWithValue("doc", newDoc);
            c.Parameters.AddWithValue("verdict", JsonSerializer.Serialize(updated.Verdict, WhetstoneJson.Compact.QualityVerdict));
            c.Parameters.AddWithValue("redaction", JsonSerializer.Serialize(updated.Redaction, WhetstoneJson.Compact.RedactionReport));
            await c.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return updated with { Sequence = current.Sequence };
    }

    public async Task UpdateVerdictsAsync(IReadOnlyList<KeyValuePair<string, QualityVerdict>> verdicts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        if (verdicts.Count == 0)
        {
            return;
        }

        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // A verdict without an override keeps the override stored now: a reviewer's decision recorded while the
        // verdicts were being computed (a long rescore) is never lost.
        await using var c = new NpgsqlCommand("""
            UPDATE trajectories t SET
                accepted = CASE WHEN x.keep AND t.verdict::jsonb ? 'override'
                                THEN (t.verdict::jsonb -> 'override' ->> 'accepted')::boolean ELSE x.a END,
                score = x.s, reasons = x.r::jsonb,
                verdict = CASE WHEN x.keep AND t.verdict::jsonb ? 'override'
                               THEN jsonb_set(x.v::jsonb, '{override}', t.verdict::jsonb -> 'override')::text ELSE x.v END
            FROM unnest(@ids, @accepted, @scores, @reasons, @verdicts, @keep) AS x(i, a, s, r, v, keep)
            WHERE t.id = x.i
            """, connection, tx);
        c.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = verdicts.Select(v => v.Key).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("accepted", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = verdicts.Select(v => v.Value.Override?.Accepted ?? v.Value.Accepted).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("scores", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = verdicts.Select(v => v.Value.Score).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = verdicts.Select(v => Reasons(v.Value)).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("verdicts", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = verdicts.Select(v => JsonSerializer.Serialize(v.Value, WhetstoneJson.Compact.QualityVerdict)).ToArray() });
        c.Parameters.Add(new NpgsqlParameter("keep", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = verdicts.Select(v => v.Value.Override is null).ToArray() });
        var updated = await c.ExecuteNonQueryAsync(cancellationToken);
        if (updated != verdicts.Select(v => v.Key).Distinct(StringComparer.Ordinal).Count())
        {
            var missing = new List<string>();
            foreach (var (id, _) in verdicts)
            {
                await using var check = new NpgsqlCommand("SELECT 1 FROM trajectories WHERE id = @id", connection, tx);
                check.Parameters.AddWithValue("id", id);
                if (await check.ExecuteScalarAsync(cancellationToken) is null)
                {
                    missing.Add(id);
                    break;
                }
            }

            throw new WhetstoneException(ErrorCode.NotFound, $"no trajectory with id '{missing.FirstOrDefault()}'");
        }

        await tx.CommitAsync(cancellationToken);
    }

    public async Task<StoreTotals> TotalsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("SELECT count(*), count(*) FILTER (WHERE accepted), coalesce(max(seq), 0) FROM trajectories", connection);
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return new StoreTotals(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
    }

    public async Task<StoreCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        long total, accepted, last;
        await using (var c = new NpgsqlCommand("SELECT count(*), count(*) FILTER (WHERE accepted), coalesce(max(seq), 0) FROM trajectories", connection))
        await using (var r = await c.ExecuteReaderAsync(cancellationToken))
        {
            await r.ReadAsync(cancellationToken);
            total = r.GetInt64(0);
            accepted = r.GetInt64(1);
            last = r.GetInt64(2);
        }

        return new StoreCounts
        {
            Total = total,
            Accepted = accepted,
            Rejected = total - accepted,
            LastSequence = last,
            ByReason = await Group(connection, "SELECT j, count(*) FROM trajectories, jsonb_array_elements_text(reasons) AS j GROUP BY j", cancellationToken),
            ByModel = await Group(connection, "SELECT coalesce(model_name, '(none)'), count(*) FROM trajectories GROUP BY 1", cancellationToken),
            RedactedByKind = await Group(connection, "SELECT e.key, sum(e.value::bigint) FROM trajectories, jsonb_each_text(redaction->'counts') AS e GROUP BY e.key", cancellationToken),
        };
    }

    private static async Task<SortedDictionary<string, long>> Group(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using var c = new NpgsqlCommand(sql, connection);
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            result[r.GetString(0)] = Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        }

        return result;
    }

    private static StoredTrajectory ReadRow(NpgsqlDataReader r) => new()
    {
        Sequence = r.GetInt64(0),
        IngestedAt = r.GetFieldValue<DateTimeOffset>(2),
        Trajectory = JsonSerializer.Deserialize(r.GetString(3), WhetstoneJson.Compact.Trajectory)!,
        Verdict = JsonSerializer.Deserialize(r.GetString(4), WhetstoneJson.Compact.QualityVerdict)!,
        Redaction = JsonSerializer.Deserialize(r.GetString(5), WhetstoneJson.Compact.RedactionReport)!,
    };
}
