using System.Net;
using System.Net.Sockets;

namespace SenderAuth.Bench.Harness;

/// <summary>
/// A TCP/UDP port on 127.0.0.1 that nothing listens on, chosen below the kernel's ephemeral range (the same rule
/// as free_port in scripts/deps.sh, which the test servers use): a port the kernel never hands out for a bind to
/// port 0 or an outgoing connection stays free between this choice and the moment a server binds it.
/// </summary>
public static class FreePort
{
    public static int Next()
    {
        var low = 32768;
        try
        {
            low = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0]);
        }
        catch (IOException)
        {
        }
        for (var i = 0; i < 200; i++)
        {
            var candidate = low > 11000 ? Random.Shared.Next(10000, low) : 0;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, candidate));
                var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new RowFailedException("no free loopback port");
    }
}
