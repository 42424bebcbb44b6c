using System.CommandLine;
using SenderAuth.Dns;

namespace SenderAuth.Cli;

/// <summary>The --zone / --resolver options every DNS-using command shares, and the resolver they select.</summary>
internal sealed class CliResolver
{
    public Option<FileInfo?> Zone { get; } = new("--zone")
    {
        Description = "Answer DNS from this RFC 1035 zone file instead of the network.",
    };

    public Option<string?> Resolver { get; } = new("--resolver")
    {
        Description = "DNS server to ask, IP[:PORT] or [IPv6]:PORT (default: the system's resolvers).",
    };

    public Option<double> Timeout { get; } = new("--dns-timeout")
    {
        Description = "Seconds to wait for one DNS answer before retrying.",
        DefaultValueFactory = _ => 2,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Zone);
        command.Options.Add(Resolver);
        command.Options.Add(Timeout);
    }

    /// <summary>Builds the resolver; network answers are cached within their TTL for the life of the command.</summary>
    public IDnsResolver Create(ParseResult parse)
    {
        var zone = parse.GetValue(Zone);
        var server = parse.GetValue(Resolver);
        if (zone is not null && server is not null)
        {
            throw new UsageException("--zone and --resolver exclude each other");
        }
        if (zone is not null)
        {
            if (!zone.Exists)
            {
                throw new UsageException($"zone file not found: {zone.FullName}");
            }
            try
            {
                return ZoneDnsResolver.FromFile(zone.FullName);
            }
            catch (ZoneFileException e)
            {
                throw new UsageException(e.Message);
            }
        }
        return new CachingDnsResolver(new NetworkDnsResolver(NetworkOptions(parse, server)));
    }

    /// <summary>The network settings of --resolver and --dns-timeout (for the DNSSEC probes too).</summary>
    public NetworkDnsResolverOptions NetworkOptions(ParseResult parse) => NetworkOptions(parse, parse.GetValue(Resolver));

    private NetworkDnsResolverOptions NetworkOptions(ParseResult parse, string? server)
    {
        var timeout = parse.GetValue(Timeout);
        if (timeout is <= 0 or > 60)
        {
            throw new UsageException("--dns-timeout must be between 0 and 60 seconds");
        }
        var servers = new List<System.Net.IPEndPoint>();
        if (server is not null)
        {
            try
            {
                servers.Add(NetworkDnsResolverOptions.ParseEndpoint(server));
            }
            catch (FormatException e)
            {
                throw new UsageException($"--resolver {server}: {e.Message}");
            }
        }
        return new NetworkDnsResolverOptions { Timeout = TimeSpan.FromSeconds(timeout), Servers = servers };
    }
}
