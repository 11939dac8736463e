using System.Buffers;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Whetstone.Configuration;

namespace Whetstone.Redaction;

/// <summary>The line protocol of <c>whetstone redact</c> (both builds of the command use it): reads lines
/// <c>{"id":…, "text":…}</c> and writes lines <c>{"id":…, "redacted":…, "findings":[{"start":…, "end":…,
/// "kind":…}]}</c> (UTF-16 offsets into the input text, end exclusive), in input order. Streams: memory stays flat
/// for any input size. A bad line is reported by line number (never by content) and the other lines are still
/// processed.</summary>
public static class LineRedaction
{
    /// <summary>A redactor for the command: the home's id key when the home has one (hash placeholders then match
    /// the store's), else a random key for this run only; nothing is written to the home.</summary>
    public static Redactor ForHome(HomeLayout home, RedactionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(home);
        return new Redactor(DetectorSet.Default(), () => File.Exists(home.IdKeyFile) ? home.LoadOrCreateIdKey() : RandomNumberGenerator.GetBytes(32), policy);
    }

    /// <summary>The input file, or <paramref name="stdin"/> for <c>-</c>.</summary>
    public static Stream OpenInput(string path, Func<Stream> stdin)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stdin);
        if (path == "-")
        {
            return stdin();
        }

        if (!File.Exists(path))
        {
            throw new WhetstoneException(ErrorCode.BadInput, $"{path}: no such file");
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
    }

    /// <summary>The output file (created or truncated), or <paramref name="stdout"/> for <c>-</c>.</summary>
    public static Stream OpenOutput(string path, Func<Stream> stdout)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stdout);
        return path == "-" ? stdout() : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
    }

    /// <summary>Processes every line; returns the number of bad lines. Lines of the usual shape
    /// (<c>{"id": N or "…", "text": "…"}</c>, ASCII text) are read in one pass (<see cref="LineReader.TryRead"/>);
    /// any other line goes through <see cref="Utf8JsonReader"/>. Output is written by <see cref="LineWriter"/>, the
    /// same bytes <see cref="Utf8JsonWriter"/> with the relaxed encoder writes.</summary>
    public static long Run(Redactor redactor, Stream input, Stream output, TextWriter error, CancellationToken ct)
    {
        var sink = new LineWriter(output);
        var chars = ArrayPool<char>.Shared.Rent(1 << 16);
        long bad = 0;
        long lineNo = 0;
        try
        {
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

                if (chars.Length < bytes.Length)
                {
                    ArrayPool<char>.Shared.Return(chars);
                    chars = ArrayPool<char>.Shared.Rent(bytes.Length);
                }

                string text;
                ReadOnlySpan<byte> id;
                ReadOnlySpan<byte> rawText = default;
                var canonical = false;
                if (LineReader.TryRead(bytes, chars, out id, out rawText, out var length, out canonical))
                {
                    text = new string(chars, 0, length);
                }
                else if (TryParse(bytes, out id, out var parsed, out var problem))
                {
                    text = parsed!;
                    canonical = false;
                }
                else
                {
                    bad++;
                    error.WriteLine($"line {lineNo}: {problem}");
                    continue;
                }

                var (redacted, findings) = redactor.RedactText(text);
                if (findings.Count == 0 && canonical)
                {
                    // Nothing found, and the input escapes its text exactly as the output would: copy its bytes.
                    sink.WriteLine(id, rawText, findings);
                }
                else
                {
                    sink.WriteLine(id, redacted, findings);
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }

        sink.Flush();
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
        catch (InvalidOperationException)
        {
            // An escaped UTF-16 surrogate without its other half ("\ud800"): valid JSON, but not a text.
            problem = "invalid string (an unpaired surrogate escape)";
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

/// <summary>Reads the usual input line, <c>{"id": ID, "text": "…"}</c> (this key order, blanks only as the
/// <c>json.dumps</c> and compact forms put them, an integer or a plain ASCII string as the id, printable ASCII text
/// with two-character escapes), in one pass that also decodes the text. Anything else — other keys or order,
/// <c>\u</c> escapes, non-ASCII bytes, malformed JSON — is declined and read by <see cref="Utf8JsonReader"/>, so
/// what is accepted and how errors are reported stay the reader's.</summary>
internal static class LineReader
{
    /// <param name="line">One line, without its line break.</param>
    /// <param name="chars">Receives the decoded text; at least as long as <paramref name="line"/>.</param>
    /// <param name="id">The id's JSON bytes as written (with quotes for a string).</param>
    /// <param name="rawText">The text's bytes between its quotes, still escaped.</param>
    /// <param name="length">Characters of decoded text.</param>
    /// <param name="canonical">Whether <paramref name="rawText"/> is exactly how <see cref="LineWriter"/> escapes the
    /// decoded text (no <c>\/</c>, no raw DEL).</param>
    public static bool TryRead(ReadOnlySpan<byte> line, char[] chars, out ReadOnlySpan<byte> id, out ReadOnlySpan<byte> rawText, out int length, out bool canonical)
    {
        id = rawText = default;
        length = 0;
        canonical = true;
        var p = 0;
        if (!Literal(line, ref p, "{"u8) || !Literal(line, ref p, "\"id\""u8) || !Literal(line, ref p, ":"u8))
        {
            return false;
        }

        while (p < line.Length && line[p] == (byte)' ')
        {
            p++;
        }

        var idStart = p;
        if (!SkipId(line, ref p))
        {
            return false;
        }

        id = line[idStart..p];
        if (!Literal(line, ref p, ","u8) || !Literal(line, ref p, "\"text\""u8) || !Literal(line, ref p, ":"u8) || !Literal(line, ref p, "\""u8))
        {
            return false;
        }

        var textStart = p;
        if (!Decode(line, ref p, chars, out length, out canonical))
        {
            return false;
        }

        rawText = line[textStart..(p - 1)];
        return Literal(line, ref p, "}"u8);
    }

    // SearchValues rather than IndexOfAny(Except)InRange: the generic range methods box their bounds in the
    // ReadyToRun code of the Release build (four allocations a call, one or two calls a line).
    private static readonly SearchValues<byte> PrintableAscii = SearchValues.Create(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    private static readonly SearchValues<byte> AsciiDigits = SearchValues.Create("0123456789"u8);

    /// <summary>Optional spaces, then <paramref name="token"/>.</summary>
    private static bool Literal(ReadOnlySpan<byte> line, ref int p, ReadOnlySpan<byte> token)
    {
        while (p < line.Length && line[p] == (byte)' ')
        {
            p++;
        }

        if (!line[p..].StartsWith(token))
        {
            return false;
        }

        p += token.Length;
        return true;
    }

    /// <summary>An integer (<c>-?(0|[1-9][0-9]*)</c>, followed by a space or a comma) or a string of printable ASCII
    /// without escapes.</summary>
    private static bool SkipId(ReadOnlySpan<byte> line, ref int p)
    {
        if (p >= line.Length)
        {
            return false;
        }

        if (line[p] == (byte)'"')
        {
            var close = line[(p + 1)..].IndexOfAny((byte)'"', (byte)'\\');
            if (close < 0 || line[p + 1 + close] != (byte)'"' || line.Slice(p + 1, close).IndexOfAnyExcept(PrintableAscii) >= 0)
            {
                return false;
            }

            p += close + 2;
            return true;
        }

        var q = p;
        if (line[q] == (byte)'-')
        {
            q++;
        }

        var digits = q < line.Length ? line[q..].IndexOfAnyExcept(AsciiDigits) : -1;
        if (digits <= 0 || digits > 1 && line[q] == (byte)'0' || line[q + digits] is not ((byte)' ' or (byte)','))
        {
            return false;
        }

        p = q + digits;
        return true;
    }

    /// <summary>Decodes a string's body from <paramref name="p"/> (just after its opening quote) to its closing quote;
    /// <paramref name="p"/> ends just after that quote.</summary>
    private static bool Decode(ReadOnlySpan<byte> line, ref int p, char[] chars, out int n, out bool canonical)
    {
        n = 0;
        canonical = true;
        ref var src = ref MemoryMarshal.GetReference(line);
        ref var dst = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(chars));
        var i = p;
        while (true)
        {
            // Sixteen bytes at a time while none is a quote, a backslash, a control character, DEL or non-ASCII.
            if (Vector128.IsHardwareAccelerated)
            {
                while (i + 16 <= line.Length)
                {
                    var v = Vector128.LoadUnsafe(ref src, (nuint)i);
                    var special = Vector128.Equals(v, Vector128.Create((byte)'"')) | Vector128.Equals(v, Vector128.Create((byte)'\\'))
                        | Vector128.LessThan(v.AsSByte(), Vector128.Create((sbyte)' ')).AsByte() | Vector128.Equals(v, Vector128.Create((byte)0x7F));
                    var (lo, hi) = Vector128.Widen(v);
                    lo.StoreUnsafe(ref dst, (nuint)n);
                    hi.StoreUnsafe(ref dst, (nuint)(n + 8));
                    if (special == Vector128<byte>.Zero)
                    {
                        i += 16;
                        n += 16;
                        continue;
                    }

                    var k = BitOperations.TrailingZeroCount(special.ExtractMostSignificantBits());
                    i += k;
                    n += k;
                    break;
                }
            }

            if (i >= line.Length)
            {
                return false;
            }

            var b = line[i];
            if (b is >= (byte)' ' and < 0x7F && b != (byte)'"' && b != (byte)'\\')
            {
                Unsafe.Add(ref dst, n++) = b;
                i++;
                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    p = i + 1;
                    return true;
                case 0x7F:
                    canonical = false; // the writer escapes DEL as \u007F
                    Unsafe.Add(ref dst, n++) = b;
                    i++;
                    continue;
                case (byte)'\\' when i + 1 < line.Length:
                    var e = line[i + 1];
                    char c;
                    switch (e)
                    {
                        case (byte)'"': c = '"'; break;
                        case (byte)'\\': c = '\\'; break;
                        case (byte)'/': c = '/'; canonical = false; break;
                        case (byte)'b': c = '\b'; break;
                        case (byte)'f': c = '\f'; break;
                        case (byte)'n': c = '\n'; break;
                        case (byte)'r': c = '\r'; break;
                        case (byte)'t': c = '\t'; break;
                        default: return false; // \u escapes and invalid ones: the JSON reader's job
                    }

                    Unsafe.Add(ref dst, n++) = (ushort)c;
                    i += 2;
                    continue;
                default:
                    return false; // a raw control character or non-ASCII byte
            }
        }
    }
}

/// <summary>Writes output lines into a large buffer, byte for byte what <see cref="Utf8JsonWriter"/> (minimized, with
/// <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>) writes: ASCII strings are escaped here (<c>\" \\ \b
/// \t \n \f \r</c>, other control characters and DEL as <c>\u00XX</c>), any string with a non-ASCII character by
/// the writer itself.</summary>
internal sealed class LineWriter(Stream output)
{
    private const int Size = 1 << 20;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private byte[] _buf = new byte[Size];
    private int _pos;
    private ArrayBufferWriter<byte>? _scratch;
    private Utf8JsonWriter? _writer;

    /// <summary>A line whose text is written from its already escaped bytes.</summary>
    public void WriteLine(ReadOnlySpan<byte> id, ReadOnlySpan<byte> escapedText, IReadOnlyList<Finding> findings)
    {
        Reserve(id.Length + escapedText.Length + 64 + 80 * findings.Count);
        Begin(id);
        Raw(escapedText);
        End(findings);
    }

    public void WriteLine(ReadOnlySpan<byte> id, string redacted, IReadOnlyList<Finding> findings)
    {
        Reserve(id.Length + 6 * redacted.Length + 64 + 80 * findings.Count);
        Begin(id);
        if (Ascii.IsValid(redacted))
        {
            Escape(redacted);
        }
        else
        {
            Raw(ByWriter(redacted));
        }

        End(findings);
    }

    public void Flush()
    {
        output.Write(_buf, 0, _pos);
        _pos = 0;
        output.Flush();
    }

    private void Reserve(int bytes)
    {
        if (_buf.Length - _pos >= bytes)
        {
            return;
        }

        output.Write(_buf, 0, _pos);
        _pos = 0;
        if (_buf.Length < bytes)
        {
            _buf = new byte[Math.Max(bytes, _buf.Length * 2)];
        }
    }

    private void Begin(ReadOnlySpan<byte> id)
    {
        Raw("{\"id\":"u8);
        Raw(id.Length == 0 ? "null"u8 : id);
        Raw(",\"redacted\":\""u8);
    }

    private void End(IReadOnlyList<Finding> findings)
    {
        Raw("\",\"findings\":["u8);
        for (var i = 0; i < findings.Count; i++)
        {
            var f = findings[i];
            Raw(i == 0 ? "{\"start\":"u8 : ",{\"start\":"u8);
            Number(f.Start);
            Raw(",\"end\":"u8);
            Number(f.End);
            Raw(",\"kind\":\""u8);
            if (Ascii.IsValid(f.Kind))
            {
                Reserve(6 * f.Kind.Length + 16);
                Escape(f.Kind);
            }
            else
            {
                Raw(ByWriter(f.Kind));
            }

            Raw("\"}"u8);
        }

        Raw("]}\n"u8);
    }

    private void Number(int value)
    {
        Utf8Formatter.TryFormat(value, _buf.AsSpan(_pos), out var written);
        _pos += written;
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        if (_buf.Length - _pos < bytes.Length)
        {
            Reserve(bytes.Length);
        }

        bytes.CopyTo(_buf.AsSpan(_pos));
        _pos += bytes.Length;
    }

    /// <summary>An ASCII string, escaped as the writer escapes it (room reserved by the caller: 6 bytes a
    /// character).</summary>
    private void Escape(string s)
    {
        var span = s.AsSpan();
        var dst = _buf.AsSpan(_pos);
        var w = 0;
        while (span.Length > 0)
        {
            var plain = span.IndexOfAnyExcept(Plain);
            var run = plain < 0 ? span.Length : plain;
            System.Text.Encoding.ASCII.GetBytes(span[..run], dst[w..]);
            w += run;
            if (plain < 0)
            {
                break;
            }

            var c = span[run];
            dst[w++] = (byte)'\\';
            switch (c)
            {
                case '"': dst[w++] = (byte)'"'; break;
                case '\\': dst[w++] = (byte)'\\'; break;
                case '\b': dst[w++] = (byte)'b'; break;
                case '\t': dst[w++] = (byte)'t'; break;
                case '\n': dst[w++] = (byte)'n'; break;
                case '\f': dst[w++] = (byte)'f'; break;
                case '\r': dst[w++] = (byte)'r'; break;
                default:
                    "u00"u8.CopyTo(dst[w..]);
                    dst[w + 3] = Hex[c >> 4];
                    dst[w + 4] = Hex[c & 0xF];
                    w += 5;
                    break;
            }

            span = span[(run + 1)..];
        }

        _pos += w;
    }

    private static readonly SearchValues<char> Plain = SearchValues.Create(" !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    /// <summary>A string with non-ASCII characters, escaped by the writer; the quotes are left out.</summary>
    private ReadOnlySpan<byte> ByWriter(string s)
    {
        _scratch ??= new ArrayBufferWriter<byte>();
        _scratch.ResetWrittenCount();
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(_scratch, WriterOptions);
        }
        else
        {
            _writer.Reset(_scratch);
        }

        _writer.WriteStringValue(s);
        _writer.Flush();
        return _scratch.WrittenSpan[1..^1];
    }
}
