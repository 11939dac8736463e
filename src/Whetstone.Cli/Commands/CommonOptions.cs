using System.CommandLine;

namespace Whetstone.Cli.Commands;

/// <summary>Options several commands share, and the admin check.</summary>
internal static class CommonOptions
{
    /// <summary><c>--as NAME</c>: who acts (recorded; admin-only commands check it against Whetstone:Admins).</summary>
    public static Option<string?> As(bool required = false) => new("--as")
    {
        Description = "Who is acting (recorded in the audit trail; admin-only commands check Whetstone:Admins)",
        Required = required,
    };

    /// <summary>Returns the admin's name, or refuses (exit 1, reason <c>not_admin</c>).</summary>
    public static string RequireAdmin(CliContext ctx, string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new WhetstoneException(ErrorCode.BadInput, "--as NAME is required for this command");
        }

        if (!ctx.Options.IsAdmin(name))
        {
            throw new WhetstoneException(ErrorCode.Refused,
                $"'{name}' is not an admin (Whetstone:Admins in {ctx.Home.ConfigFile})", "not_admin");
        }

        return name.Trim();
    }
}
