namespace SenderAuth.Dns;

/// <summary>
/// Sends questions for given zones to their own resolver and everything else to a default one, like unbound's
/// forward-zone: a server can read institutions' zones through the recursive resolver and the provider zone
/// straight from its authoritative server, before (or without) a delegation to it existing.
/// The longest matching zone wins.
/// </summary>
public sealed class ForwardingDnsResolver : IDnsResolver
{
    private readonly IDnsResolver _fallback;
    private readonly (string Zone, IDnsResolver Resolver)[] _zones;

    public ForwardingDnsResolver(IDnsResolver fallback, IEnumerable<KeyValuePair<string, IDnsResolver>> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        _fallback = fallback ?? throw new ArgumentNullException(nameof(fallback));
        _zones = zones.Select(z => (DnsName.Normalize(z.Key), z.Value)).OrderByDescending(z => z.Item1.Length).ToArray();
    }

    public ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var normalized = DnsName.Normalize(name);
        foreach (var (zone, resolver) in _zones)
        {
            if (DnsName.IsSubdomainOf(normalized, zone))
            {
                return resolver.QueryAsync(name, type, cancellationToken);
            }
        }
        return _fallback.QueryAsync(name, type, cancellationToken);
    }
}
