namespace SenderAuth.Dns;

/// <summary>The record types the engine queries. Values are the IANA RR type codes.</summary>
public enum DnsRecordType : ushort
{
    /// <summary>IPv4 address.</summary>
    A = 1,
    /// <summary>Authoritative name server (used to find a zone's servers).</summary>
    Ns = 2,
    /// <summary>Alias (DKIM selectors delegated to a provider are CNAMEs).</summary>
    Cname = 5,
    /// <summary>Start of authority: finds the zone apex and the negative-caching TTL.</summary>
    Soa = 6,
    /// <summary>Reverse name (SPF's ptr mechanism and %{p} macro).</summary>
    Ptr = 12,
    /// <summary>Mail exchanger (SPF's mx mechanism, MAIL FROM domain checks).</summary>
    Mx = 15,
    /// <summary>Text: SPF, DKIM key and DMARC records.</summary>
    Txt = 16,
    /// <summary>IPv6 address.</summary>
    Aaaa = 28,
    /// <summary>Type 99, deprecated by RFC 7208 §3.1; only queried to warn about it.</summary>
    Spf = 99,
}

/// <summary>Outcome of one DNS query, as data: callers map it to their protocol's error (e.g. SPF temperror).</summary>
public enum DnsStatus
{
    /// <summary>NOERROR with at least one record of the asked type.</summary>
    NoError,
    /// <summary>The name does not exist (RCODE 3).</summary>
    NxDomain,
    /// <summary>NOERROR, but no record of the asked type.</summary>
    NoData,
    /// <summary>SERVFAIL, REFUSED or any other failure the server reported.</summary>
    ServFail,
    /// <summary>No answer within the configured time and retries.</summary>
    Timeout,
}
