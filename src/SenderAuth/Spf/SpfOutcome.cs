using System.Net;

namespace SenderAuth.Spf;

/// <summary>Which identity was checked (RFC 7208 §2.3, §2.4).</summary>
public enum SpfIdentity
{
    /// <summary>The MAIL FROM identity (RFC 7208 §2.4), the one DMARC aligns.</summary>
    MailFrom,
    /// <summary>The HELO identity (RFC 7208 §2.3), also used when MAIL FROM is empty.</summary>
    Helo,
}

/// <summary>
/// The result of one SPF check, as data: the RFC result, a stable reason code, a human sentence, the
/// directive that matched, the <c>exp=</c> explanation (fail only), and the counters of RFC 7208 §4.6.4.
/// </summary>
public sealed record SpfOutcome
{
    /// <summary>The check_host() result.</summary>
    public required SpfResult Result { get; init; }

    /// <summary>Why, as a stable code (<see cref="SpfReasonCodes"/>).</summary>
    public required SpfReason Reason { get; init; }

    /// <summary>One sentence saying why, e.g. "mechanism ip4:192.0.2.0/24 matched" or the syntax error.</summary>
    public required string Detail { get; init; }

    /// <summary>The domain whose policy was evaluated first (MAIL FROM domain, or HELO).</summary>
    public required string Domain { get; init; }

    /// <summary>The domain whose record produced the result (differs after redirect).</summary>
    public string? DecidingDomain { get; init; }

    /// <summary>The matched directive as written, e.g. "-all"; null when none matched.</summary>
    public string? Mechanism { get; init; }

    /// <summary>The expanded <c>exp=</c> text; only for fail, null when the record has none or it failed.</summary>
    public string? Explanation { get; init; }

    /// <summary>DNS-querying terms evaluated (include, a, mx, ptr, exists, redirect); RFC 7208 §4.6.4 allows 10.</summary>
    public int DnsLookups { get; init; }

    /// <summary>Lookups that answered NXDOMAIN or NODATA; RFC 7208 §4.6.4 allows 2.</summary>
    public int VoidLookups { get; init; }

    /// <summary>For permerror on syntax: where and why the record failed to parse.</summary>
    public SpfSyntaxError? SyntaxError { get; init; }

    /// <summary>The SMTP client address that was checked.</summary>
    public required IPAddress ClientIp { get; init; }

    /// <summary>The sender checked: MAIL FROM, or postmaster@HELO when MAIL FROM was empty.</summary>
    public required string Sender { get; init; }

    /// <summary>The HELO/EHLO name given, used for <c>%{h}</c>; null when unknown.</summary>
    public string? Helo { get; init; }

    /// <summary>Which identity was checked: MAIL FROM or HELO.</summary>
    public SpfIdentity Identity { get; init; }
}
