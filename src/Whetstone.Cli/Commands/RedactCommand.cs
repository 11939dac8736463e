using System.Buffers;
using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Whetstone.Configuration;
using Whetstone.Redaction;

namespace Whetstone.Cli.Commands;

/// <summary><c>whetstone redact --input IN.jsonl --output OUT.jsonl</c>: reads lines <c>{"id":…, "text":…}</c> and
/// writes lines <c>{"id":…, "redacted":…, "findings":[{"start":…, "end":…, "kind":…}]}</c> (UTF-16 offsets into the
/// input text, end exclusive), in input order. Streams: memory stays flat for any input size. A bad line is
/// reported on stderr by line number (never by content), the other lines are still processed, and the exit code is
/// 2. Uses the home's <c>Whetstone:Redaction</c> policy when the home exists, but writes nothing to it.</summary>
internal static class RedactCommand
{
    public static Command Create(CliEnvironment env)
    {
        var input = new Option<string>("--input") { Description = "JSON Lines input, one {\"id\", \"text\"} object a line ('-' for stdin)", Required = true };
        var output = new Option<string>("--output") { Description = "JSON Lines output ('-' for stdout)", Required = true };
        var command = new Command("redact", "Redact secrets and personal data from text lines; report every finding with its offsets") { input, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var ctx = CliContext.From(parse, env);
            var options = ConfigurationLoader.Bind(ConfigurationLoader.BuildReadOnly(ctx.Home, env.Variables));
            var key = File.Exists(ctx.Home.IdKeyFile) ? ctx.Home.LoadOrCreateIdKey() : RandomNumberGenerator.GetBytes(32);
            var redactor = new Redactor(DetectorSet.Default(), key, options.Redaction.ToPolicy());
            var inPath = parse.GetValue(input)!;
            var outPath = parse.GetValue(output)!;
            if (inPath != "-" && !File.Exists(inPath))
            {
                throw new WhetstoneException(ErrorCode.BadInput, $"{inPath}: no such file");
            }

            await using var inStream = inPath == "-" ? Console.OpenStandardInput() : new FileStream(inPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            await using var outStream = outPath == "-" ? Console.OpenStandardOutput() : new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            var bad = Run(redactor, inStream, outStream, ctx.Error, ct);
            return bad > 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Processes every line; returns the number of bad lines.</summary>
    internal static long Run(Redactor redactor, Stream input, Stream output, TextWriter error, CancellationToken ct)
    {
        var buffer = new BufferedStream(output, 1 << 16);
        var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        long bad = 0;
        long lineNo = 0;
        foreach (var line in Lines(input))
        {
            ct.ThrowIfCancellationRequested();
            lineNo++;
            var bytes = line.Span;
            if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
            {
                bytes = bytes[..^1];
            }

            if (bytes.Trim((byte)' ').Length == 0)
            {
                continue;
            }

            if (!TryParse(bytes, out var id, out var text, out var problem))
            {
                bad++;
                error.WriteLine($"line {lineNo}: {problem}");
                continue;
            }

            var (redacted, findings) = redactor.RedactText(text!);
            writer.WriteStartObject();
            writer.WritePropertyName("id"u8);
            if (id.Length == 0)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteRawValue(id, skipInputValidation: true);
            }

            writer.WriteString("redacted"u8, redacted);
            writer.WriteStartArray("findings"u8);
            foreach (var f in findings)
            {
                writer.WriteStartObject();
                writer.WriteNumber("start"u8, f.Start);
                writer.WriteNumber("end"u8, f.End);
                writer.WriteString("kind"u8, f.Kind);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
            buffer.WriteByte((byte)'\n');
            writer.Reset();
        }

        writer.Flush();
        buffer.Flush();
        return bad;
    }

    private static bool TryParse(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> id, out string? text, out string problem)
    {
        id = default;
        text = null;
        problem = "";
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    var end = (int)reader.BytesConsumed;
                    id = line[start..end];
                }
                else if (reader.ValueTextEquals("text"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        problem = "\"text\" must be a string";
                        return false;
                    }

                    text = reader.GetString();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                problem = "not a JSON object";
                return false;
            }

            if (text is null)
            {
                problem = "missing \"text\"";
                return false;
            }

            return true;
        }
        catch (JsonException e)
        {
            // The reader's message names a position and a token kind, never the content.
            problem = "invalid JSON (" + (e.BytePositionInLine is { } pos ? $"at byte {pos + 1}" : "malformed") + ")";
            return false;
        }
    }

    /// <summary>Splits a stream into lines without decoding it; a line's memory is valid until the next one.</summary>
    private static IEnumerable<ReadOnlyMemory<byte>> Lines(Stream input)
    {
        var buf = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var start = 0;
            var end = 0;
            while (true)
            {
                var nl = buf.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (nl >= 0)
                {
                    yield return buf.AsMemory(start, nl);
                    start += nl + 1;
                    continue;
                }

                // Need more data: compact, grow if one line fills the buffer, then read.
                if (start > 0)
                {
                    Buffer.BlockCopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                }

                if (end == buf.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buf.Length * 2);
                    Buffer.BlockCopy(buf, 0, bigger, 0, end);
                    ArrayPool<byte>.Shared.Return(buf);
                    buf = bigger;
                }

                var read = input.Read(buf, end, buf.Length - end);
                if (read == 0)
                {
                    if (end > start)
                    {
                        yield return buf.AsMemory(start, end - start);
                    }

                    yield break;
                }

                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }
}
