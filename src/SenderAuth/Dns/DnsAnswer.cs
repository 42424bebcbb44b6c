namespace SenderAuth.Dns;

/// <summary>
/// The answer to one query: status, the records of the asked type (CNAMEs already followed), and how long
/// the answer may be cached (the smallest record TTL, or the negative-caching TTL of RFC 2308).
/// </summary>
/// <param name="Status">NOERROR, NXDOMAIN, NODATA, SERVFAIL or timeout.</param>
/// <param name="Records">The records of the asked type at the end of any CNAME chain; empty unless the status is NOERROR.</param>
/// <param name="Ttl">How long this answer may be cached; zero for temporary failures.</param>
public sealed record DnsAnswer(DnsStatus Status, IReadOnlyList<DnsRecord> Records, TimeSpan Ttl)
{
    /// <summary>The name does not exist; <paramref name="ttl"/> is how long that may be cached (RFC 2308).</summary>
    public static DnsAnswer NxDomain(TimeSpan ttl) => new(DnsStatus.NxDomain, [], ttl);
    /// <summary>The name exists but has no record of the type asked; <paramref name="ttl"/> is the negative-caching TTL.</summary>
    public static DnsAnswer NoData(TimeSpan ttl) => new(DnsStatus.NoData, [], ttl);
    /// <summary>The server failed to answer (SERVFAIL, REFUSED, a garbled reply): a temporary failure, never cached.</summary>
    public static readonly DnsAnswer ServFail = new(DnsStatus.ServFail, [], TimeSpan.Zero);
    /// <summary>No server answered in time: a temporary failure, never cached.</summary>
    public static readonly DnsAnswer Timeout = new(DnsStatus.Timeout, [], TimeSpan.Zero);

    /// <summary>True for SERVFAIL and timeout: the question was not answered, so nothing may be concluded.</summary>
    public bool IsTemporaryFailure => Status is DnsStatus.ServFail or DnsStatus.Timeout;

    /// <summary>NXDOMAIN or NODATA: the "void lookup" of RFC 7208 §4.6.4.</summary>
    public bool IsEmpty => Status is DnsStatus.NxDomain or DnsStatus.NoData;

    /// <summary>The records of one record class, e.g. <c>Of&lt;TxtRecord&gt;()</c>.</summary>
    public IEnumerable<T> Of<T>() where T : DnsRecord => Records.OfType<T>();

    /// <summary>An answer from records: NODATA with <paramref name="negativeTtl"/> when there are none, else NOERROR
    /// with the smallest record TTL as the answer's TTL.</summary>
    public static DnsAnswer FromRecords(IReadOnlyList<DnsRecord> records, TimeSpan negativeTtl)
    {
        if (records.Count == 0)
        {
            return NoData(negativeTtl);
        }
        var min = uint.MaxValue;
        foreach (var r in records)
        {
            min = Math.Min(min, r.Ttl);
        }
        return new DnsAnswer(DnsStatus.NoError, records, TimeSpan.FromSeconds(min));
    }
}
