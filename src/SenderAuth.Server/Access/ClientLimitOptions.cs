using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Access;

/// <summary>
/// Limits per client address and per sign-in account ("SenderAuth:ClientLimits"), ahead of authentication, so a
/// flood of bad keys is refused before it costs a database lookup and one client's failures lock out only itself.
/// The client address is the connection's, or the one a trusted proxy forwarded (<see cref="ProxyOptions"/>).
/// </summary>
public sealed class ClientLimitOptions
{
    public const string Section = "SenderAuth:ClientLimits";

    /// <summary>Requests per minute one client address may fail authentication on (no key, a bad key); default 60.</summary>
    [Range(1, 1_000_000)]
    public int FailedAuthPerMinute { get; set; } = 60;

    /// <summary>Dashboard sign-in attempts per minute per client address, right or wrong; default 30.</summary>
    [Range(1, 100_000)]
    public int SignInsPerMinute { get; set; } = 30;

    /// <summary>Failed sign-ins per client address in <see cref="SignInFailureWindowMinutes"/>; default 10.</summary>
    [Range(1, 100_000)]
    public int SignInFailuresPerClient { get; set; } = 10;

    /// <summary>Failed sign-ins per account (the key's visible prefix) in the window, from any client; default 20.</summary>
    [Range(1, 100_000)]
    public int SignInFailuresPerAccount { get; set; } = 20;

    /// <summary>The window of the failed sign-in limits, in minutes; default 15.</summary>
    [Range(1, 1440)]
    public int SignInFailureWindowMinutes { get; set; } = 15;
}
