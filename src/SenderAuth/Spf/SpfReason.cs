namespace SenderAuth.Spf;

/// <summary>Why check_host() ended as it did: stable codes for logs, JSON and tests.</summary>
public enum SpfReason
{
    /// <summary>A directive matched; the outcome names it.</summary>
    MechanismMatched,
    /// <summary>No directive matched and there was no redirect: neutral (RFC 7208 §4.7).</summary>
    NoMatch,
    /// <summary>The domain publishes no SPF record (§4.5).</summary>
    NoRecord,
    /// <summary>The domain is not a valid FQDN (§4.3): result none.</summary>
    InvalidDomain,
    /// <summary>More than one SPF record (§4.5): permerror.</summary>
    MultipleRecords,
    /// <summary>The record does not parse (§4.6): permerror with position.</summary>
    SyntaxError,
    /// <summary>More than 10 DNS-querying terms (§4.6.4).</summary>
    TooManyDnsLookups,
    /// <summary>More than 2 lookups answered NXDOMAIN or NODATA (§4.6.4).</summary>
    TooManyVoidLookups,
    /// <summary>An MX lookup returned more than 10 names (§4.6.4).</summary>
    TooManyMxNames,
    /// <summary>An include or redirect target has no SPF record (§5.2, §6.1).</summary>
    IncludeOrRedirectWithoutRecord,
    /// <summary>A DNS query failed (SERVFAIL or timeout): temperror.</summary>
    DnsFailure,
    /// <summary>The record or a macro expansion exceeds <see cref="SpfLimits"/>: permerror (§4.6.4).</summary>
    LimitExceeded,
}
