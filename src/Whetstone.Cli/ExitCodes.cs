namespace Whetstone.Cli;

/// <summary>The CLI's exit codes (stable; other tools rely on them) and the one mapping from error codes.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    public static int For(ErrorCode code) => code switch
    {
        ErrorCode.BadInput or ErrorCode.NotFound or ErrorCode.InvalidConfiguration => BadInput,
        _ => Failed,
    };
}
