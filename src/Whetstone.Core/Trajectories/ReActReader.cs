using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Whetstone.Trajectories;

/// <summary>Reads ReAct text agents: <c>{"id"?, "messages": [...]}</c> whose assistant turns read
/// <c>Thought: …</c> / <c>Action: tool[input]</c> with observations returned as user turns <c>Observation: …</c>,
/// or <c>{"id"?, "text": "…"}</c> holding the whole transcript. Each Thought becomes the assistant's reasoning,
/// each Action a real tool call answered by its Observation, and <c>finish[answer]</c> the final answer.</summary>
internal sealed partial class ReActReader : ITrajectoryReader
{
    public const string ArgumentName = "input";

    public string Format => TrajectoryFormats.ReAct;

    [GeneratedRegex(@"^\s*(Thought|Action|Observation)(?:\s*\d+)?\s*:\s?", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();

    [GeneratedRegex(@"^\s*([A-Za-z_][\w\-]*)\s*\[(.*)\]\s*$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex ActionRegex();

    [GeneratedRegex(@"(^|\n)\s*Action(?:\s*\d+)?\s*:\s*[A-Za-z_][\w\-]*\s*\[", RegexOptions.CultureInvariant)]
    private static partial Regex ActionLineRegex();

    private static readonly string[] FinishNames = ["finish", "final_answer", "answer"];

    public Trajectory Read(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new RecordException("$", $"a record must be a JSON object, found {JsonFields.Describe(record)}");
        }

        List<Message> messages;
        string? task;
        if (JsonFields.Array(record, "messages", "$") is { } array)
        {
            var plain = OpenAiReader.ReadMessages(array, "$.messages");
            messages = FromMessages(plain);
            task = OpenAiReader.FirstUserText(messages);
        }
        else if (JsonFields.String(record, "text", "$") is { } text)
        {
            (task, messages) = FromText(text);
        }
        else
        {
            throw new RecordException("$", "a react record needs 'messages' or 'text'");
        }

        if (!messages.Any(m => m.Role == Role.Assistant))
        {
            throw new RecordException("$", "no assistant turn (Thought/Action) found");
        }

        var tools = OpenAiReader.DeriveTools(messages)
            .Select(t => t with { Parameters = InputSchema })
            .ToList();
        return Envelope.Apply(new Trajectory { Id = "", Messages = messages, Tools = tools, Task = task }, record, record);
    }

    /// <summary>True when the record's assistant turns follow the Thought/Action pattern (used by auto-detection).</summary>
    public static bool Looks(JsonElement record)
    {
        if (JsonFields.TryGet(record, "text", out var t) && t.ValueKind == JsonValueKind.String)
        {
            return ActionLineRegex().IsMatch(t.GetString()!);
        }

        if (!JsonFields.TryGet(record, "messages", out var ms) || ms.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var assistantTurns = 0;
        var patterned = 0;
        foreach (var m in ms.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var r) || r.ValueKind != JsonValueKind.String ||
                r.GetString() != "assistant")
            {
                continue;
            }

            if (m.TryGetProperty("tool_calls", out var tc) && tc.ValueKind == JsonValueKind.Array && tc.GetArrayLength() > 0)
            {
                return false;
            }

            assistantTurns++;
            if (m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String &&
                ActionLineRegex().IsMatch(c.GetString()!))
            {
                patterned++;
            }
        }

        return assistantTurns > 0 && patterned == assistantTurns;
    }

    private static readonly JsonElement InputSchema = JsonDocument.Parse(
        """{"type":"object","properties":{"input":{"type":"string"}},"required":["input"]}""").RootElement.Clone();

    private enum Kind
    {
        Thought,
        Action,
        Observation,
        Text,
    }

    private readonly record struct Segment(Kind Kind, string Text);

    private static List<Segment> Split(string text)
    {
        var segments = new List<Segment>();
        Kind? current = null;
        var sb = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            var m = TagRegex().Match(line);
            if (m.Success)
            {
                Flush();
                current = Enum.Parse<Kind>(m.Groups[1].Value);
                sb.Append(line.AsSpan(m.Length));
            }
            else
            {
                current ??= Kind.Text;
                if (sb.Length > 0)
                {
                    sb.Append('\n');
                }

                sb.Append(line);
            }
        }

        Flush();
        return segments;

        void Flush()
        {
            if (current is { } k)
            {
                var s = sb.ToString().Trim();
                if (s.Length > 0 || k == Kind.Observation)
                {
                    segments.Add(new Segment(k, s));
                }
            }

            sb.Clear();
            current = null;
        }
    }

    /// <summary>Turns a chat transcript with ReAct text into structured messages.</summary>
    private static List<Message> FromMessages(List<Message> plain)
    {
        var builder = new Builder();
        foreach (var m in plain)
        {
            var text = m.Content ?? "";
            if (m.Role == Role.Assistant)
            {
                builder.Assistant(Split(text), m.Timestamp);
            }
            else if (m.Role == Role.User && TagRegex().Match(text) is { Success: true } tag && tag.Groups[1].Value == "Observation")
            {
                builder.Observation(text[tag.Length..].Trim(), m.Timestamp);
            }
            else
            {
                builder.Add(m);
            }
        }

        return builder.Messages;
    }

    /// <summary>Parses a whole transcript (an Alpaca-style prompt or a plain ReAct log).</summary>
    private static (string? Task, List<Message> Messages) FromText(string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        string prompt;
        string response;
        var instruction = text.IndexOf("### Instruction:", StringComparison.Ordinal);
        var responseAt = text.IndexOf("### Response:", StringComparison.Ordinal);
        if (instruction >= 0 && responseAt > instruction)
        {
            prompt = text[(instruction + "### Instruction:".Length)..responseAt].Trim();
            response = text[(responseAt + "### Response:".Length)..];
        }
        else
        {
            var firstTag = FirstTagIndex(text);
            prompt = firstTag > 0 ? text[..firstTag].Trim() : "";
            response = firstTag >= 0 ? text[firstTag..] : text;
        }

        var builder = new Builder();
        if (prompt.Length > 0)
        {
            builder.Add(new Message { Role = Role.User, Content = prompt });
        }

        // Group: Thought(s) + Action form one assistant turn; an Observation answers it.
        var turn = new List<Segment>();
        foreach (var s in Split(response))
        {
            if (s.Kind == Kind.Observation)
            {
                if (turn.Count > 0)
                {
                    builder.Assistant(turn, null);
                    turn = [];
                }

                builder.Observation(s.Text, null);
                continue;
            }

            turn.Add(s);
            if (s.Kind == Kind.Action)
            {
                builder.Assistant(turn, null);
                turn = [];
            }
        }

        if (turn.Count > 0)
        {
            builder.Assistant(turn, null);
        }

        return (prompt.Length > 0 ? prompt : null, builder.Messages);
    }

    private static int FirstTagIndex(string text)
    {
        var offset = 0;
        foreach (var line in text.Split('\n'))
        {
            if (TagRegex().IsMatch(line))
            {
                return offset;
            }

            offset += line.Length + 1;
        }

        return -1;
    }

    private sealed class Builder
    {
        private readonly List<string> _pending = [];
        private int _calls;

        public List<Message> Messages { get; } = [];

        public void Add(Message m) => Messages.Add(m);

        public void Assistant(List<Segment> segments, DateTimeOffset? at)
        {
            var thoughts = string.Join("\n", segments.Where(s => s.Kind == Kind.Thought).Select(s => s.Text));
            var other = string.Join("\n", segments.Where(s => s.Kind == Kind.Text).Select(s => s.Text));
            var action = segments.LastOrDefault(s => s.Kind == Kind.Action);
            var reasoning = thoughts.Length > 0 ? thoughts : null;
            if (action.Text is null)
            {
                Messages.Add(new Message { Role = Role.Assistant, Reasoning = reasoning, Content = other, Timestamp = at });
                return;
            }

            var m = ActionRegex().Match(action.Text);
            if (!m.Success)
            {
                // An action the agent wrote badly stays as text: the quality stage sees it as no valid call.
                Messages.Add(new Message
                {
                    Role = Role.Assistant, Reasoning = reasoning, Content = JoinNonEmpty(other, "Action: " + action.Text), Timestamp = at,
                });
                return;
            }

            var tool = m.Groups[1].Value;
            var input = m.Groups[2].Value.Trim();
            if (FinishNames.Contains(tool, StringComparer.OrdinalIgnoreCase))
            {
                Messages.Add(new Message { Role = Role.Assistant, Reasoning = reasoning, Content = input, Timestamp = at });
                return;
            }

            var id = $"call_{_calls++}";
            _pending.Add(id);
            var args = JsonSerializer.SerializeToElement(new Dictionary<string, string> { [ArgumentName] = input },
                WhetstoneJson.Compact.DictionaryStringString);
            Messages.Add(new Message
            {
                Role = Role.Assistant,
                Reasoning = reasoning,
                Content = other.Length > 0 ? other : null,
                ToolCalls = [new ToolCall { Id = id, Name = tool, Arguments = args }],
                Timestamp = at,
            });
        }

        public void Observation(string text, DateTimeOffset? at)
        {
            if (_pending.Count == 0)
            {
                Messages.Add(new Message { Role = Role.User, Content = "Observation: " + text, Timestamp = at });
                return;
            }

            var id = _pending[0];
            _pending.RemoveAt(0);
            var call = Messages.Last(x => x.ToolCalls?.Any(c => c.Id == id) == true).ToolCalls!.First(c => c.Id == id);
            Messages.Add(new Message { Role = Role.Tool, ToolCallId = id, Name = call.Name, Content = text, Timestamp = at });
        }

        private static string JoinNonEmpty(string a, string b) => a.Length == 0 ? b : a + "\n" + b;
    }
}
