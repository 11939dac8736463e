using System.Security.Cryptography;
using System.Text;
using Whetstone.Redaction;
using Whetstone.Storage;

namespace Whetstone.Registry;

/// <summary>What <c>candidates register</c> asks for.</summary>
public sealed record RegistrationRequest
{
    public required string Model { get; init; }

    public required string Client { get; init; }

    public string? Job { get; init; }

    public string? Artifact { get; init; }

    public string? ArtifactSha256 { get; init; }

    public string? Notes { get; init; }

    public required string Actor { get; init; }
}

/// <summary>Registers candidates (immutable, content-derived ids) and records the first live model.</summary>
public sealed class RegistryService(IWhetstoneStore store, AuditLog audit, Redactor redactor, TimeProvider time)
{
    public async Task<(Candidate Candidate, bool Created)> RegisterAsync(RegistrationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw new WhetstoneException(ErrorCode.BadInput, "--model is required");
        }

        if (string.IsNullOrWhiteSpace(request.Actor))
        {
            throw new WhetstoneException(ErrorCode.BadInput, "--as NAME is required");
        }

        var spec = ClientSpec.Parse(request.Client);
        string? snapshotId = null, snapshotHash = null;
        if (request.Job is not null)
        {
            var job = await store.Jobs.GetJobAsync(request.Job, cancellationToken)
                ?? throw new WhetstoneException(ErrorCode.NotFound, $"no job with id '{request.Job}'");
            (snapshotId, snapshotHash) = (job.SnapshotId, job.SnapshotHash);
        }

        var artifactSha = CheckArtifact(request);
        var id = "cand-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            request.Model.Trim() + "\n" + spec + "\n" + (request.Job ?? "")))).Substring(0, 12);
        var existing = await store.Registry.GetCandidateAsync(id, cancellationToken);
        if (existing is not null)
        {
            return (existing, false);
        }

        var candidate = new Candidate
        {
            Id = id,
            Model = request.Model.Trim(),
            Client = spec.ToString(),
            Provider = spec.Kind,
            Endpoint = spec.Target,
            Job = request.Job,
            SnapshotId = snapshotId,
            SnapshotHash = snapshotHash,
            Artifact = request.Artifact,
            ArtifactSha256 = artifactSha,
            Notes = request.Notes is null ? null : redactor.RedactText(request.Notes).Redacted,
            RegisteredBy = request.Actor.Trim(),
            RegisteredAt = time.GetUtcNow(),
        };
        var created = await store.Registry.AddCandidateAsync(candidate, cancellationToken);
        if (created)
        {
            await audit.AppendAsync(candidate.RegisteredBy, "candidate_registered", [candidate.Id], AuditLog.Payload(
                ("model", candidate.Model), ("client", candidate.Client), ("job", candidate.Job), ("snapshot", candidate.SnapshotId),
                ("artifact_sha256", candidate.ArtifactSha256)), cancellationToken);
        }

        return (candidate, created);
    }

    /// <summary>A local artifact is hashed (and must match <c>--sha256</c> when given); a remote one needs <c>--sha256</c>.</summary>
    private static string? CheckArtifact(RegistrationRequest request)
    {
        if (request.Artifact is null)
        {
            if (request.ArtifactSha256 is not null)
            {
                throw new WhetstoneException(ErrorCode.BadInput, "--sha256 needs --artifact");
            }

            return null;
        }

        var given = request.ArtifactSha256?.Trim().ToLowerInvariant();
        if (given is not null && (given.Length != 64 || !given.All(Uri.IsHexDigit)))
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"--sha256 '{request.ArtifactSha256}' is not 64 hex digits");
        }

        if (File.Exists(request.Artifact))
        {
            using var stream = File.OpenRead(request.Artifact);
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (given is not null && given != actual)
            {
                throw new WhetstoneException(ErrorCode.BadInput,
                    $"the artifact {request.Artifact} has sha256 {actual}, not the {given} given with --sha256");
            }

            return actual;
        }

        return given ?? throw new WhetstoneException(ErrorCode.BadInput,
            $"{request.Artifact} is not a local file: give its checksum with --sha256");
    }

    /// <summary>Records the model the agent runs today as the first <c>live</c> candidate.</summary>
    public async Task<Candidate> InitializeLiveAsync(string model, string client, string actor, CancellationToken cancellationToken = default)
    {
        var aliases = await store.Registry.GetAliasesAsync(cancellationToken);
        if (aliases.Live is not null)
        {
            throw new WhetstoneException(ErrorCode.Refused,
                $"{aliases.Live} is already live; promotion and rollback move it from here", "live_already_initialized");
        }

        var (candidate, _) = await RegisterAsync(new RegistrationRequest { Model = model, Client = client, Actor = actor }, cancellationToken);
        if (!await store.Registry.InitializeLiveAsync(candidate.Id, cancellationToken))
        {
            throw new WhetstoneException(ErrorCode.Conflict, "another process recorded the live model first", "live_already_initialized");
        }

        await audit.AppendAsync(actor, "live_initialized", [candidate.Id], AuditLog.Payload(("model", candidate.Model), ("client", candidate.Client)), cancellationToken);
        return candidate;
    }
}
