using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Dashboard;

/// <summary>The web dashboard (<c>SenderAuth:Dashboard</c>): served at /dashboard by the same server as the API.</summary>
public sealed class DashboardOptions
{
    /// <summary>Serve the dashboard; default true. Off, /dashboard answers 404 and the API is unchanged.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a sign-in lasts without use, in minutes (sliding); default 480 (8 h), 5 to 10080.</summary>
    [Range(5, 10_080)]
    public int SessionMinutes { get; set; } = 480;

    /// <summary>
    /// Mark the session cookie Secure even on a plain-HTTP request; default false (Secure exactly when the request is
    /// HTTPS). Set it behind a proxy that terminates TLS and forwards plain HTTP.
    /// </summary>
    public bool AlwaysSecureCookies { get; set; }

    /// <summary>Rows per page of the overview; default 25, 5 to 200.</summary>
    [Range(5, 200)]
    public int PageSize { get; set; } = 25;

    /// <summary>Nothing beyond the ranges, which are [Range] attributes (OptionRangeValidator).</summary>
    internal IEnumerable<string> Problems() => [];
}
