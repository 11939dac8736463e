using System.Buffers;
using System.IO.Hashing;
using System.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using Whetstone.Trajectories;
using JsonMarshal = System.Runtime.InteropServices.JsonMarshal;

namespace Whetstone.Quality;

/// <summary>What the rules need to know about one run, computed once per scoring: the assistant turns, every tool
/// call with its result and how it fared, and how the run ended. Rules read it; they never walk the messages
/// again.</summary>
public sealed class RunAnalysis
{
    private const int ResultHead = 400;

    internal RunAnalysis(Trajectory trajectory)
    {
        Trajectory = trajectory;
        var messages = trajectory.Messages;
        var turns = new List<int>(messages.Count / 2 + 1);
        var calls = new List<CallInfo>();
        var followUps = new List<string>();
        var lastToolResult = -1;
        var lastCallMessage = -1;
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            switch (m.Role)
            {
                case Role.Assistant:
                    var turn = turns.Count;
                    turns.Add(i);
                    if (m.ToolCalls is { Count: > 0 } toolCalls)
                    {
                        lastCallMessage = i;
                        foreach (var c in toolCalls)
                        {
                            calls.Add(new CallInfo(calls.Count, turn, c, FindTool(trajectory.Tools, c.Name)));
                        }
                    }

                    break;
                case Role.Tool:
                    lastToolResult = i;
                    if (m.ToolCallId is { } id && FindCall(calls, id) is { } answered)
                    {
                        answered.SetResult(m);
                    }
                    else if (m.ToolCallId is null && calls.Count > 0 && calls[^1].Result is null)
                    {
                        calls[^1].SetResult(m);
                    }

                    break;
                case Role.User:
                    if (turns.Count > 0 && !string.IsNullOrWhiteSpace(m.Content))
                    {
                        followUps.Add(m.Content);
                    }

                    break;
            }
        }

        AssistantMessages = turns;
        Calls = calls;
        FollowUps = followUps;
        OutcomeKnown = IsOutcomeKnown(trajectory.Outcome);

        // The delivery: assistant messages without calls after the last tool call and its results.
        var deliveryStart = Math.Max(lastCallMessage, lastToolResult) + 1;
        var delivery = new List<int>();
        for (var t = 0; t < turns.Count; t++)
        {
            var m = messages[turns[t]];
            if (turns[t] >= deliveryStart && !m.HasToolCalls)
            {
                delivery.Add(t);
            }
        }

