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
            var publishing = sp.GetRequiredService<IOptions<ServerOptions>>().Value.Publishing;
            var dns = publishing.Dns;
            return new BuiltInDnsServer(
                new BuiltInDnsOptions
                {
                    Listen = ServerOptionsValidator.TryListen(dns, out var listen) ? listen : throw new FormatException(dns),
                    RateLimit = publishing.DnsRateLimit,
                },
                sp.GetRequiredService<ILogger<BuiltInDnsServer>>(), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ServerOptions>>().Value;
            var p = options.Publishing;
            return p.Mode switch
            {
                PublishingMode.Rfc2136 => new Rfc2136ZonePublisher(new Rfc2136Options
                {
                    Server = NetworkDnsResolverOptions.ParseEndpoint(p.Rfc2136Server!),
                    Zone = DnsName.Normalize(options.Provider.Zone),
                    TsigKeyName = p.TsigKeyName!,
                    TsigAlgorithm = p.TsigAlgorithm,
                    TsigSecret = p.TsigSecret!,
                }),
                PublishingMode.ZoneFile => new ZoneFilePublisher(ZoneFile(options, options.DataDirectory)),
                _ => (IZonePublisher)sp.GetRequiredService<BuiltInDnsServer>(),
            };
        });
    }

    /// <summary>The zone file's settings; also what the download endpoint renders with.</summary>
    public static ZoneFileOptions ZoneFile(ServerOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ZoneFileOptions { Path = options.Publishing.ZoneFile ?? Path.Combine(dataDirectory, "provider.zone") };
    }
}
