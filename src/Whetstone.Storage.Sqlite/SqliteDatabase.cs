using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Whetstone.Storage.Sqlite;

/// <summary>A SQLite database file in WAL mode with versioned migrations (embedded <c>Migrations/NNNN_name.sql</c>
/// files applied in name order, each once, each in its own transaction).</summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;

    private SqliteDatabase(string connectionString, string path)
    {
        _connectionString = connectionString;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens (creating when missing) the database at a file path or from a connection string.</summary>
    public static SqliteDatabase Open(string pathOrConnectionString)
    {
        var builder = pathOrConnectionString.Contains('=', StringComparison.Ordinal)
            ? new SqliteConnectionStringBuilder(pathOrConnectionString)
            : new SqliteConnectionStringBuilder { DataSource = pathOrConnectionString };
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        builder.DefaultTimeout = 30;
        if (builder.DataSource != ":memory:" && !string.IsNullOrEmpty(builder.DataSource))
        {
            var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(builder.DataSource));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }
        }

        var db = new SqliteDatabase(builder.ToString(), builder.DataSource);
        try
        {
            using var connection = db.OpenConnection();
            Exec(connection, "PRAGMA journal_mode=WAL;");
            db.Migrate(connection);
        }
        catch (SqliteException e)
        {
            throw new WhetstoneException(ErrorCode.StoreFailure, $"cannot open SQLite store {builder.DataSource}: {e.Message}", inner: e);
        }

        return db;
    }

    /// <summary>An open connection with the per-connection settings applied.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Exec(connection, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
        return connection;
    }

    public static void Exec(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
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
                return (System.IO.Path.GetFileNameWithoutExtension(n["migrations/".Length..]), reader.ReadToEnd());
            })
            .ToList();
    }

    private void Migrate(SqliteConnection connection)
    {
        Exec(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);");
        foreach (var (name, sql) in Migrations())
        {
            using var tx = connection.BeginTransaction(deferred: false);
            using (var check = connection.CreateCommand())
            {
                check.Transaction = tx;
                check.CommandText = "SELECT 1 FROM schema_migrations WHERE name = $n";
                check.Parameters.AddWithValue("$n", name);
                if (check.ExecuteScalar() is not null)
                {
                    continue;
                }
            }

            Exec(connection, sql, tx);
            using (var mark = connection.CreateCommand())
            {
                mark.Transaction = tx;
                mark.CommandText = "INSERT INTO schema_migrations (name, applied_at) VALUES ($n, $t)";
                mark.Parameters.AddWithValue("$n", name);
                mark.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                mark.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }
}
