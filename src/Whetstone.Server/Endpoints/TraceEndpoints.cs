using Whetstone.Configuration;
using Whetstone.Server.Auth;
using Whetstone.Server.Otlp;

namespace Whetstone.Server.Endpoints;

/// <summary><c>POST /v1/traces</c>: the OTLP/HTTP trace receiver (protobuf or JSON), the zero-code capture path
/// for agents instrumented with the OpenTelemetry GenAI semantic conventions.</summary>
internal static class TraceEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/traces", ExportAsync)
            .RequireScope(AuthOptions.CaptureScope)
            .WithTags("capture")
            .WithSummary("OTLP/HTTP traces (application/x-protobuf or application/json); GenAI spans become runs when the run's root span ends.")
            .Accepts<byte[]>("application/x-protobuf", "application/json")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<IResult> ExportAsync(HttpContext context, TraceIngestor traces, WhetstoneOptions options)
    {
        var contentType = context.Request.ContentType;
        var protobuf = MediaTypes.IsProtobuf(contentType);
        if (!protobuf && !(contentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "unsupported media type",
                $"'{contentType}' is not OTLP/HTTP: send application/x-protobuf or application/json", "unsupported_media_type");
        }

        Otlp.Proto.ExportTraceServiceRequest request;
        using (var body = await RequestBody.ReadAsync(context.Request, options.Server.MaxRequestBytes, context.RequestAborted))
        {
            request = OtlpDecoder.Decode(body.Memory, protobuf);
        }

        var response = await traces.IngestAsync(request);
        return OtlpResponses.Success(response, protobuf);
    }
}
