using System.Buffers;
using System.Text.Json;
using Whetstone.Trajectories;

namespace Whetstone.Evaluation;

/// <summary>The OpenAI chat-completions wire format, used in three places so they agree exactly: the request the
/// <c>openai:</c> client sends, the cases <c>eval cases --json</c> lists for batch jobs, and the assistant messages a
/// <c>replay:</c> file holds.</summary>
public static class OpenAiChatFormat
{
    /// <summary>Writes a chat-completions request body.</summary>
    public static void WriteRequest(Utf8JsonWriter writer, string model, IReadOnlyList<Message> messages, IReadOnlyList<ToolSpec> tools,
        double? temperature = 0, int? maxTokens = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("model", model);
        writer.WritePropertyName("messages");
        WriteMessages(writer, messages);
        if (tools.Count > 0)
        {
            writer.WritePropertyName("tools");
            WriteTools(writer, tools);
        }

        if (temperature is { } t)
        {
            writer.WriteNumber("temperature", t);
        }

        if (maxTokens is { } m)
        {
            writer.WriteNumber("max_tokens", m);
        }

        writer.WriteEndObject();
    }

    /// <summary>The request body as UTF-8 bytes.</summary>
    public static byte[] RequestBytes(string model, IReadOnlyList<Message> messages, IReadOnlyList<ToolSpec> tools, double? temperature = 0, int? maxTokens = null)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteRequest(writer, model, messages, tools, temperature, maxTokens);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes messages as an OpenAI <c>messages</c> array, with only the fields the chat-completions schema
    /// defines (strict servers reject others). An assistant's reasoning is not sent (chat templates drop it for earlier
    /// turns anyway); tool calls and tool results are.</summary>
    public static void WriteMessages(Utf8JsonWriter writer, IReadOnlyList<Message> messages)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(messages);
        writer.WriteStartArray();
        foreach (var m in messages)
        {
            WriteMessage(writer, m);
        }

        writer.WriteEndArray();
    }

    public static void WriteMessage(Utf8JsonWriter writer, Message m)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(m);
        writer.WriteStartObject();
        switch (m.Role)
        {
            case Role.System:
                writer.WriteString("role", "system");
                writer.WriteString("content", m.Content ?? "");
                break;
            case Role.User:
                writer.WriteString("role", "user");
                writer.WriteString("content", m.Content ?? "");
                break;
            case Role.Assistant:
                writer.WriteString("role", "assistant");
                if (m.Content is null)
                {
                    writer.WriteNull("content");
                }
                else
                {
                    writer.WriteString("content", m.Content);
                }

                if (m.HasToolCalls)
                {
                    writer.WritePropertyName("tool_calls");
                    writer.WriteStartArray();
                    foreach (var c in m.ToolCalls!)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("id", c.Id);
                        writer.WriteString("type", "function");
                        writer.WritePropertyName("function");
                        writer.WriteStartObject();
                        writer.WriteString("name", c.Name);
                        writer.WriteString("arguments", c.ArgumentsText());
                        writer.WriteEndObject();
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                }

                break;
            case Role.Tool:
                writer.WriteString("role", "tool");
                writer.WriteString("tool_call_id", m.ToolCallId ?? "");
                writer.WriteString("content", m.Content ?? "");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(m), m.Role, "unknown role");
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes tools as an OpenAI <c>tools</c> array of functions.</summary>
    public static void WriteTools(Utf8JsonWriter writer, IReadOnlyList<ToolSpec> tools)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(tools);
        writer.WriteStartArray();
        foreach (var t in tools)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "function");
            writer.WritePropertyName("function");
            writer.WriteStartObject();
            writer.WriteString("name", t.Name);
            if (t.Description is not null)
            {
                writer.WriteString("description", t.Description);
            }

            if (t.Parameters is { } p)
            {
                writer.WritePropertyName("parameters");
                p.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Reads one assistant message in OpenAI format (<c>content</c>, <c>tool_calls</c> with string or object
    /// arguments, legacy <c>function_call</c>, <c>reasoning_content</c>). Arguments that are not valid JSON are kept
    /// as raw text (an invalid call, not an error). Throws <see cref="FormatException"/> when it is not an assistant
    /// message.</summary>
    public static Message ParseAssistantMessage(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"an assistant message must be a JSON object, found {JsonFields.Describe(message)}");
        }

        if (JsonFields.TryGet(message, "role", out var role) && role.ValueKind == JsonValueKind.String && role.GetString() != "assistant")
        {
            throw new FormatException($"expected role 'assistant', found '{role.GetString()}'");
        }

        // Reuse the OpenAI reader so replay files, HTTP answers and imported runs are read by the same rules.
        var bytes = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(bytes))
        {
            w.WriteStartArray();
            w.WriteStartObject();
            foreach (var p in message.EnumerateObject())
            {
                if (p.NameEquals("role"))
                {
                    continue;
                }

                p.WriteTo(w);
            }

            w.WriteString("role", "assistant");
            w.WriteEndObject();
            w.WriteEndArray();
        }

        using var doc = JsonDocument.Parse(bytes.WrittenMemory);
        try
        {
            return OpenAiReader.ReadMessages(doc.RootElement, "$.message")[0];
        }
        catch (RecordException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>Reads a chat-completions response body: the first choice's message and the token usage.</summary>
    public static (Message Message, TokenUsage? Usage) ParseResponse(ReadOnlyMemory<byte> utf8Json)
    {
        using var doc = JsonDocument.Parse(utf8Json);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the response is not a JSON object");
        }

        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            throw new FormatException("the response has no choices");
        }

        var first = choices[0];
        if (first.ValueKind != JsonValueKind.Object || !first.TryGetProperty("message", out var message))
        {
            throw new FormatException("the first choice has no message");
        }

        var parsed = ParseAssistantMessage(message);
        TokenUsage? usage = null;
        if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
        {
            usage = new TokenUsage(IntOrNull(u, "prompt_tokens"), IntOrNull(u, "completion_tokens"));
        }

        return (parsed, usage);
    }

    private static int? IntOrNull(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
}
