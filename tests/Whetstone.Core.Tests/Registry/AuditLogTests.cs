using Whetstone.Registry;

namespace Whetstone.Core.Tests.Registry;

public class AuditLogTests
{
    private static List<AuditEntry> Chain(int n)
    {
        var list = new List<AuditEntry>();
        var previous = AuditEntry.Genesis;
        for (var i = 1; i <= n; i++)
        {
            var payload = AuditLog.Payload(("n", i), ("who", "ana"));
            var digest = AuditEntry.PayloadDigest(payload);
            var at = new DateTimeOffset(2026, 11, 1, 0, 0, i, TimeSpan.Zero);
            var hash = AuditEntry.ComputeHash(i, at, "ana", "step", [$"s{i}"], digest, previous);
            list.Add(new AuditEntry { Sequence = i, At = at, Actor = "ana", Action = "step", Subjects = [$"s{i}"], Payload = payload, PayloadSha256 = digest, PreviousHash = previous, Hash = hash });
            previous = hash;
        }

        return list;
    }

    [Fact]
    public void Verify_IntactChain_IsOk()
    {
        var result = AuditLog.Verify(Chain(5));

        Assert.True(result.Ok);
        Assert.Equal(5, result.Entries);
    }

    [Fact]
    public void Verify_EditedActor_NamesThatEntry()
    {
        var chain = Chain(5);
        chain[2] = chain[2] with { Actor = "mallory" };

        var result = AuditLog.Verify(chain);

        Assert.False(result.Ok);
        Assert.Equal(3, result.FirstBadSequence);
        Assert.Contains("edited", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_EditedPayload_NamesThatEntry()
    {
        var chain = Chain(4);
        chain[1] = chain[1] with { Payload = AuditLog.Payload(("n", 99)) };

        Assert.Equal(2, AuditLog.Verify(chain).FirstBadSequence);
    }

    [Fact]
    public void Verify_DeletedEntry_NamesTheEntryAfterTheGap()
    {
        var chain = Chain(5);
        chain.RemoveAt(1);

        var result = AuditLog.Verify(chain);

        Assert.Equal(3, result.FirstBadSequence);
    }

    [Fact]
    public void Verify_ReorderedEntries_AreDetected()
    {
        var chain = Chain(5);
        (chain[3], chain[4]) = (chain[4], chain[3]);

        Assert.Equal(5, AuditLog.Verify(chain).FirstBadSequence);
    }

    [Fact]
    public void Verify_RenumberedAfterDeletion_FailsOnTheBrokenLink()
    {
        var chain = Chain(4);
        chain.RemoveAt(1);
        chain[1] = chain[1] with { Sequence = 2 };
        chain[2] = chain[2] with { Sequence = 3 };

        var result = AuditLog.Verify(chain);

        Assert.False(result.Ok);
        Assert.Equal(2, result.FirstBadSequence);
    }
}
