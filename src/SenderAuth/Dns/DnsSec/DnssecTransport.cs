using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace SenderAuth.Dns.DnsSec;

/// <summary>Where the validator gets its raw answers from; null means no usable answer (timeout, refused, garbled).</summary>
internal interface IDnssecTransport
{
    /// <summary>Asks with DO and CD (<see cref="WireMessage.Query"/>).</summary>
    ValueTask<WireMessage?> QueryAsync(WireName name, ushort type, CancellationToken cancellationToken = default);
}

/// <summary>
/// Sends the validator's queries to the configured servers (or the system's): UDP, TCP when truncated, each server in
/// turn with the retries of <see cref="NetworkDnsResolverOptions"/>. The CD bit makes a validating upstream hand over
/// what it would otherwise fail, so we can say why it is bogus.
/// </summary>
internal sealed class NetworkDnssecTransport : IDnssecTransport
{
    private readonly IPEndPoint[] _servers;
    private readonly NetworkDnsResolverOptions _options;

    public NetworkDnssecTransport(NetworkDnsResolverOptions? options = null)
    {
        _options = options ?? new NetworkDnsResolverOptions();
        _servers = _options.Servers.Count > 0 ? [.. _options.Servers] : NetworkDnsResolver.SystemServers(_options.Port);
    }

    public async ValueTask<WireMessage?> QueryAsync(WireName name, ushort type, CancellationToken cancellationToken = default)
    {
        foreach (var server in _servers)
        {
            for (var attempt = 0; attempt <= _options.Retries; attempt++)
            {
                var id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
                var query = WireMessage.Query(name, type, id);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.Timeout);
                try
                {
                    var reply = WireMessage.Parse(await UdpAsync(server, query, id, timeout.Token).ConfigureAwait(false));
                    if (reply.Truncated)
                    {
                        reply = WireMessage.Parse(await TcpAsync(server, query, timeout.Token).ConfigureAwait(false));
                    }
                    // A refusal or failure from this server: the next one may know better.
                    if (reply.Id == id && reply.RCode is 0 or 3)
                    {
                        return reply;
                    }
                    break;
                }
                catch (Exception ex) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("DNS query cancelled", ex, cancellationToken);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or FormatException)
                {
                    // Timeout or garbage: try again, then the next server.
                }
            }
        }
        return null;
    }

    private static async Task<byte[]> UdpAsync(IPEndPoint server, byte[] query, ushort id, CancellationToken ct)
    {
        using var udp = new UdpClient(server.AddressFamily);
        udp.Connect(server);
        await udp.SendAsync(query, ct).ConfigureAwait(false);
        while (true)
        {
            var result = await udp.ReceiveAsync(ct).ConfigureAwait(false);
            if (result.Buffer.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(result.Buffer) == id)
            {
                return result.Buffer;
            }
        }
    }

    private static async Task<byte[]> TcpAsync(IPEndPoint server, byte[] query, CancellationToken ct)
    {
        using var tcp = new TcpClient(server.AddressFamily);
        await tcp.ConnectAsync(server, ct).ConfigureAwait(false);
        var stream = tcp.GetStream();
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await stream.WriteAsync(framed, ct).ConfigureAwait(false);
        var length = new byte[2];
        await stream.ReadExactlyAsync(length, ct).ConfigureAwait(false);
        var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        await stream.ReadExactlyAsync(reply, ct).ConfigureAwait(false);
        return reply;
    }
}
