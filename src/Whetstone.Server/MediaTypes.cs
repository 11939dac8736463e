namespace Whetstone.Server;

internal static class MediaTypes
{
    public const string Json = "application/json";

    /// <summary>Besides JSON, what <c>POST /v1/trajectories</c> takes (routing answers 415 to anything else).</summary>
    public static readonly string[] RunBodies =
        ["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "text/plain"];

    public static bool IsNdjson(string? contentType) =>
        contentType is not null && (contentType.Contains("ndjson", StringComparison.OrdinalIgnoreCase) ||
            contentType.Contains("jsonl", StringComparison.OrdinalIgnoreCase) ||
            contentType.Contains("json-seq", StringComparison.OrdinalIgnoreCase) ||
            contentType.Contains("jsonlines", StringComparison.OrdinalIgnoreCase));

    public static bool IsJsonOrMissing(string? contentType) =>
        string.IsNullOrWhiteSpace(contentType) || contentType.Contains("json", StringComparison.OrdinalIgnoreCase) ||
        contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);

    public static bool IsProtobuf(string? contentType) =>
        contentType is not null && contentType.Contains("protobuf", StringComparison.OrdinalIgnoreCase);
}
