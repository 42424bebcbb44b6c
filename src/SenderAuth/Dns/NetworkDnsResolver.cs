using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace SenderAuth.Dns;

/// <summary>
/// Asks real DNS servers through DnsClient. Keeps no cache of its own (wrap it in <see cref="CachingDnsResolver"/>)
/// so that nothing outlives its TTL, and turns every failure into a <see cref="DnsStatus"/>; only cancellation
/// of the caller's token throws.
/// </summary>
public sealed class NetworkDnsResolver : IDnsResolver
{
    /// <summary>Negative-caching TTL when the server sent no SOA to take it from.</summary>
    public static readonly TimeSpan DefaultNegativeTtl = TimeSpan.FromSeconds(60);

    private readonly LookupClient _client;

    /// <summary>A resolver asking the servers of <paramref name="options"/>, or the system's when it names none.</summary>
    public NetworkDnsResolver(NetworkDnsResolverOptions? options = null)
    {
        options ??= new NetworkDnsResolverOptions();
        var servers = options.Servers.Count > 0 ? options.Servers.ToArray() : SystemServers(options.Port);
        _client = new LookupClient(new LookupClientOptions(servers)
        {
            Timeout = options.Timeout,
            Retries = options.Retries,
            UseTcpFallback = options.UseTcpFallback,
            UseCache = false,
            ThrowDnsErrors = false,
            // An empty answer is an answer (NODATA), not a reason to ask the next server.
            ContinueOnEmptyResponse = false,
            EnableAuditTrail = false,
        });
    }

    /// <summary>The servers queries go to.</summary>
    public IReadOnlyList<IPEndPoint> Servers =>
        _client.NameServers.Select(n => new IPEndPoint(IPAddress.Parse(n.Address), n.Port)).ToList();

    /// <inheritdoc/>
    public async ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!DnsName.IsValid(name))
        {
            // Not askable: a server could not answer it either.
            return DnsAnswer.ServFail;
        }
        try
        {
            var response = await _client
                .QueryAsync(DnsName.Normalize(name) + ".", (QueryType)(ushort)type, QueryClass.IN, cancellationToken)
                .ConfigureAwait(false);
            return DnsResponseMapper.Map(response, type);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("DNS query cancelled", ex, cancellationToken);
        }
        catch (Exception ex) when (IsTimeout(ex))
        {
            return DnsAnswer.Timeout;
        }
#pragma warning disable CA1031 // Failures are data by contract of IDnsResolver.
        catch (Exception)
#pragma warning restore CA1031
        {
            return DnsAnswer.ServFail;
        }
    }

    private static bool IsTimeout(Exception ex) => ex switch
    {
        DnsResponseException { Code: DnsResponseCode.ConnectionTimeout } => true,
        // DnsClient's own per-attempt timer, not the caller's token (that case is handled before).
        OperationCanceledException or TimeoutException or SocketException or IOException => true,
        _ => ex.InnerException is { } inner && IsTimeout(inner),
    };

    internal static IPEndPoint[] SystemServers(int port)
    {
        var found = NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false);
        if (found.Count == 0)
        {
            throw new InvalidOperationException("no system DNS resolver found; configure NetworkDnsResolverOptions.Servers");
        }
        return found.Select(n => new IPEndPoint(IPAddress.Parse(n.Address), port)).ToArray();
    }
}
