using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Whetstone.Redaction;
using Whetstone.Tests;

namespace Whetstone.Cli.Tests.Commands;

/// <summary>The <c>redact</c> command's own line reading and writing must give exactly what
/// <see cref="Utf8JsonReader"/> reads and <see cref="Utf8JsonWriter"/> (relaxed encoder) writes.</summary>
public sealed class RedactLineCodecTests
{
    /// <summary>Every ASCII character, the escapes' neighbours, non-ASCII letters, a surrogate pair, line and
    /// paragraph separators, a BOM and a private-use character.</summary>
    private static readonly string Alphabet = string.Concat(Enumerable.Range(0, 128).Select(c => (char)c))
        + "éßж日本\u2028\u2029\ufeff\ue000\ufffd" + "\U0001F600";

    private static string RandomText(Random random, int maxLength)
    {
        var sb = new StringBuilder();
        var length = random.Next(maxLength + 1);
        while (sb.Length < length)
        {
            // Mostly plain ASCII runs, as real text is, with special characters in between.
            if (random.Next(3) == 0)
            {
                var i = random.Next(Alphabet.Length);
                sb.Append(char.IsHighSurrogate(Alphabet[i]) || char.IsLowSurrogate(Alphabet[i]) ? "\U0001F600" : Alphabet[i].ToString());
            }
            else
            {
                sb.Append("password=abc ", 0, random.Next(1, 13));
            }
        }

        return sb.ToString();
    }

