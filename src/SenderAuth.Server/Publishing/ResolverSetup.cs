using SenderAuth.Dns;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// The DNS the server reads through: the configured resolvers for institutions' zones; the provider zone straight
/// from the server that publishes it (before a delegation exists, and without waiting for caches); explicit
/// forward zones. No cache: a check must see what DNS serves now, never a sticky green.
/// </summary>
public static class ResolverSetup
{
    public static IDnsResolver Create(ResolverOptions resolver, ProviderOptions provider, IZonePublisher publisher)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(publisher);
        var timeout = TimeSpan.FromSeconds(resolver.TimeoutSeconds);
        IDnsResolver Network(IEnumerable<string> servers) => new NetworkDnsResolver(new NetworkDnsResolverOptions
        {
            Servers = servers.Select(s => NetworkDnsResolverOptions.ParseEndpoint(s)).ToList(),
            Timeout = timeout,
        });
        var zones = resolver.Forward.ToDictionary(f => f.Key, f => Network([f.Value]));
        if (publisher.AuthoritativeServer is { } server && !zones.ContainsKey(provider.Zone))
        {
            zones[provider.Zone] = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [server], Timeout = timeout });
        }
        return new ForwardingDnsResolver(Network(resolver.Servers), zones);
    }

    /// <summary>The DNSSEC probe of the domain checks: through <c>Resolver:Dnssec</c>, or none (the checks skip DNSSEC).</summary>
    public static DnssecSetting Dnssec(ResolverOptions resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        return new DnssecSetting(resolver.Dnssec is { } server
            ? new NetworkDnssecProbe(new NetworkDnsResolverOptions
            {
                Servers = [NetworkDnsResolverOptions.ParseEndpoint(server)],
                Timeout = TimeSpan.FromSeconds(resolver.TimeoutSeconds),
            })
            : null);
    }
}

/// <summary>One probe for the process (it holds a DNS client); null when no validating resolver is configured.</summary>
public sealed record DnssecSetting(IDnssecProbe? Probe);
