using System.Text;
using System.Text.Json;
using Whetstone.Trajectories;

namespace Whetstone.Datasets.Export;

/// <summary>One message of a training example: the run's message with its learned weight (assistant only).</summary>
internal sealed record ExampleMessage(Role Role, string? Content, IReadOnlyList<ToolCall> Calls, string? ToolCallId, string? Name, int Weight, string? Reasoning)
{
    public bool HasCalls => Calls.Count > 0;
}

/// <summary>A run shaped for training, format-independent: starts with the user (after system messages), every
/// call answered before the next assistant turn, ends with an assistant answer, at least one learned turn.</summary>
internal sealed record TrainingExample(string TrajectoryId, IReadOnlyList<ExampleMessage> Messages, IReadOnlyList<ToolSpec> Tools)
{
    public static readonly JsonElement EmptySchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    public bool HasParallelCalls => Messages.Any(m => m.Calls.Count > 1);

    /// <summary>Builds the example, or returns the reason the run cannot be one.</summary>
    public static (TrainingExample? Example, string? Problem) From(Trajectory t, IReadOnlyList<int> weights)
    {
        ArgumentNullException.ThrowIfNull(t);
        var messages = new List<ExampleMessage>(t.Messages.Count);
        var assistantIndex = 0;
        foreach (var m in t.Messages)
        {
            var weight = 0;
            if (m.Role == Role.Assistant)
            {
                weight = assistantIndex < weights.Count ? weights[assistantIndex] : 1;
                assistantIndex++;
                if (string.IsNullOrWhiteSpace(m.Content) && !m.HasToolCalls)
                {
                    continue;
                }
            }

            messages.Add(new ExampleMessage(m.Role, m.Content, m.ToolCalls ?? [], m.ToolCallId, m.Name, weight, m.Reasoning));
        }

        var last = messages.FindLastIndex(m => m.Role == Role.Assistant && !m.HasCalls);
        if (last < 0)
        {
            return (null, "no final assistant answer");
        }

        messages.RemoveRange(last + 1, messages.Count - last - 1);
        var firstTurn = messages.FindIndex(m => m.Role != Role.System);
        if (firstTurn < 0 || messages[firstTurn].Role != Role.User)
        {
            return (null, "the conversation does not start with a user message");
        }

        var pending = new List<string>();
        foreach (var m in messages)
        {
            switch (m.Role)
            {
                case Role.Assistant:
                    if (pending.Count > 0)
                    {
                        return (null, $"an assistant turn comes before the result of call '{pending[0]}'");
                    }

                    foreach (var c in m.Calls)
                    {
                        if (!c.HasValidArguments)
                        {
                            return (null, $"call '{c.Id}' to {c.Name} has arguments that are not valid JSON");
                        }

                        if (c.Arguments!.Value.ValueKind != JsonValueKind.Object)
                        {
                            return (null, $"call '{c.Id}' to {c.Name} has arguments that are not a JSON object");
                        }

                        pending.Add(c.Id);
                    }

                    break;
                case Role.Tool:
                    if (m.ToolCallId is null || !pending.Remove(m.ToolCallId))
                    {
                        return (null, $"tool result '{m.ToolCallId}' answers no pending call");
                    }

                    break;
            }
        }

        if (pending.Count > 0)
        {
            return (null, $"call '{pending[0]}' is never answered");
        }

        if (!messages.Any(m => m.Role == Role.Assistant && m.Weight > 0))
        {
            return (null, "no learned assistant turn (every turn has weight 0)");
        }

        var tools = t.Tools.Select(s => s.Parameters is null ? s with { Parameters = EmptySchema } : s).ToList();
        foreach (var name in messages.SelectMany(m => m.Calls).Select(c => c.Name).Distinct(StringComparer.Ordinal))
        {
            if (!tools.Any(s => s.Name == name))
            {
                tools.Add(new ToolSpec { Name = name, Parameters = EmptySchema });
            }
        }

        return (new TrainingExample(t.Id, messages, tools), null);
    }

    /// <summary>UTF-8 size of the example's text: an upper bound of its token count (every token is at least one
    /// byte), so the exact count is needed only above the limit.</summary>
    public int Utf8Size()
    {
        var n = 0;
        foreach (var m in Messages)
        {
            n += 8 + (m.Content is null ? 0 : Encoding.UTF8.GetByteCount(m.Content));
            foreach (var c in m.Calls)
            {
                n += 16 + Encoding.UTF8.GetByteCount(c.Name) + Encoding.UTF8.GetByteCount(c.ArgumentsText());
            }
        }

        foreach (var s in Tools)
        {
            n += 16 + Encoding.UTF8.GetByteCount(s.Name) + (s.Description is null ? 0 : Encoding.UTF8.GetByteCount(s.Description)) +
                (s.Parameters is { } p ? p.GetRawText().Length : 0);
        }

        return n;
    }

    /// <summary>The text a tokenizer sees (contents, call names and arguments, tool schemas), for token counts.</summary>
    public string Text()
    {
        var sb = new StringBuilder();
        foreach (var s in Tools)
        {
            sb.Append(s.Name).Append(' ').Append(s.Description).Append(' ').Append(s.Parameters?.GetRawText()).Append('\n');
        }

        foreach (var m in Messages)
        {
            sb.Append(m.Content).Append('\n');
            foreach (var c in m.Calls)
            {
                sb.Append(c.Name).Append(' ').Append(c.ArgumentsText()).Append('\n');
            }
        }

        return sb.ToString();
    }
}
