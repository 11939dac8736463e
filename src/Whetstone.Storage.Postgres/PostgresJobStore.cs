using System.Text.Json;
using Npgsql;
using Whetstone.Training;

namespace Whetstone.Storage.Postgres;

internal sealed class PostgresJobStore(PostgresDatabase db) : IJobStore
{
    public async Task<bool> SaveJobAsync(JobManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("""
            INSERT INTO jobs (id, created_at, snapshot_id, doc) VALUES (@id, @t, @s, @doc)
            ON CONFLICT (id) DO NOTHING
            """, connection);
        c.Parameters.AddWithValue("id", manifest.Id);
        c.Parameters.AddWithValue("t", manifest.CreatedAt.UtcDateTime);
        c.Parameters.AddWithValue("s", manifest.SnapshotId);
        c.Parameters.AddWithValue("doc", JsonSerializer.Serialize(manifest, WhetstoneJson.Compact.JobManifest));
        return await c.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<JobManifest?> GetJobAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("SELECT doc FROM jobs WHERE id = @id", connection);
        c.Parameters.AddWithValue("id", id);
        return await c.ExecuteScalarAsync(cancellationToken) is string doc ? JsonSerializer.Deserialize(doc, WhetstoneJson.Compact.JobManifest) : null;
    }

    public async Task<IReadOnlyList<JobManifest>> ListJobsAsync(CancellationToken cancellationToken = default) =>
        await PostgresRows.ListAsync(db, "SELECT doc FROM jobs ORDER BY created_at DESC, seq DESC", null, WhetstoneJson.Compact.JobManifest, cancellationToken);

    public async Task<LaunchRecord> AppendLaunchAsync(LaunchRecord launch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(launch);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("INSERT INTO launches (job_id, doc) VALUES (@j, '{}') RETURNING seq", connection, tx);
        c.Parameters.AddWithValue("j", launch.JobId);
        var seq = (long)(await c.ExecuteScalarAsync(cancellationToken))!;
        var stored = launch with { Sequence = seq };
        await using var u = new NpgsqlCommand("UPDATE launches SET doc = @doc WHERE seq = @s", connection, tx);
        u.Parameters.AddWithValue("doc", JsonSerializer.Serialize(stored, WhetstoneJson.Compact.LaunchRecord));
        u.Parameters.AddWithValue("s", seq);
        await u.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return stored;
    }

    public async Task<IReadOnlyList<LaunchRecord>> ListLaunchesAsync(string? jobId = null, CancellationToken cancellationToken = default) =>
        await PostgresRows.ListAsync(db, "SELECT doc FROM launches WHERE @id::text IS NULL OR job_id = @id ORDER BY seq", jobId, WhetstoneJson.Compact.LaunchRecord, cancellationToken);
}

/// <summary>Reads JSON documents from rows.</summary>
internal static class PostgresRows
{
    public static async Task<IReadOnlyList<T>> ListAsync<T>(PostgresDatabase db, string sql, string? id,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand(sql, connection);
        c.Parameters.Add(new NpgsqlParameter("id", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)id ?? DBNull.Value });
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        var list = new List<T>();
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(JsonSerializer.Deserialize(r.GetString(0), type)!);
        }

        return list;
    }

    public static async Task<T?> OneAsync<T>(PostgresDatabase db, string sql, string id,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand(sql, connection);
        c.Parameters.AddWithValue("id", id);
        return await c.ExecuteScalarAsync(cancellationToken) is string doc ? JsonSerializer.Deserialize(doc, type) : null;
    }
}
