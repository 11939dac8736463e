using System.Collections;
using System.Text.Json;
using Npgsql;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

/// <summary>The CLI against the PostgreSQL provider (a schema of its own in the test cluster).</summary>
public sealed class PostgresProviderTests : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _base;
    private readonly string _schema = "cli_" + Guid.NewGuid().ToString("N")[..12];
    private readonly Hashtable _env;

    public PostgresProviderTests()
    {
        _base = Environment.GetEnvironmentVariable("WHETSTONE_TEST_POSTGRES")
            ?? throw new InvalidOperationException("WHETSTONE_TEST_POSTGRES is not set: run the tests with scripts/test.sh");
        _env = new Hashtable
        {
            ["Whetstone__Storage__Provider"] = "postgres",
            ["Whetstone__Storage__ConnectionString"] = new NpgsqlConnectionStringBuilder(_base) { SearchPath = _schema }.ToString(),
        };
    }

    public async ValueTask DisposeAsync()
    {
        _dir.Dispose();
        await using var connection = new NpgsqlConnection(_base);
        await connection.OpenAsync();
        await using var c = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
        await c.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task IngestSnapshotAndList_OnPostgres_WorkLikeSqlite()
    {
        var file = _dir.Write("runs.jsonl", string.Join("\n", TestPaths.Lines(TestPaths.FireAct, 80)));
        var home = _dir.File("home");

        var ingest = await CliRunner.RunWithEnvAsync(_env, "ingest", file, "--home", home);
        var again = await CliRunner.RunWithEnvAsync(_env, "ingest", file, "--home", home);
        var snapshot = await CliRunner.RunWithEnvAsync(_env, "dataset", "snapshot", "--min-examples", "10", "--json", "--home", home);
        var status = await CliRunner.RunWithEnvAsync(_env, "status", "--json", "--home", home);

        Assert.Equal(0, ingest.Code);
        Assert.Contains("imported 80", ingest.Out, StringComparison.Ordinal);
        Assert.Contains("duplicate 80", again.Out, StringComparison.Ordinal);
        Assert.True(snapshot.Code == 0, snapshot.Error);
        using var doc = JsonDocument.Parse(status.Out);
        Assert.StartsWith("postgres:", doc.RootElement.GetProperty("store").GetString(), StringComparison.Ordinal);
        Assert.Equal(80, doc.RootElement.GetProperty("trajectories").GetProperty("total").GetInt64());
        Assert.False(File.Exists(Path.Combine(home, "whetstone.db")));
    }
}
