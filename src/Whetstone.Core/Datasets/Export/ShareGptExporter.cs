using System.Text.Json;
using Whetstone.Trajectories;

namespace Whetstone.Datasets.Export;

/// <summary>LLaMA-Factory's ShareGPT format: <c>conversations</c> of <c>human</c> / <c>gpt</c> /
/// <c>function_call</c> / <c>observation</c> turns in the positions it requires (human and observation at odd
/// positions, gpt and function_call at even ones), <c>system</c>, <c>tools</c> as a JSON string, and
/// <c>dataset_info.json</c> naming one dataset per split.</summary>
internal sealed class ShareGptExporter : JsonLinesExporter, IExportConfig
{
    public IReadOnlyList<string> WriteConfig(string folder, IReadOnlyDictionary<Split, long> examples, ExportOptions options)
    {
        var path = Path.Combine(folder, "dataset_info.json");
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            foreach (var split in examples.Keys.Order())
            {
                w.WriteStartObject(DatasetName(split));
                w.WriteString("file_name", ExportFormats.FileName(split, ExportFormats.ShareGpt));
                w.WriteString("formatting", "sharegpt");
                w.WriteStartObject("columns");
                w.WriteString("messages", "conversations");
                w.WriteString("system", "system");
                w.WriteString("tools", "tools");
                w.WriteEndObject();
                w.WriteStartObject("tags");
                w.WriteString("role_tag", "from");
                w.WriteString("content_tag", "value");
                w.WriteString("user_tag", "human");
                w.WriteString("assistant_tag", "gpt");
                w.WriteString("observation_tag", "observation");
                w.WriteString("function_tag", "function_call");
                w.WriteString("system_tag", "system");
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        });
        return [path];
    }

    public static string DatasetName(Split split) => "whetstone_" + SplitNames.Name(split);

    internal readonly record struct Turn(string From, string Value);

    /// <summary>The conversation turns, or null when the run cannot be put in LLaMA-Factory's alternation.</summary>
    internal static (List<Turn>? Turns, string? System, string? Problem) Build(TrainingExample e)
    {
        var turns = new List<Turn>();
        var systems = new List<string>();
        foreach (var m in Linearizer.Linearize(e, splitParallel: true))
        {
            switch (m.Role)
            {
                case Role.System:
                    if (turns.Count > 0)
                    {
                        return (null, null, "a system message after the conversation started");
                    }

                    systems.Add(m.Content ?? "");
                    break;
                case Role.User:
                    if (!Add(turns, "human", m.Content ?? ""))
                    {
                        return (null, null, "a user message directly after a tool result");
                    }

                    break;
                case Role.Tool:
                    if (!Add(turns, "observation", m.Content ?? ""))
                    {
                        return (null, null, "a tool result in an assistant position");
                    }

                    break;
                default:
                    if (m.HasCalls)
                    {
                        var call = m.Calls[0];
                        var value = "{\"name\":" + JsonSerializer.Serialize(call.Name, WhetstoneJson.Compact.String) +
                            ",\"arguments\":" + call.ArgumentsText() + "}";
                        if (!Add(turns, "function_call", value))
                        {
                            return (null, null, "a tool call directly after an assistant turn");
                        }
                    }
                    else if (!Add(turns, "gpt", m.Content ?? ""))
                    {
                        return (null, null, "an assistant answer directly after a tool call");
                    }

                    break;
            }
        }

        if (turns.Count == 0 || turns[0].From != "human" || turns[^1].From != "gpt")
        {
            return (null, null, "the conversation must start with the user and end with an assistant answer");
        }

        return (turns, systems.Count == 0 ? null : string.Join("\n\n", systems), null);
    }

    /// <summary>Appends a turn; consecutive human (or gpt) turns are merged, other repeats break the alternation.</summary>
    private static bool Add(List<Turn> turns, string from, string value)
    {
        var odd = from is "human" or "observation";
        var expectOdd = turns.Count % 2 == 0;
        if (odd == expectOdd)
        {
            turns.Add(new Turn(from, value));
            return true;
        }

        var last = turns[^1];
        if (last.From == from && from is "human" or "gpt")
        {
            turns[^1] = new Turn(from, last.Value + "\n\n" + value);
            return true;
        }

        return false;
    }

    protected override void WriteExample(Utf8JsonWriter w, TrainingExample e, ExportOptions options)
    {
        var (turns, system, problem) = Build(e);
        if (turns is null)
        {
            throw new ExampleRejectedException(problem!);
        }

        w.WriteStartObject();
        w.WriteStartArray("conversations");
        foreach (var t in turns)
        {
            w.WriteStartObject();
            w.WriteString("from", t.From);
            w.WriteString("value", t.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (system is not null)
        {
            w.WriteString("system", system);
        }

        using var toolsBuffer = new MemoryStream();
        using (var tw = new Utf8JsonWriter(toolsBuffer))
        {
            tw.WriteStartArray();
            foreach (var t in e.Tools)
            {
                tw.WriteStartObject();
                tw.WriteString("name", t.Name);
                tw.WriteString("description", t.Description ?? "");
                tw.WritePropertyName("parameters");
                (t.Parameters ?? TrainingExample.EmptySchema).WriteTo(tw);
                tw.WriteEndObject();
            }

            tw.WriteEndArray();
        }

        w.WriteString("tools", System.Text.Encoding.UTF8.GetString(toolsBuffer.ToArray()));
        w.WriteEndObject();
    }
}

/// <summary>A format cannot represent this example; the exporter skips it and reports why.</summary>
internal sealed class ExampleRejectedException(string reason) : Exception(reason);
