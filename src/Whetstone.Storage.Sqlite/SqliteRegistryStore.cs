using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using Whetstone.Registry;

namespace Whetstone.Storage.Sqlite;

internal sealed class SqliteRegistryStore(SqliteDatabase db) : IRegistryStore
{
    public Task<bool> AddCandidateAsync(Candidate candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "INSERT INTO candidates (id, doc) VALUES ($id, $doc) ON CONFLICT (id) DO NOTHING";
        c.Parameters.AddWithValue("$id", candidate.Id);
        c.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(candidate, WhetstoneJson.Compact.Candidate));
        return Task.FromResult(c.ExecuteNonQuery() == 1);
    }

    public Task<Candidate?> GetCandidateAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(One("SELECT doc FROM candidates WHERE id = $id", id, WhetstoneJson.Compact.Candidate));

    public Task<IReadOnlyList<Candidate>> ListCandidatesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(All("SELECT doc FROM candidates ORDER BY seq", null, WhetstoneJson.Compact.Candidate));

    public Task AddEvaluationAsync(EvaluationRecord evaluation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "INSERT INTO evaluations (id, candidate_id, doc) VALUES ($id, $c, $doc)";
        c.Parameters.AddWithValue("$id", evaluation.Id);
        c.Parameters.AddWithValue("$c", evaluation.CandidateId);
        c.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(evaluation, WhetstoneJson.Compact.EvaluationRecord));
        c.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<EvaluationRecord?> GetEvaluationAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(One("SELECT doc FROM evaluations WHERE id = $id", id, WhetstoneJson.Compact.EvaluationRecord));

    public Task<IReadOnlyList<EvaluationRecord>> ListEvaluationsAsync(string? candidateId = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(All("SELECT doc FROM evaluations WHERE $id IS NULL OR candidate_id = $id ORDER BY seq", candidateId, WhetstoneJson.Compact.EvaluationRecord));

    public Task<Aliases> GetAliasesAsync(CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        return Task.FromResult(ReadAliases(connection, null));
    }

    private static Aliases ReadAliases(SqliteConnection connection, SqliteTransaction? tx)
    {
        using var c = connection.CreateCommand();
        c.Transaction = tx;
        c.CommandText = "SELECT name, candidate_id FROM aliases";
        using var r = c.ExecuteReader();
        string? live = null, previous = null;
        while (r.Read())
        {
            switch (r.GetString(0))
            {
                case "live":
                    live = r.GetString(1);
                    break;
                case "previous":
                    previous = r.GetString(1);
                    break;
            }
        }

        return new Aliases(live, previous);
    }

    public Task<bool> InitializeLiveAsync(string candidateId, CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "INSERT INTO aliases (name, candidate_id) VALUES ('live', $c) ON CONFLICT (name) DO NOTHING";
        c.Parameters.AddWithValue("$c", candidateId);
        return Task.FromResult(c.ExecuteNonQuery() == 1);
    }

    public Task AddRequestAsync(PromotionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "INSERT INTO promotion_requests (id, doc) VALUES ($id, $doc)";
        c.Parameters.AddWithValue("$id", request.Id);
        c.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(request, WhetstoneJson.Compact.PromotionRequest));
        c.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<PromotionRequest?> GetRequestAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(One("SELECT doc FROM promotion_requests WHERE id = $id", id, WhetstoneJson.Compact.PromotionRequest));

    public Task UpdateRequestAsync(PromotionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = "UPDATE promotion_requests SET doc = $doc WHERE id = $id";
        c.Parameters.AddWithValue("$id", request.Id);
        c.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(request, WhetstoneJson.Compact.PromotionRequest));
        if (c.ExecuteNonQuery() != 1)
        {
            throw new WhetstoneException(ErrorCode.NotFound, $"no promotion request '{request.Id}'");
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PromotionRequest>> ListRequestsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(All("SELECT doc FROM promotion_requests ORDER BY seq", null, WhetstoneJson.Compact.PromotionRequest));

    public Task<IReadOnlyList<LiveChange>> ListChangesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(All("SELECT doc FROM live_changes ORDER BY seq", null, WhetstoneJson.Compact.LiveChange));

    public Task<LiveChange> BeginChangeAsync(LiveChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var connection = db.OpenConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        using (var pending = connection.CreateCommand())
        {
            pending.Transaction = tx;
            pending.CommandText = "SELECT id FROM live_changes WHERE state = 'pending' LIMIT 1";
            if (pending.ExecuteScalar() is string other)
            {
                throw new WhetstoneException(ErrorCode.Conflict, $"live change {other} is still pending; it must be completed first", "change_pending");
            }
        }

        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO live_changes (state, doc) VALUES ('pending', '{}') RETURNING seq";
        var seq = (long)insert.ExecuteScalar()!;
        var stored = change with
        {
            Sequence = seq,
            Id = (change.Kind == ChangeKind.Promotion ? "prom-" : "rb-") + seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            State = ChangeState.Pending,
        };
        using var update = connection.CreateCommand();
        update.Transaction = tx;
        update.CommandText = "UPDATE live_changes SET id = $id, doc = $doc WHERE seq = $seq";
        update.Parameters.AddWithValue("$id", stored.Id);
        update.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(stored, WhetstoneJson.Compact.LiveChange));
        update.Parameters.AddWithValue("$seq", seq);
        update.ExecuteNonQuery();
        tx.Commit();
        return Task.FromResult(stored);
    }

    public Task CompleteChangeAsync(string changeId, CancellationToken cancellationToken = default)
    {
        using var connection = db.OpenConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        LiveChange change;
        using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT doc FROM live_changes WHERE id = $id";
            read.Parameters.AddWithValue("$id", changeId);
            change = read.ExecuteScalar() is string doc
                ? JsonSerializer.Deserialize(doc, WhetstoneJson.Compact.LiveChange)!
                : throw new WhetstoneException(ErrorCode.NotFound, $"no live change '{changeId}'");
        }

        if (change.State == ChangeState.Done)
        {
            return Task.CompletedTask;
        }

        var done = change with { State = ChangeState.Done };
        using (var update = connection.CreateCommand())
        {
            update.Transaction = tx;
            update.CommandText = "UPDATE live_changes SET state = 'done', doc = $doc WHERE id = $id";
            update.Parameters.AddWithValue("$id", changeId);
            update.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(done, WhetstoneJson.Compact.LiveChange));
            update.ExecuteNonQuery();
        }

        SetAlias(connection, tx, "live", done.CandidateAfter);
        SetAlias(connection, tx, "previous", done.PreviousAfter);
        tx.Commit();
        return Task.CompletedTask;
    }

    private static void SetAlias(SqliteConnection connection, SqliteTransaction tx, string name, string? candidate)
    {
        using var c = connection.CreateCommand();
        c.Transaction = tx;
        if (candidate is null)
        {
            c.CommandText = "DELETE FROM aliases WHERE name = $n";
        }
        else
        {
            c.CommandText = "INSERT INTO aliases (name, candidate_id) VALUES ($n, $c) ON CONFLICT (name) DO UPDATE SET candidate_id = excluded.candidate_id";
            c.Parameters.AddWithValue("$c", candidate);
        }

        c.Parameters.AddWithValue("$n", name);
        c.ExecuteNonQuery();
    }

    public async Task<IAsyncDisposable> LockLiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(db.Path) + ".live.lock";
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(25, cancellationToken);
            }
            catch (IOException e)
            {
                throw new WhetstoneException(ErrorCode.Conflict, $"another promotion or rollback holds {path}; try again", "busy", e);
            }
        }
    }

    private sealed class FileLock(FileStream stream) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }

    private T? One<T>(string sql, string id, JsonTypeInfo<T> type)
        where T : class
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = sql;
        c.Parameters.AddWithValue("$id", id);
        return c.ExecuteScalar() is string doc ? JsonSerializer.Deserialize(doc, type) : null;
    }

    private IReadOnlyList<T> All<T>(string sql, string? id, JsonTypeInfo<T> type)
    {
        using var connection = db.OpenConnection();
        using var c = connection.CreateCommand();
        c.CommandText = sql;
        c.Parameters.AddWithValue("$id", (object?)id ?? DBNull.Value);
        using var r = c.ExecuteReader();
        var list = new List<T>();
        while (r.Read())
        {
            list.Add(JsonSerializer.Deserialize(r.GetString(0), type)!);
        }

        return list;
    }
}

