using Npgsql;

namespace Whetstone.Storage.Postgres.Tests;

/// <summary>A fresh schema per test in the throwaway cluster that scripts/test.sh starts (WHETSTONE_TEST_POSTGRES).
/// Without it these tests fail: they are never skipped.</summary>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    public PostgresTestDatabase()
    {
        var baseString = Environment.GetEnvironmentVariable("WHETSTONE_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(baseString))
        {
            throw new InvalidOperationException(
                "WHETSTONE_TEST_POSTGRES is not set: run the tests with scripts/test.sh, which starts a throwaway PostgreSQL cluster");
        }

        BaseConnectionString = baseString;
        Schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        ConnectionString = new NpgsqlConnectionStringBuilder(baseString) { SearchPath = Schema }.ToString();
    }

    public string BaseConnectionString { get; }

    public string Schema { get; }

    public string ConnectionString { get; }

    public Task<PostgresStore> OpenAsync() => PostgresStore.OpenAsync(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(BaseConnectionString);
        await connection.OpenAsync();
        await using var c = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
        await c.ExecuteNonQueryAsync();
    }
}
