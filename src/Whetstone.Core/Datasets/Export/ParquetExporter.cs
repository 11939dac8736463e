using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;
using Whetstone.Trajectories;

namespace Whetstone.Datasets.Export;

/// <summary>Parquet files (Parquet.Net) that HF <c>datasets</c> loads: a <c>messages</c> list of structs, tool-call
/// <c>arguments</c> and the <c>tools</c> column as JSON strings (Arrow-safe: no per-row schema drift), and
/// <c>weight</c> on assistant messages. Rows are written in row groups of <see cref="RowGroup"/>, so memory stays
/// flat for any snapshot size.</summary>
internal sealed class ParquetExporter : IExporter
{
    public const int RowGroup = 4096;

    public object Prepare(TrainingExample example, ExportOptions options) => ParquetRow.From(example);

    public IExportWriter Open(string path, ExportOptions options) => new Writer(path);

    private sealed class Writer(string path) : IExportWriter
    {
        private readonly FileStream _stream = new(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        private readonly List<ParquetRow> _rows = new(RowGroup);
        private bool _written;

        public async ValueTask WriteAsync(object prepared, CancellationToken cancellationToken)
        {
            _rows.Add((ParquetRow)prepared);
            if (_rows.Count >= RowGroup)
            {
                await FlushAsync(cancellationToken);
            }
        }

        private async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_rows.Count == 0 && _written)
            {
                return;
            }

            _stream.Seek(0, SeekOrigin.Begin);
            await ParquetSerializer.SerializeAsync(_rows, _stream, new ParquetOptions { Append = _written }, cancellationToken: cancellationToken);
            _written = true;
            _rows.Clear();
        }

        public async ValueTask DisposeAsync()
        {
            await FlushAsync(CancellationToken.None);
            _stream.Flush(flushToDisk: true);
            await _stream.DisposeAsync();
        }
    }
}

internal sealed class ParquetRow
{
    [JsonPropertyName("messages")]
    public List<ParquetMessage> Messages { get; set; } = [];

    [JsonPropertyName("tools")]
    public string Tools { get; set; } = "[]";

    [JsonPropertyName("parallel_tool_calls")]
    public bool ParallelToolCalls { get; set; }

    [JsonPropertyName("trajectory_id")]
    public string TrajectoryId { get; set; } = "";

    public static ParquetRow From(TrainingExample e)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            ExportJson.WriteTools(w, e.Tools);
            w.WriteEndObject();
        }

        using var doc = System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory);
        return new ParquetRow
        {
            TrajectoryId = e.TrajectoryId,
            Tools = doc.RootElement.GetProperty("tools").GetRawText(),
            ParallelToolCalls = e.HasParallelCalls,
            Messages = e.Messages.Select(m => new ParquetMessage
            {
                Role = ExportJson.RoleName(m.Role),
                Content = m.Content ?? "",
                ToolCallId = m.ToolCallId,
                Weight = m.Role == Role.Assistant ? (m.Weight > 0 ? 1 : 0) : null,
                ToolCalls = m.HasCalls
                    ? m.Calls.Select(c => new ParquetToolCall { Id = c.Id, Function = new ParquetFunction { Name = c.Name, Arguments = c.ArgumentsText() } }).ToList()
                    : null,
            }).ToList(),
        };
    }
}

internal sealed class ParquetMessage
{
    [JsonPropertyName("role")]
    public string Role { get; set; } = "";

    [JsonPropertyName("content")]
    public string? Content { get; set; }

    [JsonPropertyName("tool_calls")]
    public List<ParquetToolCall>? ToolCalls { get; set; }

    [JsonPropertyName("tool_call_id")]
    public string? ToolCallId { get; set; }

    [JsonPropertyName("weight")]
    public int? Weight { get; set; }
}

internal sealed class ParquetToolCall
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("type")]
    public string Type { get; set; } = "function";

    [JsonPropertyName("function")]
    public ParquetFunction Function { get; set; } = new();
}

internal sealed class ParquetFunction
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("arguments")]
    public string Arguments { get; set; } = "{}";
}
