using System.Net;

namespace SenderAuth.Spf;

/// <summary>Which identity was checked (RFC 7208 §2.3, §2.4).</summary>
public enum SpfIdentity
{
    MailFrom,
    Helo,
}

/// <summary>
/// The result of one SPF check, as data: the RFC result, a stable reason code, a human sentence, the
/// directive that matched, the <c>exp=</c> explanation (fail only), and the counters of RFC 7208 §4.6.4.
/// </summary>
public sealed record SpfOutcome
{
    public required SpfResult Result { get; init; }

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

    public int DnsLookups { get; init; }

    public int VoidLookups { get; init; }

    /// <summary>For permerror on syntax: where and why the record failed to parse.</summary>
    public SpfSyntaxError? SyntaxError { get; init; }

    public required IPAddress ClientIp { get; init; }

    /// <summary>The sender checked: MAIL FROM, or postmaster@HELO when MAIL FROM was empty.</summary>
    public required string Sender { get; init; }

    public string? Helo { get; init; }

    public SpfIdentity Identity { get; init; }
}
