using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Whetstone.Trajectories;

/// <summary>Canonical JSON (object keys sorted ordinally, no insignificant whitespace) and the content-hash ids
/// derived from it.</summary>
public static class CanonicalJson
{
    /// <summary>Writes <paramref name="element"/> canonically as UTF-8.</summary>
    public static byte[] ToUtf8(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            Write(writer, element);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Hex SHA-256 (lower case) of the canonical form.</summary>
    public static string Sha256Hex(JsonElement element) =>
        Convert.ToHexStringLower(SHA256.HashData(ToUtf8(element)));

    /// <summary>The id of a run that came without one: <c>t-</c> + the first 24 hex digits of SHA-256 over the
    /// canonical JSON of the run as received.</summary>
    public static string ContentId(JsonElement received) => "t-" + Sha256Hex(received)[..24];

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var properties = new List<JsonProperty>();
                foreach (var p in element.EnumerateObject())
                {
                    properties.Add(p);
                }

                properties.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                foreach (var p in properties)
                {
                    writer.WritePropertyName(p.Name);
                    Write(writer, p.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
