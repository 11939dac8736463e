using System.Text.Json;
using Whetstone.Trajectories;

namespace Whetstone.Datasets.Export;

/// <summary>Export format names and the chat-template targets of the <c>hf</c>/<c>axolotl</c> formats.</summary>
public static class ExportFormats
{
    public const string OpenAi = "openai";
    public const string Hf = "hf";
    public const string ShareGpt = "sharegpt";
    public const string Axolotl = "axolotl";
    public const string Parquet = "parquet";

    public static IReadOnlyList<string> All { get; } = [OpenAi, Hf, ShareGpt, Axolotl, Parquet];

    /// <summary>Default: one call per assistant message and <c>""</c> content on call-only turns, which renders
    /// under both the Qwen3 and the Llama 3.1 templates.</summary>
    public const string DefaultTarget = "default";
    public const string Qwen3 = "qwen3";
    public const string Llama31 = "llama3_1";
    public const string DeepSeek = "deepseek";

    public static IReadOnlyList<string> Targets { get; } = [DefaultTarget, Qwen3, Llama31, DeepSeek];

    public static string FileExtension(string format) => format == Parquet ? "parquet" : "jsonl";

    public static string FileName(Split split, string format) => SplitNames.Name(split) + "." + FileExtension(format);

    internal static IExporter Exporter(string format) => format switch
    {
        OpenAi => new OpenAiExporter(),
        Hf => new HfExporter(trainFlags: false),
        Axolotl => new HfExporter(trainFlags: true),
        ShareGpt => new ShareGptExporter(),
        Parquet => new ParquetExporter(),
        _ => throw new WhetstoneException(ErrorCode.BadInput, $"unknown export format '{format}' (expected {string.Join(", ", All)})"),
    };
}

/// <summary>Writes training examples of one format. <see cref="Prepare"/> turns an example into what the
/// writer appends (a JSON line, a Parquet row); it is thread-safe, so exports prepare examples in parallel and
/// write them in order. It throws <see cref="ExampleRejectedException"/> for an example the format cannot hold.</summary>
internal interface IExporter
{
    object Prepare(TrainingExample example, ExportOptions options);

    IExportWriter Open(string path, ExportOptions options);
}

/// <summary>Formats that need files beside the data (LLaMA-Factory's dataset_info.json, an axolotl config).</summary>
internal interface IExportConfig
{
    IReadOnlyList<string> WriteConfig(string folder, IReadOnlyDictionary<Split, long> examples, ExportOptions options);
}

internal interface IExportWriter : IAsyncDisposable
{
    ValueTask WriteAsync(object prepared, CancellationToken cancellationToken);
}

/// <summary>A JSON Lines format: each example becomes one line of UTF-8 JSON.</summary>
internal abstract class JsonLinesExporter : IExporter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public object Prepare(TrainingExample example, ExportOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            WriteExample(w, example, options);
        }

        return buffer.WrittenSpan.ToArray();
    }

    protected abstract void WriteExample(Utf8JsonWriter w, TrainingExample example, ExportOptions options);

    public IExportWriter Open(string path, ExportOptions options) => new LineWriter(path);

    private sealed class LineWriter(string path) : IExportWriter
    {
        private readonly FileStream _stream = new(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);

        public ValueTask WriteAsync(object prepared, CancellationToken cancellationToken)
        {
            _stream.Write((byte[])prepared);
            _stream.WriteByte((byte)'\n');
            return ValueTask.CompletedTask;
        }

        public async ValueTask DisposeAsync()
        {
            _stream.Flush(flushToDisk: true);
            await _stream.DisposeAsync();
        }
    }
}

/// <summary>JSON pieces shared by the line formats.</summary>
internal static class ExportJson
{
    public static void WriteTools(Utf8JsonWriter w, IReadOnlyList<ToolSpec> tools, string property = "tools")
    {
        w.WriteStartArray(property);
        foreach (var t in tools)
        {
            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", t.Name);
            if (t.Description is not null)
            {
                w.WriteString("description", t.Description);
            }

            w.WritePropertyName("parameters");
            (t.Parameters ?? TrainingExample.EmptySchema).WriteTo(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>One OpenAI-shaped tool call; arguments as a JSON string (OpenAI, DeepSeek) or as an object (HF).</summary>
    public static void WriteToolCall(Utf8JsonWriter w, ToolCall c, bool argumentsAsString)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", c.Name);
        if (argumentsAsString)
        {
            w.WriteString("arguments", c.ArgumentsText());
        }
        else
        {
            w.WritePropertyName("arguments");
            c.Arguments!.Value.WriteTo(w);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static string RoleName(Role role) => role switch
    {
        Role.System => "system",
        Role.User => "user",
        Role.Assistant => "assistant",
        _ => "tool",
    };
}

/// <summary>OpenAI fine-tuning JSONL: <c>{"messages", "tools", "parallel_tool_calls"}</c>; arguments as JSON
/// strings; <c>weight</c> 0/1 on assistant messages from the verdict's turn weights.</summary>
internal sealed class OpenAiExporter : JsonLinesExporter
{
    protected override void WriteExample(Utf8JsonWriter w, TrainingExample e, ExportOptions options)
    {
        w.WriteStartObject();
        w.WriteStartArray("messages");
        foreach (var m in e.Messages)
        {
            w.WriteStartObject();
            w.WriteString("role", ExportJson.RoleName(m.Role));
            switch (m.Role)
            {
                case Role.Assistant:
                    if (!string.IsNullOrEmpty(m.Content) || !m.HasCalls)
                    {
                        w.WriteString("content", m.Content ?? "");
                    }

                    if (m.HasCalls)
                    {
                        w.WriteStartArray("tool_calls");
                        foreach (var c in m.Calls)
                        {
                            ExportJson.WriteToolCall(w, c, argumentsAsString: true);
                        }

                        w.WriteEndArray();
                    }

                    w.WriteNumber("weight", m.Weight > 0 ? 1 : 0);
                    break;
                case Role.Tool:
                    w.WriteString("tool_call_id", m.ToolCallId);
                    w.WriteString("content", m.Content ?? "");
                    break;
                default:
                    w.WriteString("content", m.Content ?? "");
                    break;
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        ExportJson.WriteTools(w, e.Tools);
        w.WriteBoolean("parallel_tool_calls", e.HasParallelCalls);
        w.WriteEndObject();
    }
}
