namespace SenderAuth.Cli;

/// <summary>
/// Exit codes shared by every command; each command's --help lists the ones it uses, the README all of them.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Success: the check passed, or nothing is an error.</summary>
    public const int Ok = 0;

    /// <summary>The answer is negative: not authorised, or an error was found.</summary>
    public const int Negative = 1;

    /// <summary>Bad usage or unreadable input (missing option, malformed argument or file).</summary>
    public const int Usage = 2;

    /// <summary>
    /// Something the command needs did not answer: DNS (timeout, SERVFAIL: SPF or DKIM temperror), the server
    /// (<c>status</c>) or the database (<c>report --db</c>, <c>report summary</c>). Temporary: try again later.
    /// </summary>
    public const int Unavailable = 3;

    /// <summary>The published policy itself is broken (SPF permerror).</summary>
    public const int PolicyError = 4;

    /// <summary>An internal error: a bug; the message says what failed.</summary>
    public const int Internal = 70;

    public const string Help = "Exit codes: 0 pass / no error, 1 not authorised / errors found, 2 bad usage, 3 DNS, the server or the database did not answer (try again), 4 the policy is broken (permerror), 70 internal error.";
}

/// <summary>Thrown for bad usage; printed as one line, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
