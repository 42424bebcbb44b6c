using SenderAuth.Dns;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// The SOA and NS records a publisher that owns the whole zone (the built-in server, a zone file) puts at the apex.
/// Names are normalised (lower case, no trailing dot).
/// </summary>
internal sealed record ZoneApex(string Origin, uint Serial, IReadOnlyList<string> NsNames, string Rname)
{
    /// <summary>TTL of the apex records and the file's $TTL.</summary>
    public const int Ttl = 3600;

    // RFC 1912 §2.2 ranges. The zone changes rarely and secondaries (if any) are notified, so refresh can be slow.
    public const int Refresh = 3600;
    public const int Retry = 600;
    public const int Expire = 1209600;

    /// <summary>
    /// SOA MINIMUM, the negative-caching TTL (RFC 2308): short, because a DKIM key looked up just before it is
    /// published must not stay "missing" in resolvers for long.
    /// </summary>
    public const int Minimum = 300;

    public string Mname => NsNames[0];

    public static ZoneApex For(ProviderZone zone, IReadOnlyList<string>? nsNames, string? soaMailbox)
    {
        var origin = DnsName.Normalize(zone.Origin);
        var ns = nsNames is { Count: > 0 } ? nsNames.Select(DnsName.Normalize).ToArray() : ["ns1." + origin];
        var rname = soaMailbox is null ? "hostmaster." + origin : DnsName.Normalize(MailboxToDomainName(soaMailbox));
        return new ZoneApex(origin, zone.Serial, ns, rname);
    }

    /// <summary>
    /// <c>first.last@example.org</c> becomes <c>first\.last.example.org</c> (RFC 1035 §8: the local part is one
    /// label, so its dots are escaped); a name without <c>@</c> is taken as already in DNS form.
    /// </summary>
    public static string MailboxToDomainName(string mailbox)
    {
        var at = mailbox.LastIndexOf('@');
        return at < 0 ? mailbox : mailbox[..at].Replace(".", "\\.", StringComparison.Ordinal) + "." + mailbox[(at + 1)..];
    }
}
