using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Whetstone.Configuration;
using Whetstone.Redaction;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Core.Tests.Redaction;

public sealed class RedactorTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static Redactor New(RedactionPolicy? policy = null) => new(DetectorSet.Default(), Key, policy);

    private static string Serialized(Trajectory t) => WhetstoneJson.Serialize(t);

    [Fact]
    public void Redact_SameValueInDifferentFields_GetsTheSamePlaceholder()
    {
        var t = Some.FullTrajectory() with
        {
            Task = "mail ana.silva@example.org about the refund",
            Messages =
            [
                new Message { Role = Role.User, Content = "I am ana.silva@example.org" },
                new Message { Role = Role.Assistant, Content = "Writing to ana.silva@example.org and bo@example.org" },
            ],
        };

        var r = New().Redact(t).Trajectory;

        Assert.Equal("mail <EMAIL_1> about the refund", r.Task);
        Assert.Equal("I am <EMAIL_1>", r.Messages[0].Content);
        Assert.Equal("Writing to <EMAIL_1> and <EMAIL_2>", r.Messages[1].Content);
    }

    [Fact]
    public void Redact_ToolArguments_KeepsKeysAndRedactsSecretValuesWhatever_TheirShape()
    {
        var call = new ToolCall { Id = "c1", Name = "login", Arguments = Some.Json("""{"username":"justinkool","password":"x","api_key":{"a":1},"note":"mail me at a.b@example.com","count":3}""") };
        var t = Some.FullTrajectory() with { Messages = [new Message { Role = Role.Assistant, ToolCalls = [call] }] };

        var args = New().Redact(t).Trajectory.Messages[0].ToolCalls![0].Arguments!.Value;

        Assert.StartsWith("h:", args.GetProperty("username").GetString(), StringComparison.Ordinal);
        Assert.Equal("<SECRET_1>", args.GetProperty("api_key").GetString());
        Assert.Equal("mail me at <EMAIL_1>", args.GetProperty("note").GetString());
        Assert.Equal(3, args.GetProperty("count").GetInt32());
    }

    [Fact]
    public void Redact_PasswordGivenAfterTheAssistantAsks_IsRedactedEverywhereInTheRun()
    {
        var t = Some.FullTrajectory() with
        {
            Messages =
            [
                new Message { Role = Role.User, Content = "I want to log in." },
                new Message { Role = Role.Assistant, Content = "Sure. What is your password?" },
                new Message { Role = Role.User, Content = "sure, it's chaew5Oeth" },
                new Message { Role = Role.Assistant, Content = "Logged in with chaew5Oeth." },
            ],
        };

        var json = Serialized(New().Redact(t).Trajectory);

        Assert.DoesNotContain("chaew5Oeth", json, StringComparison.Ordinal);
        Assert.Contains("<PASSWORD_1>", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_ValueLearnedFromAKey_IsRedactedInFreeText()
    {
        var call = new ToolCall { Id = "c1", Name = "change", Arguments = Some.Json("""{"new_password":"SunnyB3ach$Day!"}""") };
        var t = Some.FullTrajectory() with
        {
            Messages =
            [
                new Message { Role = Role.User, Content = "How about SunnyB3ach$Day!" },
                new Message { Role = Role.Assistant, ToolCalls = [call] },
                new Message { Role = Role.Assistant, Content = "I have changed your password to SunnyB3ach$Day!." },
            ],
        };

        var json = Serialized(New().Redact(t).Trajectory);

        Assert.DoesNotContain("SunnyB3ach", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_MetadataIdsAndSession_AreKeyedHashesStableAcrossRuns()
    {
        var t = Some.FullTrajectory() with { Metadata = new Dictionary<string, JsonElement> { ["user_id"] = Some.Json("\"u-981\""), ["lane"] = Some.Json("\"fast\"") } };

        var a = New().Redact(t).Trajectory;
        var b = New().Redact(t with { Id = "run-2" }).Trajectory;

        Assert.StartsWith("h:", a.Metadata!["user_id"].GetString(), StringComparison.Ordinal);
        Assert.Equal(a.Metadata["user_id"].GetString(), b.Metadata!["user_id"].GetString());
        Assert.Equal("fast", a.Metadata["lane"].GetString());
        Assert.Equal(a.SessionId, b.SessionId);
        Assert.NotEqual("sess-42", a.SessionId);
    }

    [Fact]
    public void Redact_Report_CountsByKindWithoutValues()
    {
        var t = Some.FullTrajectory() with { Task = "token ghp_R7mQ2xK9pL4vN8sT1wY6zA3cF5hJ0dG2bE4k for a@b.example.com" };

        var report = New().Redact(t).Report;

        Assert.Equal(1, report.Counts["github_pat"]);
        Assert.Equal(1, report.Counts["email"]);
        Assert.Equal(DetectorSet.Version, report.DetectorVersion);
        Assert.DoesNotContain("ghp_", JsonSerializer.Serialize(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_PolicyKeepAndAllowlist_LeaveThoseValues()
    {
        var policy = new RedactionPolicy(
            new Dictionary<string, RedactionAction> { ["ipv4"] = RedactionAction.Keep },
            ["support@whetstone.example"], [new Regex(@"[a-z]+@corp\.example")]);
        var (text, _) = New(policy).RedactText("from 203.0.113.9 by support@whetstone.example, cc dev@corp.example and eve@evil.example");

        Assert.Equal("from 203.0.113.9 by support@whetstone.example, cc dev@corp.example and <EMAIL_1>", text);
    }

    [Fact]
    public void Redact_AllowedValue_AlsoCoversTheFindingsInsideIt()
    {
        const string Text = "call +1 (415) 555-0132 or +1 (212) 555-0188";
        var (plain, plainFindings) = New().RedactText(Text);
        var policy = new RedactionPolicy(new Dictionary<string, RedactionAction>(), [], [new Regex(@"^\+1 \(415\).*$")]);

        var (text, findings) = New(policy).RedactText(Text);

        Assert.Equal("call <PHONE_1> or <PHONE_2>", plain);
        Assert.Equal(2, plainFindings.Count);
        Assert.Equal("call +1 (415) 555-0132 or <PHONE_1>", text); // not "+1 <PHONE_1>": the national part is inside
        Assert.Equal((26, 43, "phone"), (findings.Single().Start, findings.Single().End, findings.Single().Kind));
    }

    [Fact]
    public void Options_Read_GivesWhatTheBinderGivesAndNamesBadKeys()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Whetstone:Redaction:Policy:email"] = "keep",
            ["Whetstone:Redaction:Policy:secrets"] = "hash",
            ["Whetstone:Redaction:Allow:0"] = "support@whetstone.example",
            ["Whetstone:Redaction:Allow:1"] = "10.0.0.1",
            ["Whetstone:Redaction:AllowPatterns:0"] = "^[a-z]+@corp\\.example$",
            ["Whetstone:Storage:Provider"] = "sqlite",
        };
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var read = RedactionOptions.Read(config);
        var bound = ConfigurationLoader.Bind(config).Redaction;

        Assert.Equal(bound.Policy.OrderBy(p => p.Key), read.Policy.OrderBy(p => p.Key));
        Assert.Equal(["support@whetstone.example", "10.0.0.1"], read.Allow);
        Assert.Equal(bound.Allow, read.Allow);
        Assert.Equal(bound.AllowPatterns, read.AllowPatterns);
        Assert.Equal(2, read.Policy.Count);

        settings["Whetstone:Redaction:Policy:emial"] = "drop";
        var bad = Assert.Throws<WhetstoneException>(() => RedactionOptions.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        Assert.Equal(ErrorCode.InvalidConfiguration, bad.Code);
        Assert.Contains("Whetstone:Redaction:Policy:emial: unknown kind", bad.Message, StringComparison.Ordinal);
        Assert.Contains("Whetstone:Redaction:Policy:emial: 'drop' is not an action", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_RunWithoutTaskKey_GroupsByTheTaskAsItWasBeforeRedaction()
    {
        static Trajectory Run(string id, string task, string thought) => Some.FullTrajectory(id) with
        {
            TaskKey = null,
            Task = task,
            Messages = [new Message { Role = Role.User, Content = task }, new Message { Role = Role.Assistant, Reasoning = thought, Content = "done" }],
        };

        const string Task = "Who created the show in which Zork Ibarra voices Francine?";
        var a = New().Redact(Run("a", Task, "I should search for the show.")).Trajectory;
        var b = New().Redact(Run("b", Task, "Hi Zork Ibarra, let me look.")).Trajectory; // a greeting finds the name
        var c = New().Redact(Run("c", "Who created the show with Steve Smith doing the voice of Roger?", "Search.")).Trajectory;
        var d = New().Redact(Run("d", "  who created the SHOW in which Zork Ibarra voices  Francine", "Search.")).Trajectory;
        var given = New().Redact(Run("e", Task, "Search.") with { TaskKey = "show-creator" }).Trajectory;

        Assert.NotEqual(a.Task, b.Task); // the redactor replaced different words in the two runs' task text
        Assert.Matches("^h:[0-9a-f]{16}$", a.TaskKey);
        Assert.Equal(a.TaskKey, b.TaskKey);
        Assert.Equal(a.TaskKey, d.TaskKey); // case and spacing do not matter
        Assert.NotEqual(a.TaskKey, c.TaskKey);
        Assert.Equal("show-creator", given.TaskKey);
        Assert.Contains("<PERSON_1>", b.Task, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_AnswerKey_OnlyForRunsWithoutAnOutcome_AndNeverTheAnswer()
    {
        var known = Some.FullTrajectory(); // reports an outcome: consensus never judges it
        var open = known with { Outcome = new Outcome() };
        var other = open with { Messages = [.. open.Messages.SkipLast(1), new Message { Role = Role.Assistant, Content = "Your order 1235 has shipped." }] };

        var report = New().Redact(open).Report;

        Assert.Null(New().Redact(known).Report.AnswerKey);
        Assert.Matches("^h:[0-9a-f]{16}$", report.AnswerKey);
        Assert.Equal(report.AnswerKey, New().Redact(open with { Id = "run-2" }).Report.AnswerKey);
        Assert.NotEqual(report.AnswerKey, New().Redact(other).Report.AnswerKey);
        Assert.DoesNotContain("shipped", JsonSerializer.Serialize(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_PolicyHash_GivesTheSamePlaceholderInEveryRun()
    {
        var policy = new RedactionPolicy(new Dictionary<string, RedactionAction> { ["email"] = RedactionAction.Hash }, [], []);
        var a = New(policy).RedactText("to ann@example.com").Redacted;
        var b = New(policy).RedactText("cc ann@example.com").Redacted;

        Assert.Matches(@"^to <EMAIL_h:[0-9a-f]{8}>$", a);
        Assert.Equal(a[3..], b[3..]);
    }

    [Fact]
    public void Options_InvalidRedactionSection_NamesTheKeys()
    {
        var options = new WhetstoneOptions();
        options.Redaction.Policy["emial"] = "redact";
        options.Redaction.Policy["email"] = "drop";
        options.Redaction.AllowPatterns.Add("([");

        var problems = options.Validate();

        Assert.Contains(problems, p => p.StartsWith("Whetstone:Redaction:Policy:emial: unknown kind", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Whetstone:Redaction:Policy:email: 'drop' is not an action", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Whetstone:Redaction:AllowPatterns:0:", StringComparison.Ordinal));
    }

    [Fact]
    public void DetectorSet_Kinds_AreAtLeast150Credentials()
    {
        Assert.True(DetectorSet.SecretKinds.Count() >= 150, $"{DetectorSet.SecretKinds.Count()} secret kinds");
        Assert.All(DetectorSet.AllKinds, k => Assert.Matches("^[a-z0-9_]+$", k));
    }
}