        DeliveryTurns = delivery;
        var last = turns.Count > 0 ? messages[turns[^1]] : null;
        EndsWithAnswer = last is not null && !last.HasToolCalls && turns[^1] >= deliveryStart;
        FinalAnswerTurn = EndsWithAnswer ? turns.Count - 1 : -1;
        FinalAnswer = EndsWithAnswer ? last!.Content ?? "" : null;
        IsUserFacing = UserFacing(trajectory, messages);
    }

    public Trajectory Trajectory { get; }

    /// <summary>Whether the run reports how it ended (a reward, a status or whether its goals were met); runs that
    /// do not are judged by inference, answer consensus among them.</summary>
    public static bool IsOutcomeKnown(Outcome outcome) =>
        outcome.Reward is not null || outcome.Status != OutcomeStatus.Unknown || outcome.GoalsMet is not null;

    /// <summary>Message index of each assistant turn (turn n = the n-th assistant message).</summary>
    public IReadOnlyList<int> AssistantMessages { get; }

    public int TurnCount => AssistantMessages.Count;

    /// <summary>Every tool call in order, with its result.</summary>
    public IReadOnlyList<CallInfo> Calls { get; }

    /// <summary>Assistant turns after the last tool call and result: what reached the user at the end.</summary>
    public IReadOnlyList<int> DeliveryTurns { get; }

    /// <summary>The run's last assistant message is text without tool calls, after every tool result.</summary>
    public bool EndsWithAnswer { get; }

    /// <summary>Text of the final answer ("" when the last message is empty); null when the run did not end with one.</summary>
    public string? FinalAnswer { get; }

    public int FinalAnswerTurn { get; }

    /// <summary>User messages after the first assistant turn (follow-ups, complaints, thanks).</summary>
    public IReadOnlyList<string> FollowUps { get; }

    /// <summary>The agent reported how the run ended (reward, status or goals met).</summary>
    public bool OutcomeKnown { get; }

    /// <summary>The run answers a person: metadata <c>is_user_facing_action</c> when given, else it has a user turn.</summary>
    public bool IsUserFacing { get; }

    public Message AssistantMessage(int turn) => Trajectory.Messages[AssistantMessages[turn]];

    /// <summary>The latest call with this id that has no result yet (ids may repeat across turns).</summary>
    private static CallInfo? FindCall(List<CallInfo> calls, string id)
    {
        for (var i = calls.Count - 1; i >= 0; i--)
        {
            if (calls[i].Result is null && calls[i].Call.Id == id)
            {
                return calls[i];
            }
        }

        return null;
    }

    private static ToolSpec? FindTool(IReadOnlyList<ToolSpec> tools, string name)
    {
        foreach (var t in tools)
        {
            if (string.Equals(t.Name, name, StringComparison.Ordinal))
            {
                return t;
            }
        }

        return null;
    }

    private static bool UserFacing(Trajectory t, IReadOnlyList<Message> messages)
    {
        if (t.Metadata is { } meta && meta.TryGetValue("is_user_facing_action", out var flag) &&
            flag.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return flag.ValueKind == JsonValueKind.True;
        }

        foreach (var m in messages)
        {
            if (m.Role == Role.User)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One tool call and how it fared.</summary>
    public sealed class CallInfo
    {
        private string[]? _tokens;

        internal CallInfo(int index, int turn, ToolCall call, ToolSpec? tool)
        {
            Index = index;
            Turn = turn;
            Call = call;
            Tool = tool;
            ArgumentsHash = HashArguments(call);
            if (call.Arguments is { } args && tool?.Parameters is { ValueKind: JsonValueKind.Object } schema)
            {
                SchemaProblem = JsonSchemaCheck.Check(schema, args);
            }
        }

        /// <summary>Position among all calls of the run.</summary>
        public int Index { get; }

        /// <summary>The assistant turn that made the call.</summary>
        public int Turn { get; }

        public ToolCall Call { get; }

        public string Name => Call.Name;

        /// <summary>The tool's definition; null when the run's tool list does not name it.</summary>
        public ToolSpec? Tool { get; }

        public Message? Result { get; private set; }

        /// <summary>Tool name + arguments with insignificant whitespace removed, hashed (identical calls share it).</summary>
        public ulong ArgumentsHash { get; }

        public string? SchemaProblem { get; }

        /// <summary>The result says the call failed (the source's error flag, else the wording of its head).</summary>
        public bool ResultIsError { get; private set; }

        /// <summary>The result found nothing (empty, none, no results, a zero total).</summary>
        public bool ResultIsEmpty { get; private set; }

        /// <summary>The tool is not in the run's tool list, or its result says no such tool exists.</summary>
        public bool UnknownTool => Tool is null || ResultSaysUnknownTool;

        /// <summary>The result says the called tool does not exist.</summary>
        public bool ResultSaysUnknownTool { get; private set; }

        /// <summary>The call could not have worked: unknown tool, arguments not JSON or breaking the schema.</summary>
        public bool IsInvalid => UnknownTool || !Call.HasValidArguments || SchemaProblem is not null;

        public bool Failed => IsInvalid || ResultIsError;

        /// <summary>Distinct lower-case word tokens of the argument values, not the names (for near-identical
        /// retries).</summary>
        public string[] ArgumentTokens => _tokens ??= ValueTokens(Call);

        /// <summary>The argument tokens that hold a digit (ids, dates, amounts): what the call is about.</summary>
        public IEnumerable<string> ArgumentIdentifiers => ArgumentTokens.Where(t => t.AsSpan().IndexOfAnyInRange('0', '9') >= 0);

        internal void SetResult(Message m)
        {
            Result = m;
            var content = m.Content ?? "";
            if (m.IsError is { } flagged)
            {
                ResultIsError = flagged;
            }
            else
            {
                ResultIsError = TextCues.IsToolError(TextCues.HeadSpan(content, ResultHead));
            }

            ResultSaysUnknownTool = ResultIsError && TextCues.UnknownToolResult().IsMatch(TextCues.HeadSpan(content, ResultHead));
            ResultIsEmpty = !ResultIsError && TextCues.IsEmptyResult(TextCues.HeadSpan(content, ResultHead));
        }

        private static ulong HashArguments(ToolCall call)
        {
            // Tool name, a separator, then the raw UTF-8 arguments without insignificant whitespace; one-shot hash.
            var name = call.Name;
            var raw = call.Arguments is { } args ? JsonMarshal.GetRawUtf8Value(args) : Encoding.UTF8.GetBytes(call.RawArguments ?? "");
            var size = Encoding.UTF8.GetMaxByteCount(name.Length) + 1 + raw.Length;
            byte[]? rented = null;
            var buffer = size <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(size));
            var n = Encoding.UTF8.GetBytes(name, buffer);
            buffer[n++] = 0;
            n += call.Arguments is null ? Copy(raw, buffer[n..]) : Compact(raw, buffer[n..]);
            var hash = XxHash64.HashToUInt64(buffer[..n], 0x5157_4153_4853_4831);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            return hash;
        }

        private static int Copy(ReadOnlySpan<byte> from, Span<byte> to)
        {
            from.CopyTo(to);
            return from.Length;
        }

        private static int Compact(ReadOnlySpan<byte> json, Span<byte> to)
        {
            var n = 0;
            var inString = false;
            var escaped = false;
            foreach (var b in json)
            {
                if (inString)
                {
                    to[n++] = b;
                    if (escaped)
                    {
                        escaped = false;
                    }
                    else if (b == (byte)'\\')
                    {
                        escaped = true;
                    }
                    else if (b == (byte)'"')
                    {
                        inString = false;
                    }
                }
                else if (b is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
                {
                    to[n++] = b;
                    inString = b == (byte)'"';
                }
            }

            return n;
        }

        private static string[] ValueTokens(ToolCall call)
        {
            var tokens = new HashSet<string>(StringComparer.Ordinal);
            if (call.Arguments is { } args)
            {
                AddValues(args, tokens, 0);
            }
            else
            {
                Tokenize(call.RawArguments ?? "", tokens);
            }

            return [.. tokens];
        }

        private static void AddValues(JsonElement e, HashSet<string> tokens, int depth)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object when depth < 8:
                    foreach (var p in e.EnumerateObject())
                    {
                        AddValues(p.Value, tokens, depth + 1);
                    }

                    break;
                case JsonValueKind.Array when depth < 8:
                    foreach (var item in e.EnumerateArray())
                    {
                        AddValues(item, tokens, depth + 1);
                    }

                    break;
                case JsonValueKind.String:
                    Tokenize(e.GetString()!, tokens);
                    break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    Tokenize(e.GetRawText(), tokens);
                    break;
            }
        }

        private static void Tokenize(string text, HashSet<string> tokens)
        {
            var start = -1;
            for (var i = 0; i <= text.Length; i++)
            {
                var isWord = i < text.Length && char.IsLetterOrDigit(text[i]);
                if (isWord && start < 0)
                {
                    start = i;
                }
                else if (!isWord && start >= 0)
                {
                    tokens.Add(text[start..i].ToLowerInvariant());
                    start = -1;
                }
            }
        }
    }
}
