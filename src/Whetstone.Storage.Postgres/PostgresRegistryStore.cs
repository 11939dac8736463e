using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;
using Whetstone.Registry;

namespace Whetstone.Storage.Postgres;

internal sealed class PostgresRegistryStore(PostgresDatabase db) : IRegistryStore
{
    public async Task<bool> AddCandidateAsync(Candidate candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("INSERT INTO candidates (id, doc) VALUES (@id, @doc) ON CONFLICT (id) DO NOTHING", connection);
        c.Parameters.AddWithValue("id", candidate.Id);
        c.Parameters.AddWithValue("doc", JsonSerializer.Serialize(candidate, WhetstoneJson.Compact.Candidate));
        return await c.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public Task<Candidate?> GetCandidateAsync(string id, CancellationToken cancellationToken = default) =>
        PostgresRows.OneAsync(db, "SELECT doc FROM candidates WHERE id = @id", id, WhetstoneJson.Compact.Candidate, cancellationToken);

    public Task<IReadOnlyList<Candidate>> ListCandidatesAsync(CancellationToken cancellationToken = default) =>
        PostgresRows.ListAsync(db, "SELECT doc FROM candidates ORDER BY seq", null, WhetstoneJson.Compact.Candidate, cancellationToken);

    public async Task AddEvaluationAsync(EvaluationRecord evaluation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("INSERT INTO evaluations (id, candidate_id, doc) VALUES (@id, @c, @doc)", connection);
        c.Parameters.AddWithValue("id", evaluation.Id);
        c.Parameters.AddWithValue("c", evaluation.CandidateId);
        c.Parameters.AddWithValue("doc", JsonSerializer.Serialize(evaluation, WhetstoneJson.Compact.EvaluationRecord));
        await c.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<EvaluationRecord?> GetEvaluationAsync(string id, CancellationToken cancellationToken = default) =>
        PostgresRows.OneAsync(db, "SELECT doc FROM evaluations WHERE id = @id", id, WhetstoneJson.Compact.EvaluationRecord, cancellationToken);

    public Task<IReadOnlyList<EvaluationRecord>> ListEvaluationsAsync(string? candidateId = null, CancellationToken cancellationToken = default) =>
        PostgresRows.ListAsync(db, "SELECT doc FROM evaluations WHERE @id::text IS NULL OR candidate_id = @id ORDER BY seq", candidateId, WhetstoneJson.Compact.EvaluationRecord, cancellationToken);

    public async Task<Aliases> GetAliasesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("SELECT name, candidate_id FROM aliases", connection);
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        string? live = null, previous = null;
        while (await r.ReadAsync(cancellationToken))
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

    public async Task<bool> InitializeLiveAsync(string candidateId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("INSERT INTO aliases (name, candidate_id) VALUES ('live', @c) ON CONFLICT (name) DO NOTHING", connection);
        c.Parameters.AddWithValue("c", candidateId);
        return await c.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task AddRequestAsync(PromotionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("INSERT INTO promotion_requests (id, doc) VALUES (@id, @doc)", connection);
        c.Parameters.AddWithValue("id", request.Id);
        c.Parameters.AddWithValue("doc", JsonSerializer.Serialize(request, WhetstoneJson.Compact.PromotionRequest));
        await c.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<PromotionRequest?> GetRequestAsync(string id, CancellationToken cancellationToken = default) =>
        PostgresRows.OneAsync(db, "SELECT doc FROM promotion_requests WHERE id = @id", id, WhetstoneJson.Compact.PromotionRequest, cancellationToken);

    public async Task UpdateRequestAsync(PromotionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("UPDATE promotion_requests SET doc = @doc WHERE id = @id", connection);
        c.Parameters.AddWithValue("id", request.Id);
        c.Parameters.AddWithValue("doc", JsonSerializer.Serialize(request, WhetstoneJson.Compact.PromotionRequest));
        if (await c.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new WhetstoneException(ErrorCode.NotFound, $"no promotion request '{request.Id}'");
        }
    }

    public Task<IReadOnlyList<PromotionRequest>> ListRequestsAsync(CancellationToken cancellationToken = default) =>
        PostgresRows.ListAsync(db, "SELECT doc FROM promotion_requests ORDER BY seq", null, WhetstoneJson.Compact.PromotionRequest, cancellationToken);

    public Task<IReadOnlyList<LiveChange>> ListChangesAsync(CancellationToken cancellationToken = default) =>
        PostgresRows.ListAsync(db, "SELECT doc FROM live_changes ORDER BY seq", null, WhetstoneJson.Compact.LiveChange, cancellationToken);

    public async Task<LiveChange> BeginChangeAsync(LiveChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        long seq;
        try
        {
            await using var insert = new NpgsqlCommand("INSERT INTO live_changes (state, doc) VALUES ('pending', '{}') RETURNING seq", connection, tx);
            seq = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new WhetstoneException(ErrorCode.Conflict, "another live change is still pending; it must be completed first", "change_pending", e);
        }

        var stored = change with
        {
            Sequence = seq,
            Id = (change.Kind == ChangeKind.Promotion ? "prom-" : "rb-") + seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            State = ChangeState.Pending,
        };
        await using var update = new NpgsqlCommand("UPDATE live_changes SET id = @id, doc = @doc WHERE seq = @seq", connection, tx);
        update.Parameters.AddWithValue("id", stored.Id);
        update.Parameters.AddWithValue("doc", JsonSerializer.Serialize(stored, WhetstoneJson.Compact.LiveChange));
        update.Parameters.AddWithValue("seq", seq);
        await update.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return stored;
    }

    public async Task CompleteChangeAsync(string changeId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        LiveChange change;
        await using (var read = new NpgsqlCommand("SELECT doc FROM live_changes WHERE id = @id FOR UPDATE", connection, tx))
        {
            read.Parameters.AddWithValue("id", changeId);
            change = await read.ExecuteScalarAsync(cancellationToken) is string doc
                ? JsonSerializer.Deserialize(doc, WhetstoneJson.Compact.LiveChange)!
                : throw new WhetstoneException(ErrorCode.NotFound, $"no live change '{changeId}'");
        }

        if (change.State == ChangeState.Done)
        {
            return;
        }

        var done = change with { State = ChangeState.Done };
        await using (var update = new NpgsqlCommand("UPDATE live_changes SET state = 'done', doc = @doc WHERE id = @id", connection, tx))
        {
            update.Parameters.AddWithValue("id", changeId);
            update.Parameters.AddWithValue("doc", JsonSerializer.Serialize(done, WhetstoneJson.Compact.LiveChange));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await SetAliasAsync(connection, tx, "live", done.CandidateAfter, cancellationToken);
        await SetAliasAsync(connection, tx, "previous", done.PreviousAfter, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private static async Task SetAliasAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string name, string? candidate, CancellationToken cancellationToken)
    {
        await using var c = new NpgsqlCommand(candidate is null
            ? "DELETE FROM aliases WHERE name = @n"
            : "INSERT INTO aliases (name, candidate_id) VALUES (@n, @c) ON CONFLICT (name) DO UPDATE SET candidate_id = excluded.candidate_id", connection, tx);
        c.Parameters.AddWithValue("n", name);
        if (candidate is not null)
        {
            c.Parameters.AddWithValue("c", candidate);
        }

        await c.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A session-level advisory lock held on a dedicated connection: it serializes live changes across every
    /// sidecar using this database, and is released if the holder dies.</summary>
    public async Task<IAsyncDisposable> LockLiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using (var c = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('whetstone-live'))", connection))
            {
                if ((bool)(await c.ExecuteScalarAsync(cancellationToken))!)
                {
                    return new AdvisoryLock(connection);
                }
            }

            if (DateTime.UtcNow >= deadline)
            {
                await connection.DisposeAsync();
                throw new WhetstoneException(ErrorCode.Conflict, "another promotion or rollback holds the live lock; try again", "busy");
            }

            await Task.Delay(25, cancellationToken);
        }
    }

    private sealed class AdvisoryLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var c = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('whetstone-live'))", connection))
            {
                await c.ExecuteScalarAsync();
            }

            await connection.DisposeAsync();
        }
    }
}

internal sealed class PostgresAuditStore(PostgresDatabase db) : IAuditStore
{
    public async Task<AuditEntry> AppendAsync(Func<AuditEntry?, AuditEntry> seal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seal);
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('whetstone-audit'))", connection, tx))
        {
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }

        AuditEntry? last = null;
        await using (var read = new NpgsqlCommand("SELECT doc FROM audit_log ORDER BY seq DESC LIMIT 1", connection, tx))
        {
            if (await read.ExecuteScalarAsync(cancellationToken) is string doc)
            {
                last = JsonSerializer.Deserialize(doc, WhetstoneJson.Compact.AuditEntry);
            }
        }

        var entry = seal(last);
        await using var insert = new NpgsqlCommand("INSERT INTO audit_log (seq, hash, doc) VALUES (@s, @h, @doc)", connection, tx);
        insert.Parameters.AddWithValue("s", entry.Sequence);
        insert.Parameters.AddWithValue("h", entry.Hash);
        insert.Parameters.AddWithValue("doc", JsonSerializer.Serialize(entry, WhetstoneJson.Compact.AuditEntry));
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return entry;
    }

    public async IAsyncEnumerable<AuditEntry> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await db.Source.OpenConnectionAsync(cancellationToken);
        await using var c = new NpgsqlCommand("SELECT doc FROM audit_log ORDER BY seq", connection);
        await using var r = await c.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return JsonSerializer.Deserialize(r.GetString(0), WhetstoneJson.Compact.AuditEntry)!;
        }
    }
}
