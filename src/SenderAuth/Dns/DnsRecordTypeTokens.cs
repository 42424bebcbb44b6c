namespace SenderAuth.Dns;

/// <summary>
/// The mnemonic of a record type as master files and every DNS tool write it (<c>TXT</c>, <c>CNAME</c>; RFC 1035
/// §3.2.2, RFC 3596): the token JSON writes (registered in <see cref="Json.SenderAuthJson"/>) and the word of a
/// zone line, so a record to publish says <c>TXT</c> the same way everywhere.
/// </summary>
public static class DnsRecordTypeTokens
{
    /// <summary>The upper-case mnemonic of <paramref name="type"/>.</summary>
    public static string Token(this DnsRecordType type) => type switch
    {
        DnsRecordType.A => "A",
        DnsRecordType.Ns => "NS",
        DnsRecordType.Cname => "CNAME",
        DnsRecordType.Soa => "SOA",
        DnsRecordType.Ptr => "PTR",
        DnsRecordType.Mx => "MX",
        DnsRecordType.Txt => "TXT",
        DnsRecordType.Aaaa => "AAAA",
        DnsRecordType.Spf => "SPF",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a record type the engine knows"),
    };
}
