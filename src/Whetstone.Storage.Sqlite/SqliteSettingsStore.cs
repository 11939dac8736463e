namespace Whetstone.Storage.Sqlite;

internal sealed class SqliteSettingsStore(SqliteDatabase db) : ISettingsStore
{
    public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT value FROM settings WHERE key = $k";
        c.Parameters.AddWithValue("$k", key);
        return Task.FromResult(c.ExecuteScalar() as string);
    }

    public Task SetAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = """
            INSERT INTO settings (key, value, updated_at) VALUES ($k, $v, $t)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """;
        c.Parameters.AddWithValue("$k", key);
        c.Parameters.AddWithValue("$v", value);
        c.Parameters.AddWithValue("$t", SqliteTrajectoryStore.Time(DateTimeOffset.UtcNow));
        c.ExecuteNonQuery();
        return Task.CompletedTask;
    }
}
