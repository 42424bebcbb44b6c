namespace SenderAuth.Dns;

/// <summary>
/// Sends questions for given zones to their own resolver and everything else to a default one, like unbound's
/// forward-zone: a server can read institutions' zones through the recursive resolver and the provider zone
/// straight from its authoritative server, before (or without) a delegation to it existing.
/// The longest matching zone wins. Because the servers may be authoritative ones, an answer can stop at a CNAME
/// whose target another server holds (stxsel1._domainkey.institution → our key zone); such CNAMEs are followed
/// here, at most <see cref="MaxCnameLinks"/> links, as a recursive resolver would.
/// </summary>
public sealed class ForwardingDnsResolver : IDnsResolver
{
    private readonly IDnsResolver _fallback;
    private readonly (string Zone, IDnsResolver Resolver)[] _zones;

    /// <summary>Routes each query to the resolver of the longest zone it is at or below.</summary>
    /// <param name="fallback">For names in none of the zones.</param>
    /// <param name="zones">Zone name (any case, trailing dot or not) and the resolver holding it.</param>
    public ForwardingDnsResolver(IDnsResolver fallback, IEnumerable<KeyValuePair<string, IDnsResolver>> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        _fallback = fallback ?? throw new ArgumentNullException(nameof(fallback));
        _zones = zones.Select(z => (DnsName.Normalize(z.Key), z.Value)).OrderByDescending(z => z.Item1.Length).ToArray();
    }

    /// <summary>CNAME links followed across resolvers before the answer is SERVFAIL (a loop or an absurd chain).</summary>
    public const int MaxCnameLinks = 8;

    /// <inheritdoc/>
    public async ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var answer = await Route(name).QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
        if (type == DnsRecordType.Cname || !answer.IsEmpty)
        {
            return answer;
        }
        var current = name;
        for (var link = 0; link < MaxCnameLinks; link++)
        {
            var cname = await Route(current).QueryAsync(current, DnsRecordType.Cname, cancellationToken).ConfigureAwait(false);
            if (cname.Of<CnameRecord>().FirstOrDefault() is not { } record)
            {
                return answer;
            }
            current = record.Target;
            answer = await Route(current).QueryAsync(current, type, cancellationToken).ConfigureAwait(false);
            if (!answer.IsEmpty)
            {
                return answer;
            }
        }
        return answer;
    }

    private IDnsResolver Route(string name)
    {
        var normalized = DnsName.Normalize(name);
        foreach (var (zone, resolver) in _zones)
        {
            if (DnsName.IsSubdomainOf(normalized, zone))
            {
                return resolver;
            }
        }
        return _fallback;
    }
}
