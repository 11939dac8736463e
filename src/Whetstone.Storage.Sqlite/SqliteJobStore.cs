using System.Text.Json;
using Whetstone.Training;

namespace Whetstone.Storage.Sqlite;

internal sealed class SqliteJobStore(SqliteDatabase db) : IJobStore
{
    public Task<bool> SaveJobAsync(JobManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = """
            INSERT INTO jobs (id, created_at, snapshot_id, doc) VALUES ($id, $t, $s, $doc)
            ON CONFLICT (id) DO NOTHING
            """;
        c.Parameters.AddWithValue("$id", manifest.Id);
        c.Parameters.AddWithValue("$t", SqliteTrajectoryStore.Time(manifest.CreatedAt));
        c.Parameters.AddWithValue("$s", manifest.SnapshotId);
        c.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(manifest, WhetstoneJson.Compact.JobManifest));
        return Task.FromResult(c.ExecuteNonQuery() == 1);
    }

    public Task<JobManifest?> GetJobAsync(string id, CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT doc FROM jobs WHERE id = $id";
        c.Parameters.AddWithValue("$id", id);
        return Task.FromResult(c.ExecuteScalar() is string doc ? JsonSerializer.Deserialize(doc, WhetstoneJson.Compact.JobManifest) : null);
    }

    public Task<IReadOnlyList<JobManifest>> ListJobsAsync(CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT doc FROM jobs ORDER BY created_at DESC, rowid DESC";
        using var r = c.ExecuteReader();
        var list = new List<JobManifest>();
        while (r.Read())
        {
            list.Add(JsonSerializer.Deserialize(r.GetString(0), WhetstoneJson.Compact.JobManifest)!);
        }

        return Task.FromResult<IReadOnlyList<JobManifest>>(list);
    }

    public Task<LaunchRecord> AppendLaunchAsync(LaunchRecord launch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(launch);
        using var connection = db.OpenConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        using var c = connection.CreateCommand();
        c.Transaction = tx;
        c.CommandText = "INSERT INTO launches (job_id, doc) VALUES ($j, '{}') RETURNING seq";
        c.Parameters.AddWithValue("$j", launch.JobId);
        var seq = (long)c.ExecuteScalar()!;
        var stored = launch with { Sequence = seq };
        using var u = connection.CreateCommand();
        u.Transaction = tx;
        u.CommandText = "UPDATE launches SET doc = $doc WHERE seq = $s";
        u.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(stored, WhetstoneJson.Compact.LaunchRecord));
        u.Parameters.AddWithValue("$s", seq);
        u.ExecuteNonQuery();
        tx.Commit();
        return Task.FromResult(stored);
    }

    public Task<IReadOnlyList<LaunchRecord>> ListLaunchesAsync(string? jobId = null, CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT doc FROM launches WHERE $j IS NULL OR job_id = $j ORDER BY seq";
        c.Parameters.AddWithValue("$j", (object?)jobId ?? DBNull.Value);
        using var r = c.ExecuteReader();
        var list = new List<LaunchRecord>();
        while (r.Read())
        {
            list.Add(JsonSerializer.Deserialize(r.GetString(0), WhetstoneJson.Compact.LaunchRecord)!);
        }

        return Task.FromResult<IReadOnlyList<LaunchRecord>>(list);
    }
}
