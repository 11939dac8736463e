namespace Whetstone;

/// <summary>Stable error codes. Hosts map them to CLI exit codes and HTTP ProblemDetails in one place each.</summary>
public enum ErrorCode
{
    /// <summary>Input that cannot be used as given (a malformed file, a wrong option value).</summary>
    BadInput,

    /// <summary>A named thing (trajectory, snapshot, candidate, …) does not exist.</summary>
    NotFound,

    /// <summary>Configuration is invalid; nothing was done.</summary>
    InvalidConfiguration,

    /// <summary>The operation was understood and refused by policy (gate not passed, not an admin, …).</summary>
    Refused,

    /// <summary>The operation conflicts with the current state (a concurrent change, an immutable record).</summary>
    Conflict,

    /// <summary>Caller is not authenticated.</summary>
    Unauthorized,

    /// <summary>Caller is authenticated but lacks the needed scope.</summary>
    Forbidden,

    /// <summary>An external process, model or service failed.</summary>
    ExternalFailure,

    /// <summary>The store is corrupt or unusable.</summary>
    StoreFailure,
}

/// <summary>The one exception type Whetstone throws for expected failures. <see cref="Reason"/> is a stable
/// snake_case code when the failure has one (e.g. <c>evaluation_stale</c>).</summary>
public sealed class WhetstoneException : Exception
{
    public WhetstoneException(ErrorCode code, string message, string? reason = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Reason = reason;
    }

    public ErrorCode Code { get; }

    public string? Reason { get; }
}
