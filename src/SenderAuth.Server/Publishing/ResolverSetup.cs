using SenderAuth.Dns;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// The DNS the server reads through: the configured resolvers for institutions' zones; the provider zone straight
/// from the server that publishes it (before a delegation exists, and without waiting for caches); explicit
/// forward zones. No cache: a check must see what DNS serves now, never a sticky green.
/// </summary>
public static class ResolverSetup
{
    public static IDnsResolver Create(ServerOptions options, IZonePublisher publisher)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(publisher);
        var timeout = TimeSpan.FromSeconds(options.Resolver.TimeoutSeconds);
        IDnsResolver Network(IEnumerable<string> servers) => new NetworkDnsResolver(new NetworkDnsResolverOptions
        {
            Servers = servers.Select(s => NetworkDnsResolverOptions.ParseEndpoint(s)).ToList(),
            Timeout = timeout,
        });
        var zones = options.Resolver.Forward.ToDictionary(f => f.Key, f => Network([f.Value]));
        if (publisher.AuthoritativeServer is { } server && !zones.ContainsKey(options.Provider.Zone))
        {
            zones[options.Provider.Zone] = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [server], Timeout = timeout });
        }
        return new ForwardingDnsResolver(Network(options.Resolver.Servers), zones);
    }

    /// <summary>The DNSSEC probe of the domain checks: through <c>Resolver:Dnssec</c>, or none (the checks skip DNSSEC).</summary>
    public static DnssecSetting Dnssec(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new DnssecSetting(options.Resolver.Dnssec is { } server
            ? new NetworkDnssecProbe(new NetworkDnsResolverOptions
            {
                Servers = [NetworkDnsResolverOptions.ParseEndpoint(server)],
                Timeout = TimeSpan.FromSeconds(options.Resolver.TimeoutSeconds),
            })
            : null);
    }
}

/// <summary>One probe for the process (it holds a DNS client); null when no validating resolver is configured.</summary>
public sealed record DnssecSetting(IDnssecProbe? Probe);
