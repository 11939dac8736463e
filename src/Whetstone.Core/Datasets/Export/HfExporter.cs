using System.Text.Json;
using Whetstone.Trajectories;

namespace Whetstone.Datasets.Export;

/// <summary>TRL's conversational format: <c>messages</c> + <c>tools</c> columns, tool-call arguments as objects.
/// The default target renders under both Qwen3 and Llama 3.1: <c>content</c> is <c>""</c> (never null) on call-only
/// turns, no <c>tool_calls</c> key without calls, and parallel calls are split into one call per assistant message,
/// each followed by its result. With <c>trainFlags</c> (the axolotl format) every assistant message carries
/// <c>train</c> from the turn weights.</summary>
internal sealed class HfExporter(bool trainFlags) : JsonLinesExporter, IExportConfig
{
    public IReadOnlyList<string> WriteConfig(string folder, IReadOnlyDictionary<Split, long> examples, ExportOptions options)
    {
        if (!trainFlags)
        {
            return [];
        }

        var path = Path.Combine(folder, "axolotl.yaml");
        var validation = examples.GetValueOrDefault(Split.Validation) > 0 ? "validation.jsonl" : null;
        AtomicFile.WriteAllText(path, AxolotlConfig.Render(options.BaseModel, "train.jsonl", validation, "out",
            Training.TrainerDefaults.For("axolotl", "lora")));
        return [path];
    }

    protected override void WriteExample(Utf8JsonWriter w, TrainingExample e, ExportOptions options)
    {
        var target = options.Target;
        var split = target is not (ExportFormats.Qwen3 or ExportFormats.DeepSeek);
        var deepseek = target == ExportFormats.DeepSeek;
        w.WriteStartObject();
        w.WriteStartArray("messages");
        foreach (var m in Linearizer.Linearize(e, split))
        {
            w.WriteStartObject();
            w.WriteString("role", ExportJson.RoleName(m.Role));
            if (m.Role == Role.Assistant && m.HasCalls)
            {
                if (deepseek)
                {
                    // DeepSeek templates render calls only when content is null.
                    w.WriteNull("content");
                }
                else
                {
                    w.WriteString("content", m.Content ?? "");
                }

                w.WriteStartArray("tool_calls");
                foreach (var c in m.Calls)
                {
                    ExportJson.WriteToolCall(w, c, argumentsAsString: deepseek);
                }

                w.WriteEndArray();
            }
            else
            {
                w.WriteString("content", m.Content ?? "");
            }

            if (m.Role == Role.Tool)
            {
                w.WriteString("tool_call_id", m.ToolCallId);
            }

            if (m.Role == Role.Assistant && target == ExportFormats.Qwen3 && !string.IsNullOrEmpty(m.Reasoning))
            {
                w.WriteString("reasoning_content", m.Reasoning);
            }

            if (trainFlags && m.Role == Role.Assistant)
            {
                w.WriteBoolean("train", m.Weight > 0);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        ExportJson.WriteTools(w, e.Tools);
        w.WriteEndObject();
    }
}

/// <summary>Orders a conversation for templates that take one call per assistant message.</summary>
internal static class Linearizer
{
    /// <summary>With <paramref name="splitParallel"/>, an assistant message with several calls becomes one
    /// assistant message per call, each followed by its own result (its text stays on the first).</summary>
    public static IEnumerable<ExampleMessage> Linearize(TrainingExample e, bool splitParallel)
    {
        var messages = e.Messages;
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (!splitParallel || m.Role != Role.Assistant || m.Calls.Count <= 1)
            {
                yield return m;
                continue;
            }

            // The results of these calls follow before the next assistant turn; other messages in between keep
            // their order after the call/result pairs.
            var end = i + 1;
            while (end < messages.Count && messages[end].Role != Role.Assistant)
            {
                end++;
            }

            var following = messages.Skip(i + 1).Take(end - i - 1).ToList();
            for (var k = 0; k < m.Calls.Count; k++)
            {
                var call = m.Calls[k];
                yield return m with { Calls = [call], Content = k == 0 ? m.Content : "", Reasoning = k == 0 ? m.Reasoning : null };
                var result = following.FirstOrDefault(x => x.Role == Role.Tool && x.ToolCallId == call.Id);
                if (result is not null)
                {
                    following.Remove(result);
                    yield return result;
                }
            }

            foreach (var rest in following)
            {
                yield return rest;
            }

            i = end - 1;
        }
    }
}

/// <summary>The axolotl config: written beside the <c>axolotl</c> export (relative paths, default
/// hyperparameters) and by <c>job prepare</c> for the axolotl trainer (absolute paths, the job's values).</summary>
internal static class AxolotlConfig
{
    public static string Render(string? baseModel, string trainPath, string? validationPath, string outputDir,
        IReadOnlyDictionary<string, JsonElement> hyperparameters)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("# Written by Whetstone. Per-message \"train\" flags carry the quality stage's turn weights:");
        sb.AppendLine("# detours and failed calls stay as context but are not learned.");
        sb.AppendLine("base_model: " + YamlScalar(baseModel ?? "REPLACE_WITH_BASE_MODEL"));
        sb.AppendLine("chat_template: tokenizer_default");
        sb.AppendLine("datasets:");
        Dataset(sb, trainPath);
        if (validationPath is not null)
        {
            sb.AppendLine("test_datasets:");
            Dataset(sb, validationPath);
        }
        else
        {
            sb.AppendLine("val_set_size: 0.0");
        }

        sb.AppendLine("dataset_prepared_path: " + YamlScalar(Path.Combine(outputDir, "prepared")));
        sb.AppendLine("output_dir: " + YamlScalar(outputDir));
        foreach (var (key, value) in hyperparameters)
        {
            sb.AppendLine(key + ": " + (value.ValueKind == JsonValueKind.String ? YamlScalar(value.GetString()!) : value.GetRawText()));
        }

        return sb.ToString();
    }

    private static void Dataset(System.Text.StringBuilder sb, string path)
    {
        sb.AppendLine("  - path: " + YamlScalar(path));
        sb.AppendLine("    ds_type: json");
        sb.AppendLine("    split: train");
        sb.AppendLine("    type: chat_template");
        sb.AppendLine("    field_messages: messages");
        sb.AppendLine("    field_tools: tools");
        sb.AppendLine("    message_property_mappings:");
        sb.AppendLine("      role: role");
        sb.AppendLine("      content: content");
        sb.AppendLine("    roles_to_train: [\"assistant\"]");
        sb.AppendLine("    message_field_training: train");
    }

    /// <summary>A YAML double-quoted scalar (JSON string syntax is valid YAML).</summary>
    public static string YamlScalar(string value) => JsonSerializer.Serialize(value, WhetstoneJson.Compact.String);
}
