using Npgsql;

namespace Whetstone.Storage.Postgres;

internal sealed class PostgresSettingsStore(PostgresDatabase db) : ISettingsStore
{
    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("SELECT value FROM settings WHERE key = @k", connection);
        c.Parameters.AddWithValue("k", key);
        return await c.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task SetAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("""
            INSERT INTO settings (key, value, updated_at) VALUES (@k, @v, now())
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, connection);
        c.Parameters.AddWithValue("k", key);
        c.Parameters.AddWithValue("v", value);
        await c.ExecuteNonQueryAsync(cancellationToken);
    }
}
