using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Whetstone.Server;

/// <summary>The one mapping from <see cref="ErrorCode"/> to HTTP status and RFC 9457 ProblemDetails bodies. Every
/// error body the service writes comes from here: <c>status</c>, <c>title</c>, <c>detail</c> and snake_case
/// extensions (<c>reason</c>, <c>item</c>, <c>path</c>, <c>errors</c>).</summary>
internal static class Problems
{
    public static int StatusFor(ErrorCode code) => code switch
    {
        ErrorCode.BadInput => StatusCodes.Status400BadRequest,
        ErrorCode.NotFound => StatusCodes.Status404NotFound,
        ErrorCode.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCode.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCode.Conflict => StatusCodes.Status409Conflict,
        ErrorCode.Refused => StatusCodes.Status422UnprocessableEntity,
        ErrorCode.ExternalFailure => StatusCodes.Status502BadGateway,
        ErrorCode.InvalidConfiguration or ErrorCode.StoreFailure => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string TitleFor(ErrorCode code) => code switch
    {
        ErrorCode.BadInput => "bad input",
        ErrorCode.NotFound => "not found",
        ErrorCode.Unauthorized => "unauthorized",
        ErrorCode.Forbidden => "forbidden",
        ErrorCode.Conflict => "conflict",
        ErrorCode.Refused => "refused",
        ErrorCode.ExternalFailure => "external failure",
        ErrorCode.InvalidConfiguration => "invalid configuration",
        _ => "store failure",
    };

    public static ProblemDetails Create(int status, string title, string? detail, string? reason,
        IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (reason is not null)
        {
            problem.Extensions["reason"] = reason;
        }

        foreach (var (k, v) in extensions ?? new Dictionary<string, object?>())
        {
            if (v is not null)
            {
                problem.Extensions[k] = v;
            }
        }

        return problem;
    }

    public static IResult Result(int status, string title, string? detail, string? reason,
        IReadOnlyDictionary<string, object?>? extensions = null) =>
        Results.Problem(Create(status, title, detail, reason, extensions));

    public static IResult From(WhetstoneException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var extensions = e.Data["path"] is string path ? new Dictionary<string, object?> { ["path"] = path } : null;
        return Result(StatusFor(e.Code), TitleFor(e.Code), e.Message, e.Reason ?? e.Code.ToSnakeCase(), extensions);
    }

    public static Task WriteAsync(HttpContext context, int status, string title, string? detail, string? reason,
        IReadOnlyDictionary<string, object?>? extensions = null) =>
        Result(status, title, detail, reason, extensions).ExecuteAsync(context);

    private static string ToSnakeCase(this ErrorCode code) =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(code.ToString());
}

/// <summary>Turns exceptions that reach the pipeline into ProblemDetails: <see cref="WhetstoneException"/> by its
/// code, an oversized or malformed request by Kestrel's status, anything else as 500 (logged by type and message:
/// never a request body).</summary>
internal sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        IResult result;
        switch (exception)
        {
            case WhetstoneException e:
                if (Problems.StatusFor(e.Code) >= 500)
                {
                    LogFailure(logger, e.Code.ToString(), e.Message);
                }

                result = Problems.From(e);
                break;
            case BadHttpRequestException e when e.StatusCode == StatusCodes.Status413PayloadTooLarge:
                result = Problems.Result(e.StatusCode, "request body too large", e.Message, "body_too_large");
                break;
            case BadHttpRequestException { InnerException: System.Text.Json.JsonException json } e:
                result = Problems.Result(e.StatusCode, "bad request", $"{e.Message} {json.Message}", "malformed_json",
                    new Dictionary<string, object?> { ["path"] = string.IsNullOrEmpty(json.Path) ? "$" : json.Path });
                break;
            case BadHttpRequestException e:
                result = Problems.Result(e.StatusCode, "bad request", e.Message, e.StatusCode == 415 ? "unsupported_media_type" : "bad_request");
                break;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                return true;
            default:
                LogUnexpected(logger, exception.GetType().Name, exception.Message);
                result = Problems.Result(StatusCodes.Status500InternalServerError, "internal error",
                    "the service failed; see its log", "internal_error");
                break;
        }

        await result.ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "request failed: {Code}: {Message}")]
    private static partial void LogFailure(ILogger logger, string code, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "unexpected {Type}: {Message}")]
    private static partial void LogUnexpected(ILogger logger, string type, string message);
}
