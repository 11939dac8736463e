using System.Reflection;
using Npgsql;

namespace Whetstone.Storage.Postgres;

/// <summary>A PostgreSQL database (or one schema of it, from the connection string's <c>Search Path</c>) with
/// versioned migrations applied once each, under an advisory lock so several sidecars can start together.</summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private PostgresDatabase(NpgsqlDataSource source, string description)
    {
        Source = source;
        Description = description;
    }

    public NpgsqlDataSource Source { get; }

    public string Description { get; }

    public static async Task<PostgresDatabase> OpenAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, $"Whetstone:Storage:ConnectionString is not a PostgreSQL connection string: {e.Message}");
        }

        var description = $"postgres:{builder.Host}:{builder.Port}/{builder.Database}" + (builder.SearchPath is { Length: > 0 } sp ? $" (schema {sp})" : "");
        var source = NpgsqlDataSource.Create(builder);
        var db = new PostgresDatabase(source, description);
        try
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken);
            if (builder.SearchPath is { Length: > 0 } path)
            {
                var schema = path.Split(',')[0].Trim();
                await Exec(connection, $"CREATE SCHEMA IF NOT EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", cancellationToken);
            }

            await db.MigrateAsync(connection, cancellationToken);
        }
        catch (NpgsqlException e)
        {
            await source.DisposeAsync();
            throw new WhetstoneException(ErrorCode.StoreFailure, $"cannot open PostgreSQL store {description}: {e.Message}", inner: e);
        }

        return db;
    }

    public static async Task Exec(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, NpgsqlTransaction? tx = null)
    {
        await using var c = new NpgsqlCommand(sql, connection, tx);
        await c.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static IReadOnlyList<(string Name, string Sql)> Migrations()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (Path.GetFileNameWithoutExtension(n["migrations/".Length..]), reader.ReadToEnd());
            })
            .ToList();
    }

    private async Task MigrateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await Exec(connection, "SELECT pg_advisory_xact_lock(hashtext('whetstone-migrations'))", cancellationToken, tx);
        await Exec(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)", cancellationToken, tx);
        foreach (var (name, sql) in Migrations())
        {
            await using (var check = new NpgsqlCommand("SELECT 1 FROM schema_migrations WHERE name = @n", connection, tx))
            {
                check.Parameters.AddWithValue("n", name);
                if (await check.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    continue;
                }
            }

            await Exec(connection, sql, cancellationToken, tx);
            await using var mark = new NpgsqlCommand("INSERT INTO schema_migrations (name, applied_at) VALUES (@n, now())", connection, tx);
            mark.Parameters.AddWithValue("n", name);
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
