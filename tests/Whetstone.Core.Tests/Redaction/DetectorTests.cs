using System.Text.Json;
using Whetstone.Redaction;
using Whetstone.Tests;

namespace Whetstone.Core.Tests.Redaction;

public sealed class DetectorTests
{
    private static readonly Redactor Redactor = new(DetectorSet.Default(), new byte[32]);

    private static IReadOnlyList<Finding> Find(string text) => Redactor.Find(text);

    [Theory]
    [InlineData("key ghp_R7mQ2xK9pL4vN8sT1wY6zA3cF5hJ0dG2bE4k here", "github_pat", "ghp_R7mQ2xK9pL4vN8sT1wY6zA3cF5hJ0dG2bE4k")]
    [InlineData("github_pat_11ABCDEFG0a1b2c3d4e5f6_g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6A7B8C9D0E1F2G3H4I5J done", "github_fine_grained_pat", "github_pat_11ABCDEFG0a1b2c3d4e5f6_g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6A7B8C9D0E1F2G3H4I5J")]
    [InlineData("AWS key AKIAQ5T2MZ3XW4VR7NLE in use", "aws_access_key", "AKIAQ5T2MZ3XW4VR7NLE")]
    [InlineData("glpat-Zq8w3Xr5Tn1Kp7Ly2Vb4 is the token", "gitlab_pat", "glpat-Zq8w3Xr5Tn1Kp7Ly2Vb4")]
    [InlineData("stripe sk_live_51HcR2kLmN8pQrStUvWxYz0123456789abcdEFGH ok", "stripe_secret_key", "sk_live_51HcR2kLmN8pQrStUvWxYz0123456789abcdEFGH")]
    [InlineData("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", "huggingface_token", "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")]
    [InlineData("npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 published", "npm_token", "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8")]
    [InlineData("shpat_0123456789abcdef0123456789abcdef", "shopify_access_token", "shpat_0123456789abcdef0123456789abcdef")]
    [InlineData("\"bot_token\": \"xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD\"", "slack_bot_token", "xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD")]
    [InlineData("bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1 ready", "telegram_bot_token", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1")]
    [InlineData("client_secret=bP88Q~rcBcYjzzOhg1Hnn76Wm3jGgakZiZ.8vMgR", "azure_ad_client_secret", "bP88Q~rcBcYjzzOhg1Hnn76Wm3jGgakZiZ.8vMgR")]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VybmFtZTpib2IifQ.HcfCW67Uda-0gz54ZWTqmtgJnZeNem0Q757eTa9EZuw", "jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VybmFtZTpib2IifQ.HcfCW67Uda-0gz54ZWTqmtgJnZeNem0Q757eTa9EZuw")]
    [InlineData("DATABASE_URL=postgres://app:Zp4!x9Qw2r@db.internal:5432/prod", "url_credentials", "app:Zp4!x9Qw2r")]
    [InlineData("DB_PASSWORD=hunter2hunter2", "password", "hunter2hunter2")]
    [InlineData("export OPENAI_API_KEY=\"not-a-real-key-7f3a9c2e1b\"", "secret", "not-a-real-key-7f3a9c2e1b")]
    [InlineData("{\"client_secret\" : \"6da89121079f83b2eb6acccf8219ea982c3d79bccc3e9c6a85856480661f8fde\"}", "secret", "6da89121079f83b2eb6acccf8219ea982c3d79bccc3e9c6a85856480661f8fde")]
    [InlineData("password: s3cr3t-Pa55", "password", "s3cr3t-Pa55")]
    [InlineData("https://api.example.com/v1/items?access_token=Qw8xZ2vR5tY7uI9oP1aS3dF&page=2", "secret", "Qw8xZ2vR5tY7uI9oP1aS3dF")]
    [InlineData("Server=db;Database=app;User Id=sa;Password=Pa55w0rd!x;", "password", "Pa55w0rd!x")]
    [InlineData("<password>Tr0ub4dor&3</password>", "password", "Tr0ub4dor&3")]
    [InlineData("curl -u admin:Xk29!vLp7q https://x.example/api", "basic_auth_credentials", "admin:Xk29!vLp7q")]
    [InlineData("var apiToken string = \"Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB\"", "secret", "Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB")]
    [InlineData("DATADOG_API_KEY: 0123456789abcdef0123456789abcdef", "datadog_api_key", "0123456789abcdef0123456789abcdef")]
    [InlineData("curl -H \"apikey: 3f2b8c1e-5d4a-4e9b-8f7c-2a1b0c9d8e7f\" https://x.example", "secret", "3f2b8c1e-5d4a-4e9b-8f7c-2a1b0c9d8e7f")]
    [InlineData("{\"accesstoken\": \"Qw8xZ2vR5tY7uI9oP1aS3dF0\"}", "secret", "Qw8xZ2vR5tY7uI9oP1aS3dF0")]
    [InlineData("key bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbg== set", "aws_bedrock_api_key", "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbg==")]
    public void Find_Secret_MasksItWholeWithItsKind(string text, string kind, string secret)
    {
        var findings = Find(text);
        var start = text.IndexOf(secret, StringComparison.Ordinal);
        Assert.Contains(findings, f => f.Start <= start && f.End >= start + secret.Length && f.Kind == kind);
    }

    [Fact]
    public void Find_PemPrivateKey_MasksTheWholeBlock()
    {
        var pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpQIBAAKCAQEAn6/O8li+SX4m98LLYt/PKSzEmQ++ZBD7Loh9P13f4yQ92EF3\nyxR5MsXFu9PRsrYQA7/4UTPHiC4y2sAVCBg4C2yyBpUEtMQjyCESi6Y=\n-----END RSA PRIVATE KEY-----";
        var text = "key:\n" + pem + "\nend";
        var f = Assert.Single(Find(text));
        Assert.Equal(("private_key", 5, 5 + pem.Length), (f.Kind, f.Start, f.End));
    }

    [Fact]
    public void Find_PemPrivateKeys_EachKeyToItsFirstEndLineAndBeginLinesInsideAKeyIgnored()
    {
        const string Body = "MIIEpQIBAAKCAQEAn6/O8li+SX4m98LLYt/PKSzEmQ++ZBD7Loh9P13f4yQ92EF3";
        var first = "-----BEGIN RSA PRIVATE KEY-----\n" + Body + "\n-----BEGIN PRIVATE KEY-----\n" + Body + "\n-----END RSA PRIVATE KEY-----";
        var second = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + Body + "\n-----END OPENSSH PRIVATE KEY-----";
        var tooShort = "-----BEGIN PRIVATE KEY-----\nshort\n-----END PRIVATE KEY-----";
        var text = first + "\nthen\n" + second + "\nand " + tooShort + " tail";

        var f = Find(text).Where(x => x.Kind == "private_key").Select(x => (x.Start, x.End)).ToList();

        var s2 = text.IndexOf(second, StringComparison.Ordinal);
        Assert.Equal([(0, first.Length), (s2, s2 + second.Length)], f);
    }

    [Fact]
    public void Find_CurlUser_FlagsSharedByNearbyCurlsReportedOnce()
    {
        const string Text = "curl https://a.example \\\n  curl -u admin:Xk29!vLp7q https://b.example\ncurl -u ops:Qm83#tRz5w -u x:y";

        var f = Find(Text).Where(x => x.Kind == "basic_auth_credentials").Select(x => Text[x.Start..x.End]).ToList();

        Assert.Equal(["admin:Xk29!vLp7q", "ops:Qm83#tRz5w"], f);
    }

    [Theory]
    [InlineData("a@a@a@b.example.com", "a@b.example.com")]
    [InlineData("x éab@mail.example.com", null)] // a letter before the local part: not an address boundary
    [InlineData("to: bob@mail.com_x", null)] // the domain runs on into a word: no boundary after the TLD
    [InlineData("mail bob@mail.example.com.", "bob@mail.example.com")]
    public void Find_Email_WindowAroundEachAt(string text, string? expected)
    {
        var f = Find(text).Where(x => x.Kind == "email").Select(x => text[x.Start..x.End]).ToList();

        Assert.Equal(expected is null ? [] : [expected], f);
    }

    [Theory]
    [InlineData("write to john.doe@example.com today", "email", "john.doe@example.com")]
    [InlineData("call me at +44 20 7946 0958 please", "phone", "+44 20 7946 0958")]
    [InlineData("my number is (415) 555-0132", "phone", "(415) 555-0132")]
    [InlineData("phone: 703-607-3363", "phone", "703-607-3363")]
    [InlineData("you can text me on 4155550132 after six", "phone", "4155550132")]
    [InlineData("Kind regards,\nMichael Steinke", "person", "Michael Steinke")]
    [InlineData("card 4111 1111 1111 1111 exp 12/29", "credit_card", "4111 1111 1111 1111")]
    [InlineData("IBAN GB82 WEST 1234 5698 7654 32 for the refund", "iban", "GB82 WEST 1234 5698 7654 32")]
    [InlineData("SSN 123-45-6789 on file", "us_ssn", "123-45-6789")]
    [InlineData("from 203.0.113.45 at noon", "ipv4", "203.0.113.45")]
    [InlineData("host 2001:db8:85a3::8a2e:370:7334 is up", "ipv6", "2001:db8:85a3::8a2e:370:7334")]
    [InlineData("nic 00:1A:2B:3C:4D:5E connected", "mac_address", "00:1A:2B:3C:4D:5E")]
    [InlineData("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now", "crypto_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")]
    [InlineData("send to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq now", "crypto_wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")]
    [InlineData("wallet 0x52908400098527886E0F7030069857D2E4169EE7", "crypto_wallet", "0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("Date of birth: 04/12/1987", "date_of_birth", "04/12/1987")]
    [InlineData("ship it to 742 Evergreen Terrace, Springfield", "street_address", "742 Evergreen Terrace, Springfield")]
    [InlineData("Hi Maria, your order shipped.", "person", "Maria")]
    [InlineData("My name is Julian Hester.", "person", "Julian Hester")]
    [InlineData("Thanks,\nMichael Steinke", "person", "Michael Steinke")]
    [InlineData("the report by Michael Johnson was filed", "person", "Michael Johnson")]
    [InlineData("my username is decture, thanks", "username", "decture")]
    [InlineData("my phone number is 708-340-0190. Can you set it?", "phone", "708-340-0190")]
    [InlineData("set a reminder to call Cindy at 6pm", "person", "Cindy")]
    [InlineData("I need to catch up on Nick's memes", "person", "Nick")]
    [InlineData("the guests are Olivie, Hugo, and Michael", "person", "Olivie")]
    [InlineData("the guests are Olivie, Hugo, and Michael", "person", "Michael")]
    [InlineData("find out what Nick (nickie) likes", "person", "Nick")]
    [InlineData("an email from Mrs. Fritz about the trip", "person", "Fritz")]
    [InlineData("a show with Garrison Keillor on the radio", "person", "Garrison Keillor")]
    [InlineData("who tied Calvin Murphy's record", "person", "Calvin Murphy")]
    [InlineData("Her name is Olivie (olivedo).", "person", "Olivie")]
    public void Find_PersonalData_ReportsItsKind(string text, string kind, string value)
    {
        var findings = Find(text);
        var start = text.IndexOf(value, StringComparison.Ordinal);
        Assert.Contains(findings, f => f.Start <= start && f.End >= start + value.Length && f.Kind == kind);
    }

    [Theory]
    [InlineData("AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU", false)] // the Firebase Android SDK's example key
    [InlineData("apiKey: \"AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY\"", false)]
    [InlineData("AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlV", true)] // one character off: a key like any other
    [InlineData("apiKey: \"AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDkQ\"", true)]
    public void Find_PublishedExampleKeys_AreNotSecrets(string text, bool secret)
    {
        Assert.Equal(secret, Find(text).Any(f => !DetectorSet.IsPii(f.Kind)));
    }

    [Theory]
    [InlineData("ask Claude to review the diff")]
    [InlineData("the script is written in Julia and Python")]
    [InlineData("flights from Florida to Missouri")]
    [InlineData("America's largest city")]
    [InlineData("Cindy is a name in the list, but nothing here says a person is meant")]
    [InlineData("we met on Tuesday with the team")]
    public void Find_FirstNameWords_WithoutAPersonCue_AreNotNames(string text)
    {
        Assert.DoesNotContain(Find(text), f => f.Kind == "person");
    }

    [Theory]
    [InlineData("request id 3f2b8c1e-5d4a-4e9b-8f7c-2a1b0c9d8e7f completed")]
    [InlineData("sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("commit 9a038989604e8da62ecddbe2094b16ce1b778be1 merged")]
    [InlineData("aws_access_key: AKIAIOSFODNN7EXAMPLE")]
    [InlineData("token = ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("password = ${DB_PASSWORD}")]
    [InlineData("api_key = os.environ['API_KEY']")]
    [InlineData("password: <your password here>")]
    [InlineData("token_url = 'https://github.com/login/oauth/access_token'")]
    [InlineData("public_key = \"9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit\"")]
    [InlineData("credentialsId: 'ff083f76-7804-4ef1-80e4-fe975bb9141b'")]
    [InlineData("max_tokens = 4096")]
    [InlineData("the password policy requires 12 characters")]
    [InlineData("version 1.2.3.4 released on 2023-09-11 at 13:00:00")]
    [InlineData("The meeting is on 2023-09-11 from 10:30 to 11:45 in room 204.")]
    [InlineData("Order 1234 has 3 items totalling 59.99 USD.")]
    [InlineData("curl -u \"${USER}:${PASSWORD}\" https://x.example")]
    [InlineData("Authorization: Bearer $API_KEY")]
    [InlineData("The Eiffel Tower is 330 metres tall and was finished in 1889.")]
    [InlineData("hf_requiredCharacteristicTypesForDisplayMetadata")]
    [InlineData("const keyStr = \"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\"")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----")]
    [InlineData("localhost is 127.0.0.1")]
    [InlineData("bedrock-api-key-ZXhhbXBsZS5jb20vP0FjdGlvbj1DYWxsV2l0aEJlYXJlcg")]
    public void Find_HardNegative_ReportsNothing(string text)
    {
        Assert.Empty(Find(text));
    }

    [Fact]
    public void Find_GitleaksFixture_FindsPositivesAndLeavesNegatives()
    {
        var missed = new List<string>();
        var flagged = new List<string>();
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "gitleaks", "cases.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            var found = Find(r.GetProperty("text").GetString()!).Count > 0;
            var id = r.GetProperty("id").GetString()!;
            if (r.GetProperty("kind").GetString() == "tp" && !found)
            {
                missed.Add(id);
            }
            else if (r.GetProperty("kind").GetString() == "fp" && found)
            {
                flagged.Add(id);
            }
        }

        // Two anthropic fixtures are spelled with the alphabet ("abc123xyz…klmnopqrstuvwx") and read as stand-ins.
        Assert.True(missed.Count <= 2, "missed: " + string.Join(", ", missed));
        Assert.Empty(flagged);
    }

    [Fact]
    public async Task Find_PathologicalInput_FinishesQuickly()
    {
        var inputs = new[]
        {
            new string('a', 1 << 20),
            string.Concat(Enumerable.Repeat("password=", 1 << 17)),
            string.Concat(Enumerable.Repeat("-----BEGIN PRIVATE KEY-----", 1 << 15)),
            string.Concat(Enumerable.Repeat("1-", 1 << 19)),
            string.Concat(Enumerable.Repeat("a@", 1 << 19)),
            string.Concat(Enumerable.Repeat("eyJ.", 1 << 18)),
            string.Concat(Enumerable.Repeat("xoxb-1", 1 << 17)),
            string.Concat(Enumerable.Repeat("Hi John ", 1 << 17)),
            string.Concat(Enumerable.Repeat("curl -u ", 1 << 17)),
            string.Concat(Enumerable.Repeat("::", 1 << 19)),
        };
        var work = Task.Run(() =>
        {
            foreach (var s in inputs)
            {
                _ = Find(s);
            }
        }, TestContext.Current.CancellationToken);

        // A generous guard, not a timing assertion (speed is measured in bench/RESULTS.md).
        var done = await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        Assert.True(done == work, "pathological inputs did not finish");
        await work;
    }
}
