namespace SenderAuth.Dns;

/// <summary>The record types the engine queries. Values are the IANA RR type codes.</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    Ns = 2,
    Cname = 5,
    Soa = 6,
    Ptr = 12,
    Mx = 15,
    Txt = 16,
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
