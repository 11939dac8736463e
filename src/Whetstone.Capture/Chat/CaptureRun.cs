using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Whetstone.Capture.Chat;

/// <summary>A run being recorded: the chat calls made through <see cref="WhetstoneCaptureChatClient"/> in this
/// async flow, merged into one transcript (a call's input usually repeats the conversation so far; only what is new
/// is added). <see cref="Finish"/> submits it with its outcome; disposing an unfinished run submits it with outcome
/// <c>unknown</c>. Thread-safe; never throws into the agent.</summary>
public sealed class CaptureRun : IDisposable
{
    private static readonly AsyncLocal<CaptureRun?> CurrentRun = new();

    private readonly WhetstoneCaptureClient _client;
    private readonly TimeProvider _time;
    private readonly CaptureRun? _previous;
    private readonly Lock _lock = new();
    private readonly List<ChatMessage> _sources = [];
    private readonly CapturedRun _run;
    private readonly HashSet<string> _calls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _callNames = new(StringComparer.Ordinal);
    private bool _finished;

    internal CaptureRun(WhetstoneCaptureClient client, TimeProvider time, string? id, string? task, string? agentId, string? sessionId)
    {
        _client = client;
        _time = time;
        _run = new CapturedRun { Task = task, AgentId = agentId, SessionId = sessionId, StartedAt = time.GetUtcNow() };
        if (!string.IsNullOrWhiteSpace(id))
        {
            _run.Id = id;
        }

        _previous = CurrentRun.Value;
        CurrentRun.Value = this;
    }

    /// <summary>The run being recorded in this async flow, if any.</summary>
    public static CaptureRun? Current => CurrentRun.Value;

    public string Id => _run.Id;

    /// <summary>The run as recorded so far (for adding metadata or a task key before finishing).</summary>
    public CapturedRun Run => _run;

    /// <summary>Submits the run with its outcome (once). False when it was finished before, holds no message, or
    /// the client's queue is full.</summary>
    public bool Finish(RunOutcome outcome)
    {
        lock (_lock)
        {
            if (_finished)
            {
                return false;
            }

            _finished = true;
            _run.Outcome = outcome ?? RunOutcome.Unknown;
            _run.EndedAt = _time.GetUtcNow();
        }

        Restore();
        return _run.Messages.Count > 0 && _client.Submit(_run);
    }

    public void Dispose()
    {
        if (!_finished)
        {
            Finish(RunOutcome.Unknown);
        }

        Restore();
    }

    private void Restore()
    {
        if (CurrentRun.Value == this)
        {
            CurrentRun.Value = _previous;
        }
    }

    /// <summary>Adds one chat call: its input (what is new of it) and the model's response.</summary>
    internal void Record(IReadOnlyList<ChatMessage> input, ChatOptions? options, ChatResponse response, ChatClientMetadata? metadata)
    {
        lock (_lock)
        {
            if (_finished)
            {
                return;
            }

            foreach (var tool in options?.Tools ?? [])
            {
                if (tool is AIFunctionDeclaration f && _run.Tools.All(t => t.Name != f.Name))
                {
                    _run.Tools.Add(new CapturedTool
                    {
                        Name = f.Name,
                        Description = string.IsNullOrEmpty(f.Description) ? null : f.Description,
                        Parameters = f.JsonSchema.ValueKind == JsonValueKind.Object ? f.JsonSchema.Clone() : null,
                    });
                }
            }

            var skip = ContinuedPrefix(input);
            if (skip < _sources.Count)
            {
                // Not a continuation of what was recorded (the agent rebuilt its history): keep what was recorded and
                // add this input whole, minus messages already at the end.
                skip = Overlap(input);
            }

            foreach (var m in input.Skip(skip))
            {
                Append(m);
            }

            foreach (var m in response.Messages)
            {
                Append(m);
            }

            _run.ModelName = response.ModelId ?? options?.ModelId ?? metadata?.DefaultModelId ?? _run.ModelName;
            _run.ModelProvider = metadata?.ProviderName ?? _run.ModelProvider;
            if (options?.ConversationId is { } conversation)
            {
                _run.SessionId ??= conversation;
            }
        }
    }

