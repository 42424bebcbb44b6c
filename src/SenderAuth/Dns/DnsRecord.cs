using System.Net;

namespace SenderAuth.Dns;

/// <summary>One resource record. Names are absolute, lower-case, without the trailing dot.</summary>
/// <param name="Name">The owner name: absolute, lower case, no trailing dot.</param>
/// <param name="Ttl">Time to live in seconds, as served.</param>
public abstract record DnsRecord(string Name, uint Ttl)
{
    /// <summary>The RR type, derived from the record class (and the address family for <see cref="AddressRecord"/>).</summary>
    public abstract DnsRecordType Type { get; }
}

/// <summary>A TXT (or type-99 SPF) record; <see cref="Strings"/> keeps the character-strings as published.</summary>
/// <param name="Name">The owner name.</param>
/// <param name="Ttl">Time to live in seconds.</param>
/// <param name="Strings">The character-strings as published (each at most 255 bytes); see <see cref="Text"/>.</param>
/// <param name="RecordType">TXT, or the deprecated type 99 SPF.</param>
public sealed record TxtRecord(string Name, uint Ttl, IReadOnlyList<string> Strings, DnsRecordType RecordType = DnsRecordType.Txt)
    : DnsRecord(Name, Ttl)
{
    /// <inheritdoc/>
    public override DnsRecordType Type => RecordType;

    /// <summary>The strings joined without separator, as RFC 7208 §3.3 and RFC 6376 §3.6.2.2 require.</summary>
    public string Text => Strings.Count == 1 ? Strings[0] : string.Concat(Strings);
}

/// <summary>An A or AAAA record.</summary>
/// <param name="Name">The owner name.</param>
/// <param name="Ttl">Time to live in seconds.</param>
/// <param name="Address">The IPv4 (A) or IPv6 (AAAA) address.</param>
public sealed record AddressRecord(string Name, uint Ttl, IPAddress Address) : DnsRecord(Name, Ttl)
{
    /// <inheritdoc/>
    public override DnsRecordType Type =>
        Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsRecordType.Aaaa : DnsRecordType.A;
}

/// <summary>An MX record: a mail exchanger of the owner name; a lower <c>Preference</c> is tried first.</summary>
/// <param name="Name">The owner name: the mail domain.</param>
/// <param name="Ttl">Time to live in seconds.</param>
/// <param name="Preference">Lower is tried first.</param>
/// <param name="Exchange">The mail server's host name (never an address, RFC 5321 §5.1).</param>
public sealed record MxRecord(string Name, uint Ttl, ushort Preference, string Exchange) : DnsRecord(Name, Ttl)
{
    /// <inheritdoc/>
    public override DnsRecordType Type => DnsRecordType.Mx;
}

/// <summary>A PTR record: the name an address (in <c>in-addr.arpa</c> or <c>ip6.arpa</c>) maps back to.</summary>
/// <param name="Name">The owner name.</param>
/// <param name="Ttl">Time to live in seconds.</param>
/// <param name="Target">The name the record points at, normalized.</param>
public sealed record PtrRecord(string Name, uint Ttl, string Target) : DnsRecord(Name, Ttl)
{
    /// <inheritdoc/>
    public override DnsRecordType Type => DnsRecordType.Ptr;
}

/// <summary>A CNAME record: the owner name is an alias of <c>Target</c>.</summary>
/// <param name="Name">The owner name.</param>
/// <param name="Ttl">Time to live in seconds.</param>
/// <param name="Target">The name the record points at, normalized.</param>
public sealed record CnameRecord(string Name, uint Ttl, string Target) : DnsRecord(Name, Ttl)
{
    /// <inheritdoc/>
    public override DnsRecordType Type => DnsRecordType.Cname;
}

/// <summary>An NS record: <c>Target</c> is an authoritative server of the zone at the owner name.</summary>
/// <param name="Name">The owner name.</param>
/// <param name="Ttl">Time to live in seconds.</param>
/// <param name="Target">The name the record points at, normalized.</param>
public sealed record NsRecord(string Name, uint Ttl, string Target) : DnsRecord(Name, Ttl)
{
    /// <inheritdoc/>
    public override DnsRecordType Type => DnsRecordType.Ns;
}

/// <summary>The SOA record of a zone; <c>Minimum</c> bounds the negative-caching TTL (RFC 2308).</summary>
/// <param name="Name">The zone apex.</param>
/// <param name="Ttl">Time to live in seconds.</param>
/// <param name="PrimaryServer">MNAME: the primary server.</param>
/// <param name="Mailbox">RNAME: the administrator's mailbox, in DNS form.</param>
/// <param name="Serial">The zone serial.</param>
/// <param name="Minimum">The negative-caching TTL bound of RFC 2308.</param>
public sealed record SoaRecord(string Name, uint Ttl, string PrimaryServer, string Mailbox, uint Serial, uint Minimum) : DnsRecord(Name, Ttl)
{
    /// <inheritdoc/>
    public override DnsRecordType Type => DnsRecordType.Soa;
}
