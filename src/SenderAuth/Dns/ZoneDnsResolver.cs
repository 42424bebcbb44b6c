namespace SenderAuth.Dns;

/// <summary>
/// Answers from a <see cref="DnsZone"/> as an authoritative server plus recursive resolver would:
/// CNAME chains are followed (at most 8 hops; a loop is SERVFAIL), an existing name without the type is
/// NODATA, an unknown one NXDOMAIN. Used by tests and by the CLI's <c>--zone FILE</c>.
/// </summary>
public sealed class ZoneDnsResolver(DnsZone zone) : IDnsResolver
{
    private const int MaxCnameHops = 8;

    /// <summary>Reads a master file (RFC 1035 §5) and answers from it.</summary>
    /// <exception cref="ZoneFileException">The file does not parse; the message has file, line and column.</exception>
    public static ZoneDnsResolver FromFile(string path) => new(ZoneFileParser.ParseFile(path));

    /// <inheritdoc/>
    public ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Resolve(DnsName.Normalize(name), type));
    }

    private DnsAnswer Resolve(string name, DnsRecordType type)
    {
        for (var hop = 0; hop <= MaxCnameHops; hop++)
        {
            if (zone.IsServFail(name))
            {
                return DnsAnswer.ServFail;
            }
            var records = zone.Get(name);
            var matching = records?.Where(r => r.Type == type).ToList() ?? [];
            if (matching.Count > 0)
            {
                return DnsAnswer.FromRecords(matching, zone.NegativeTtl);
            }
            if (zone.IsTimeout(name))
            {
                return DnsAnswer.Timeout;
            }
            var cname = type == DnsRecordType.Cname ? null : records?.OfType<CnameRecord>().FirstOrDefault();
            if (cname is null)
            {
                return zone.NameExists(name) ? DnsAnswer.NoData(zone.NegativeTtl) : DnsAnswer.NxDomain(zone.NegativeTtl);
            }
            name = DnsName.Normalize(cname.Target);
        }
        return DnsAnswer.ServFail;
    }
}