    /// <summary>How many recorded source messages the input starts with (all of them when it continues the run).</summary>
    private int ContinuedPrefix(IReadOnlyList<ChatMessage> input)
    {
        if (input.Count < _sources.Count)
        {
            return 0;
        }

        for (var i = 0; i < _sources.Count; i++)
        {
            if (!Same(_sources[i], input[i]))
            {
                return 0;
            }
        }

        return _sources.Count;
    }

    private int Overlap(IReadOnlyList<ChatMessage> input)
    {
        for (var k = Math.Min(input.Count, _sources.Count); k > 0; k--)
        {
            var ok = true;
            for (var i = 0; i < k && ok; i++)
            {
                ok = Same(_sources[_sources.Count - k + i], input[i]);
            }

            if (ok)
            {
                return k;
            }
        }

        return 0;
    }

    private static bool Same(ChatMessage a, ChatMessage b) =>
        ReferenceEquals(a, b) || (a.Role == b.Role && a.Text == b.Text && a.Contents.Count == b.Contents.Count &&
            a.Contents.Zip(b.Contents).All(p => p.First.GetType() == p.Second.GetType() && Key(p.First) == Key(p.Second)));

    private static string? Key(AIContent c) => c switch
    {
        FunctionCallContent f => f.CallId,
        FunctionResultContent r => r.CallId,
        TextContent t => t.Text,
        _ => null,
    };

    private void Append(ChatMessage message)
    {
        _sources.Add(message);
        foreach (var m in Convert(message))
        {
            if (m.Role == "tool" && (m.ToolCallId is null || !_calls.Contains(m.ToolCallId)))
            {
                continue; // a result of no recorded call would make the run unreadable
            }

            foreach (var c in m.ToolCalls ?? [])
            {
                _calls.Add(c.Id);
                _callNames[c.Id] = c.Name;
            }

            _run.Messages.Add(m);
        }

    }

    private List<CapturedMessage> Convert(ChatMessage message)
    {
        var role = message.Role == ChatRole.System ? "system"
            : message.Role == ChatRole.Assistant ? "assistant"
            : message.Role == ChatRole.Tool ? "tool"
            : "user";
        var text = new List<string>();
        var reasoning = new List<string>();
        var calls = new List<CapturedToolCall>();
        var results = new List<CapturedMessage>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent t when !string.IsNullOrEmpty(t.Text):
                    text.Add(t.Text);
                    break;
                case TextReasoningContent r when !string.IsNullOrEmpty(r.Text):
                    reasoning.Add(r.Text);
                    break;
                case FunctionCallContent f:
                    calls.Add(new CapturedToolCall
                    {
                        Id = string.IsNullOrEmpty(f.CallId) ? "call_" + Guid.NewGuid().ToString("N")[..12] : f.CallId,
                        Name = f.Name,
                        Arguments = JsonSerializer.SerializeToElement(f.Arguments ?? new Dictionary<string, object?>(),
                            AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))),
                    });
                    break;
                case FunctionResultContent r:
                    results.Add(new CapturedMessage
                    {
                        Role = "tool",
                        ToolCallId = r.CallId,
                        Name = _callNames.GetValueOrDefault(r.CallId),
                        Content = ResultText(r),
                        IsError = r.Exception is not null ? true : null,
                    });
                    break;
                case DataContent d:
                    text.Add($"[{d.MediaType}]");
                    break;
                case UriContent u:
                    text.Add($"[{u.MediaType}]");
                    break;
            }
        }

        var converted = new List<CapturedMessage>();
        if (role != "tool" && (text.Count > 0 || reasoning.Count > 0 || calls.Count > 0))
        {
            converted.Add(new CapturedMessage
            {
                Role = role,
                Content = text.Count > 0 ? string.Join("\n", text) : null,
                Reasoning = reasoning.Count > 0 ? string.Join("\n", reasoning) : null,
                ToolCalls = role == "assistant" && calls.Count > 0 ? calls : null,
                Name = role == "assistant" ? null : message.AuthorName,
            });
        }

        converted.AddRange(results);
        return converted;
    }

    private static string ResultText(FunctionResultContent r)
    {
        if (r.Exception is { } e)
        {
            return "error: " + e.Message;
        }

        return r.Result switch
        {
            null => "",
            string s => s,
            JsonElement j => j.ValueKind == JsonValueKind.String ? j.GetString() ?? "" : j.GetRawText(),
            var other => JsonSerializer.Serialize(other, AIJsonUtilities.DefaultOptions.GetTypeInfo(other.GetType())),
        };
    }
}
