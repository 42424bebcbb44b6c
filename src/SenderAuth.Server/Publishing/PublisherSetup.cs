using Microsoft.Extensions.Options;
using SenderAuth.Dns;

namespace SenderAuth.Server.Publishing;

/// <summary>Chooses the provider-zone publisher from SenderAuth:Publishing:Mode.</summary>
public static class PublisherSetup
{
    public static void Add(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp =>
        {
            var publishing = sp.GetRequiredService<IOptions<PublishingSettings>>().Value;
            var dns = publishing.Dns;
            return new BuiltInDnsServer(
                BuiltInDns(publishing, ServerOptionsValidator.TryListen(dns, out var listen) ? listen : throw new FormatException(dns)),
                sp.GetRequiredService<ILogger<BuiltInDnsServer>>(), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp =>
        {
            var p = sp.GetRequiredService<IOptions<PublishingSettings>>().Value;
            var zone = sp.GetRequiredService<IOptions<ProviderOptions>>().Value.Zone;
            return p.Mode switch
            {
                PublishingMode.Rfc2136 => new Rfc2136ZonePublisher(
                    Rfc2136(p, NetworkDnsResolverOptions.ParseEndpoint(p.Rfc2136Server!)) with { Zone = DnsName.Normalize(zone) }),
                PublishingMode.ZoneFile => new ZoneFilePublisher(ZoneFile(p, sp.GetRequiredService<IOptions<StoreOptions>>().Value.DataDirectory)),
                _ => (IZonePublisher)sp.GetRequiredService<BuiltInDnsServer>(),
            };
        });
    }

    /// <summary>The built-in server's settings from the section; also what its validator checks.</summary>
    public static BuiltInDnsOptions BuiltInDns(PublishingSettings publishing, System.Net.IPEndPoint listen)
    {
        ArgumentNullException.ThrowIfNull(publishing);
        return new BuiltInDnsOptions { Listen = listen, RateLimit = publishing.DnsRateLimit };
    }

    /// <summary>The RFC 2136 settings from the section, without the zone (the provider's); also what its validator checks.</summary>
    public static Rfc2136Options Rfc2136(PublishingSettings publishing, System.Net.IPEndPoint? server)
    {
        ArgumentNullException.ThrowIfNull(publishing);
        return new Rfc2136Options
        {
            Server = server,
            TsigKeyName = publishing.TsigKeyName ?? "",
            TsigAlgorithm = publishing.TsigAlgorithm,
            TsigSecret = publishing.TsigSecret ?? "",
        };
    }

    /// <summary>The zone file's settings; also what the download endpoint renders with.</summary>
    public static ZoneFileOptions ZoneFile(PublishingSettings publishing, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(publishing);
        return new ZoneFileOptions { Path = publishing.ZoneFile ?? Path.Combine(dataDirectory, "provider.zone") };
    }
}
