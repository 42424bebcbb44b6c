using SenderAuth.Dns;
using SenderAuth.Server.Publishing;

namespace SenderAuth.Server.Hosting;

/// <summary>Chooses the provider-zone publisher from SenderAuth:Publishing:Mode.</summary>
public static class PublisherSetup
{
    public static void Add(IServiceCollection services, ServerOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var p = options.Publishing;
        switch (p.Mode.ToLowerInvariant())
        {
            case "rfc2136":
                services.AddSingleton<IZonePublisher>(_ => new Rfc2136ZonePublisher(new Rfc2136Options
                {
                    Server = NetworkDnsResolverOptions.ParseEndpoint(p.Rfc2136Server!),
                    Zone = DnsName.Normalize(options.Provider.Zone),
                    TsigKeyName = p.TsigKeyName!,
                    TsigAlgorithm = p.TsigAlgorithm,
                    TsigSecret = p.TsigSecret!,
                }));
                break;
            case "zonefile":
                services.AddSingleton<IZonePublisher>(_ => new ZoneFilePublisher(ZoneFile(options, dataDirectory)));
                break;
            default:
                services.AddSingleton(sp => new BuiltInDnsServer(
                    new BuiltInDnsOptions { Listen = ServerOptionsValidator.TryListen(p.Dns, out var listen) ? listen : throw new FormatException(p.Dns) },
                    sp.GetRequiredService<ILogger<BuiltInDnsServer>>()));
                services.AddSingleton<IZonePublisher>(sp => sp.GetRequiredService<BuiltInDnsServer>());
                break;
        }
    }

    /// <summary>The zone file's settings; also what the download endpoint renders with.</summary>
    public static ZoneFileOptions ZoneFile(ServerOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ZoneFileOptions { Path = options.Publishing.ZoneFile ?? Path.Combine(dataDirectory, "provider.zone") };
    }
}
