using System.Text.Json;
using Whetstone.Storage;
using Whetstone.Trajectories;

namespace Whetstone.Evaluation;

/// <summary>One step-replay item: the messages of a run before one of its assistant turns, the run's tools, and
/// that turn as the reference action.</summary>
public sealed record EvalCase
{
    /// <summary>Stable id: <c>{trajectory_id}#{turn_index}</c>.</summary>
    public required string CaseId { get; init; }

    public required string TrajectoryId { get; init; }

    public string? TaskKey { get; init; }

    /// <summary>0-based index of the reference among the run's assistant messages.</summary>
    public required int TurnIndex { get; init; }

    /// <summary>The run's messages before the reference turn.</summary>
    public required IReadOnlyList<Message> Prefix { get; init; }

    public required IReadOnlyList<ToolSpec> Tools { get; init; }

    /// <summary>The assistant message the run actually produced at this point.</summary>
    public required Message Reference { get; init; }

    public bool ReferenceIsToolCall => Reference.HasToolCalls;

    public ModelRequest ToRequest() => new(CaseId, Prefix, Tools);

    public static string MakeId(string trajectoryId, int turnIndex) => $"{trajectoryId}#{turnIndex}";
}

/// <summary>Builds step-replay cases from evaluation-split runs. The caller passes the eval split only; this class
/// never decides what is held out.</summary>
public static class EvalCases
{
    /// <summary>One case per assistant turn of each given run, in run order then turn order. Turns with nothing to
    /// compare (no content and no tool call) are skipped; so are runs without a user or system message before the
    /// first assistant turn.</summary>
    public static IReadOnlyList<EvalCase> FromTrajectories(IEnumerable<Trajectory> trajectories)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        var cases = new List<EvalCase>();
        foreach (var t in trajectories)
        {
            AddCases(cases, t, weights: null);
        }

        return cases;
    }

    /// <summary>Cases of the accepted runs only (human override applied); an assistant turn whose quality weight is
    /// 0 (a dead end or redundant step kept as context) is not used as a reference.</summary>
    public static IReadOnlyList<EvalCase> FromStored(IEnumerable<StoredTrajectory> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var cases = new List<EvalCase>();
        foreach (var s in runs)
        {
            if (s.IsAccepted)
            {
                AddCases(cases, s.Trajectory, s.Verdict.TurnWeights);
            }
        }

        return cases;
    }

    private static void AddCases(List<EvalCase> cases, Trajectory t, IReadOnlyList<int>? weights)
    {
        var turn = -1;
        var sawContext = false;
        for (var i = 0; i < t.Messages.Count; i++)
        {
            var m = t.Messages[i];
            if (m.Role != Role.Assistant)
            {
                sawContext |= m.Role is Role.User or Role.System;
                continue;
            }

            turn++;
            if (!sawContext)
            {
                continue;
            }

            if (weights is not null && turn < weights.Count && weights[turn] == 0)
            {
                continue;
            }

            if (!m.HasToolCalls && string.IsNullOrWhiteSpace(m.Content))
            {
                continue;
            }

            cases.Add(new EvalCase
            {
                CaseId = EvalCase.MakeId(t.Id, turn),
                TrajectoryId = t.Id,
                TaskKey = t.TaskKey,
                TurnIndex = turn,
                Prefix = t.Messages.Take(i).ToArray(),
                Tools = t.Tools,
                Reference = m,
            });
        }
    }

    /// <summary>Writes cases as a JSON array for batch jobs: <c>case_id</c>, <c>trajectory_id</c>, <c>task_key</c>,
    /// <c>turn_index</c>, <c>messages</c> and <c>tools</c> in OpenAI chat format (ready to send as a request), and the
    /// reference only when asked.</summary>
    public static void WriteJson(Utf8JsonWriter writer, IEnumerable<EvalCase> cases, bool includeReference = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(cases);
        writer.WriteStartArray();
        foreach (var c in cases)
        {
            writer.WriteStartObject();
            writer.WriteString("case_id", c.CaseId);
            writer.WriteString("trajectory_id", c.TrajectoryId);
            if (c.TaskKey is not null)
            {
                writer.WriteString("task_key", c.TaskKey);
            }

            writer.WriteNumber("turn_index", c.TurnIndex);
            writer.WritePropertyName("messages");
            OpenAiChatFormat.WriteMessages(writer, c.Prefix);
            writer.WritePropertyName("tools");
            OpenAiChatFormat.WriteTools(writer, c.Tools);
            if (includeReference)
            {
                writer.WritePropertyName("reference");
                OpenAiChatFormat.WriteMessage(writer, c.Reference);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>The cases as an indented JSON array (see <see cref="WriteJson"/>).</summary>
    public static string ToJson(IEnumerable<EvalCase> cases, bool includeReference = false, bool indented = true)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteJson(writer, cases, includeReference);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
