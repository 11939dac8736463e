using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Whetstone.Evaluation;
using Whetstone.Trajectories;

namespace Whetstone.Models;

/// <summary>Tool calling for local models that only complete text: the tools go into the system message and calls
/// come back as <c>&lt;tool_call&gt;{"name": …, "arguments": {…}}&lt;/tool_call&gt;</c> blocks (the Hermes / Qwen
/// convention most tool-tuned GGUF models follow); tool results go back as <c>&lt;tool_response&gt;</c> blocks.</summary>
internal static partial class ToolPrompt
{
    [GeneratedRegex(@"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ToolCallBlock();

    /// <summary>The conversation as (role, content) turns for a chat template: system (with the tool block), user and
    /// assistant; tool results become user turns.</summary>
    public static List<(string Role, string Content)> Turns(IReadOnlyList<Message> messages, IReadOnlyList<ToolSpec> tools)
    {
        var turns = new List<(string Role, string Content)>();
        var system = string.Join("\n\n", messages.Where(m => m.Role == Role.System).Select(m => m.Content).Where(c => !string.IsNullOrEmpty(c)));
        if (tools.Count > 0)
        {
            system = (system.Length > 0 ? system + "\n\n" : "") + ToolsBlock(tools);
        }

        if (system.Length > 0)
        {
            turns.Add(("system", system));
        }

        foreach (var m in messages)
        {
            switch (m.Role)
            {
                case Role.User:
                    turns.Add(("user", m.Content ?? ""));
                    break;
                case Role.Assistant:
                    var sb = new StringBuilder(m.Content ?? "");
                    foreach (var c in m.ToolCalls ?? [])
                    {
                        if (sb.Length > 0)
                        {
                            sb.Append('\n');
                        }

                        sb.Append("<tool_call>\n{\"name\": ").Append(JsonSerializer.Serialize(c.Name, ModelsJsonContext.Default.String))
                            .Append(", \"arguments\": ").Append(c.ArgumentsText()).Append("}\n</tool_call>");
                    }

                    turns.Add(("assistant", sb.ToString()));
                    break;
                case Role.Tool:
                    var text = "<tool_response>\n" + (m.Content ?? "") + "\n</tool_response>";
                    if (turns.Count > 0 && turns[^1].Role == "user" && turns[^1].Content.StartsWith("<tool_response>", StringComparison.Ordinal))
                    {
                        turns[^1] = ("user", turns[^1].Content + "\n" + text);
                    }
                    else
                    {
                        turns.Add(("user", text));
                    }

                    break;
            }
        }

        return turns;
    }

    /// <summary>ChatML, for models without a usable chat template.</summary>
    public static string ChatMl(IEnumerable<(string Role, string Content)> turns)
    {
        var sb = new StringBuilder();
        foreach (var (role, content) in turns)
        {
            sb.Append("<|im_start|>").Append(role).Append('\n').Append(content).Append("<|im_end|>\n");
        }

        return sb.Append("<|im_start|>assistant\n").ToString();
    }

    private static string ToolsBlock(IReadOnlyList<ToolSpec> tools)
    {
        var sb = new StringBuilder("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
                                   "You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        foreach (var t in tools)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                OpenAiChatFormat.WriteTools(w, [t]);
            }

            // WriteTools writes an array of one; drop the brackets.
            var json = Encoding.UTF8.GetString(stream.ToArray());
            sb.Append('\n').Append(json, 1, json.Length - 2);
        }

        sb.Append("\n</tools>\n\nFor each function call, return a json object with function name and arguments within " +
                  "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        return sb.ToString();
    }

    /// <summary>Reads generated text: each <c>&lt;tool_call&gt;</c> block becomes a call (arguments that are not JSON
    /// are kept raw: an invalid call); the rest is the content.</summary>
    public static Message Parse(string generated)
    {
        var calls = new List<ToolCall>();
        var matches = ToolCallBlock().Matches(generated);
        foreach (Match m in matches)
        {
            calls.Add(ParseCall(m.Groups[1].Value, calls.Count));
        }

        var text = ToolCallBlock().Replace(generated, "").Trim();
        return new Message
        {
            Role = Role.Assistant,
            Content = text.Length == 0 ? null : text,
            ToolCalls = calls.Count > 0 ? calls : null,
        };
    }

    private static ToolCall ParseCall(string json, int index)
    {
        var id = $"call_{index}";
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var name = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            if (string.IsNullOrWhiteSpace(name))
            {
                return new ToolCall { Id = id, Name = "", RawArguments = json };
            }

            if (!root.TryGetProperty("arguments", out var args))
            {
                return new ToolCall { Id = id, Name = name, Arguments = JsonDocument.Parse("{}").RootElement.Clone() };
            }

            if (args.ValueKind == JsonValueKind.String)
            {
                try
                {
                    using var inner = JsonDocument.Parse(args.GetString()!);
                    return new ToolCall { Id = id, Name = name, Arguments = inner.RootElement.Clone() };
                }
                catch (JsonException)
                {
                    return new ToolCall { Id = id, Name = name, RawArguments = args.GetString() };
                }
            }

            return new ToolCall { Id = id, Name = name, Arguments = args.Clone() };
        }
        catch (JsonException)
        {
            return new ToolCall { Id = id, Name = "", RawArguments = json };
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class ModelsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