internal sealed class SqliteAuditStore(SqliteDatabase db) : IAuditStore
{
    public Task<AuditEntry> AppendAsync(Func<AuditEntry?, AuditEntry> seal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seal);
        using var connection = db.OpenConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        AuditEntry? last = null;
        using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT doc FROM audit_log ORDER BY seq DESC LIMIT 1";
            if (read.ExecuteScalar() is string doc)
            {
                last = JsonSerializer.Deserialize(doc, WhetstoneJson.Compact.AuditEntry);
            }
        }

        var entry = seal(last);
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO audit_log (seq, hash, doc) VALUES ($s, $h, $doc)";
        insert.Parameters.AddWithValue("$s", entry.Sequence);
        insert.Parameters.AddWithValue("$h", entry.Hash);
        insert.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(entry, WhetstoneJson.Compact.AuditEntry));
        insert.ExecuteNonQuery();
        tx.Commit();
        return Task.FromResult(entry);
    }

    public async IAsyncEnumerable<AuditEntry> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = db.OpenConnection();
        await using var c = connection.CreateCommand();
        c.CommandText = "SELECT doc FROM audit_log ORDER BY seq";
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return JsonSerializer.Deserialize(r.GetString(0), WhetstoneJson.Compact.AuditEntry)!;
        }
    }
}
