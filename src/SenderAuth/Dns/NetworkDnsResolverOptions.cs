using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SenderAuth.Dns;

/// <summary>Settings of <see cref="NetworkDnsResolver"/>.</summary>
public sealed class NetworkDnsResolverOptions
{
    /// <summary>The DNS port, 53.</summary>
    public const int DefaultPort = 53;

    /// <summary>Servers to ask; empty means the system's resolvers (on <see cref="Port"/>).</summary>
    public IList<IPEndPoint> Servers { get; init; } = [];

    /// <summary>Port used for the system's resolvers; explicit <see cref="Servers"/> carry their own.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Time to wait for one attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Further attempts after a timed-out one, per server.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Repeat over TCP when a UDP answer is truncated (TC bit), so large TXT sets arrive complete.</summary>
    public bool UseTcpFallback { get; init; } = true;

    /// <summary>
    /// Parses <c>HOST</c>, <c>HOST:PORT</c>, <c>[V6]</c>, <c>[V6]:PORT</c> or a bare IPv6 address, where HOST is an
    /// IP literal (a resolver given by name would need a resolver first).
    /// </summary>
    /// <exception cref="FormatException">The text is not one of those forms or the port is not 1..65535.</exception>
    public static IPEndPoint ParseEndpoint(string text, int defaultPort = DefaultPort)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        string host;
        string? port = null;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Bad(text, "missing ']'");
            }
            host = s[1..close];
            var rest = s[(close + 1)..];
            if (rest.Length > 0)
            {
                port = rest.StartsWith(':') ? rest[1..] : throw Bad(text, "expected ':PORT' after ']'");
            }
        }
        else if (s.Count(c => c == ':') == 1)
        {
            var colon = s.IndexOf(':', StringComparison.Ordinal);
            host = s[..colon];
            port = s[(colon + 1)..];
        }
        else
        {
            host = s;
        }
        if (!IPAddress.TryParse(host, out var address) || host.Length == 0)
        {
            throw Bad(text, "the host must be an IPv4 or IPv6 address");
        }
        if (s.StartsWith('[') && address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw Bad(text, "only IPv6 addresses go in brackets");
        }
        var portNumber = defaultPort;
        if (port is not null
            && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
        {
            throw Bad(text, "the port must be a number from 1 to 65535");
        }
        return new IPEndPoint(address, portNumber);
    }

    private static FormatException Bad(string text, string why) =>
        new($"invalid DNS server '{text}': {why} (expected HOST, HOST:PORT or [IPv6]:PORT)");
}