    private static string WithJsonWriter(string id, string text, IReadOnlyList<Finding> findings)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            w.WriteStartObject();
            w.WritePropertyName("id"u8);
            w.WriteRawValue(id, skipInputValidation: true);
            w.WriteString("redacted"u8, text);
            w.WriteStartArray("findings"u8);
            foreach (var f in findings)
            {
                w.WriteStartObject();
                w.WriteNumber("start"u8, f.Start);
                w.WriteNumber("end"u8, f.End);
                w.WriteString("kind"u8, f.Kind);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    [Fact]
    public void WriteLine_TextsWithEveryKindOfCharacter_SameBytesAsUtf8JsonWriter()
    {
        var random = new Random(11);
        var expected = new StringBuilder();
        using var stream = new MemoryStream();
        var sink = new LineWriter(stream);
        for (var n = 0; n < 3000; n++)
        {
            var text = RandomText(random, n % 100 == 0 ? 5000 : 80);
            Finding[] findings = n % 3 == 0 ? [] : [new Finding(0, 3, "email"), new Finding(n, n + 40, "aws_access_key"), new Finding(1, 2, "kind\"with\u00e9")];
            var id = n % 2 == 0 ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "\"id-" + n + "\"";
            expected.Append(WithJsonWriter(id, text, findings));
            sink.WriteLine(Encoding.UTF8.GetBytes(id), text, findings);
        }

        sink.Flush();

        Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void TryRead_UsualLines_SameTextAsJsonReaderAndCanonicalBytesAsWriterWrites()
    {
        var random = new Random(5);
        var accepted = 0;
        for (var n = 0; n < 3000; n++)
        {
            var text = RandomText(random, 120);
            var escaped = JsonSerializer.Serialize(text, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            if (n % 4 == 0)
            {
                escaped = escaped.Replace("/", "\\/", StringComparison.Ordinal); // an escape the writer never writes
            }

            var line = Encoding.UTF8.GetBytes(n % 2 == 0 ? $"{{\"id\": {n}, \"text\": {escaped}}}" : $"{{\"id\":\"r{n}\",\"text\":{escaped}}}");
            var chars = new char[line.Length];

            if (!LineReader.TryRead(line, chars, out var id, out var raw, out var length, out var canonical))
            {
                // Declined lines go to the JSON reader; they must be the ones with \u escapes or non-ASCII bytes.
                Assert.True(escaped.Contains("\\u", StringComparison.Ordinal) || escaped.Any(c => c > 127), escaped);
                continue;
            }

            accepted++;
            var reader = new Utf8JsonReader(line);
            while (reader.Read() && !(reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("text"u8)))
            {
            }

            reader.Read();
            Assert.Equal(reader.GetString(), new string(chars, 0, length));
            Assert.Equal(n % 2 == 0 ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"\"r{n}\"", Encoding.UTF8.GetString(id));
            Assert.Equal(!escaped.Contains("\\/", StringComparison.Ordinal) && !text.Contains('\u007f'), canonical);
            if (canonical)
            {
                Assert.Equal(escaped, "\"" + Encoding.UTF8.GetString(raw) + "\"");
            }
        }

        Assert.True(accepted > 500, $"only {accepted} lines took the one-pass reader");
    }

    [Theory]
    [InlineData("{\"id\": 01, \"text\": \"a\"}")]
    [InlineData("{\"id\": 1.5, \"text\": \"a\"}")]
    [InlineData("{\"id\": 1, \"text\": \"a\", \"text\": \"b\"}")]
    [InlineData("{\"text\": \"a\", \"id\": 1}")]
    [InlineData("{\"id\": 1, \"text\": \"a\\u0041\"}")]
    [InlineData("{\"id\": 1, \"text\": \"tab\there\"}")]
    [InlineData("{\"id\": 1, \"text\": \"unterminated}")]
    [InlineData("{\"id\": 1, \"text\": \"bad \\x escape\"}")]
    [InlineData("{\"id\": \"a\\\"b\", \"text\": \"a\"}")]
    [InlineData("{\"id\": \"a\u007fb\", \"text\": \"a\"}")]
    [InlineData("{\"id\": \"a\u0001b\", \"text\": \"a\"}")]
    [InlineData("{\"id\": 12a, \"text\": \"a\"}")]
    public void TryRead_OtherShapes_Declined(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        Assert.False(LineReader.TryRead(bytes, new char[bytes.Length], out _, out _, out _, out _));
    }

    [Fact]
    public void TryRead_StringIdOfEveryPrintableCharacter_Accepted()
    {
        // Every printable ASCII character but the quote and the backslash (which need escapes) may stand in a string id.
        var id = new string(Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).Where(c => c is not ('"' or '\\')).ToArray());
        var bytes = Encoding.UTF8.GetBytes("{\"id\": \"" + id + "\", \"text\": \"a\"}");

        Assert.True(LineReader.TryRead(bytes, new char[bytes.Length], out var read, out _, out _, out _));
        Assert.Equal("\"" + id + "\"", Encoding.UTF8.GetString(read));
    }

    [Fact]
    public async Task Redact_UnpairedSurrogateEscape_ReportedAsBadLineOthersProcessed()
    {
        using var dir = new TempDir();
        var input = dir.Write("in.jsonl", "{\"id\":1,\"text\":\"lone \\ud800 half\"}\n{\"id\":2,\"text\":\"mail a@b.example.com\"}\n");
        var output = dir.File("out.jsonl");

        var r = await CliRunner.RunAsync("redact", "--input", input, "--output", output, "--home", dir.File("home"));

        Assert.Equal(2, r.Code);
        Assert.Contains("line 1: invalid string", r.Error, StringComparison.Ordinal);
        Assert.Equal("""{"id":2,"redacted":"mail <EMAIL_1>","findings":[{"start":5,"end":20,"kind":"email"}]}""", File.ReadAllLines(output).Single());
    }

    [Fact]
    public async Task Redact_SameTextInUsualAndUnusualShapes_SameOutput()
    {
        using var dir = new TempDir();
        const string Usual = "{\"id\": 1, \"text\": \"call me at +44 20 7946 0958 or mail jo@example.org\\n\\\"ok\\\"\"}";
        const string Unusual = "{\t\"text\" : \"call me at +44 20 7946 0958 or mail jo\\u0040example.org\\n\\\"ok\\\"\", \"id\":1 }";
        var input = dir.Write("in.jsonl", Usual + "\n" + Unusual + "\n");
        var output = dir.File("out.jsonl");

        var r = await CliRunner.RunAsync("redact", "--input", input, "--output", output, "--home", dir.File("home"));

        Assert.Equal(0, r.Code);
        var lines = File.ReadAllLines(output);
        Assert.Equal(2, lines.Length);
        Assert.Equal(lines[0], lines[1]);
        Assert.Contains("<EMAIL_1>", lines[0], StringComparison.Ordinal);
    }
}
