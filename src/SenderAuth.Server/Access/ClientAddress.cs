using System.Net;
using System.Net.Sockets;

namespace SenderAuth.Server.Access;

/// <summary>The client a request's limits are counted against.</summary>
public static class ClientAddress
{
    /// <summary>
    /// The connection's address, which the forwarded-headers middleware has replaced with the client's when a
    /// trusted proxy sent it. IPv6 clients are counted per /64: one host usually holds the whole prefix, so
    /// counting single addresses would let it pick a fresh one per request.
    /// </summary>
    public static string Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var ip = http.Connection.RemoteIpAddress;
        if (ip is null)
        {
            return "unknown";
        }
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        if (ip.AddressFamily == AddressFamily.InterNetworkV6 && !IPAddress.IsLoopback(ip))
        {
            var bytes = ip.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }
        return ip.ToString();
    }
}
