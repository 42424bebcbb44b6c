using System.Net;

namespace SenderAuth.Spf;

/// <summary>CIDR comparison without allocating (IPNetwork insists on a zero host part, SPF's a/mx do not).</summary>
internal static class IpPrefix
{
    public static bool Matches(IPAddress client, IPAddress network, int prefixLength)
    {
        if (client.AddressFamily != network.AddressFamily)
        {
            return false;
        }
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        client.TryWriteBytes(a, out var len);
        network.TryWriteBytes(b, out _);
        var full = prefixLength / 8;
        if (!a[..full].SequenceEqual(b[..full]))
        {
            return false;
        }
        var rest = prefixLength % 8;
        if (rest == 0 || full >= len)
        {
            return true;
        }
        var mask = (byte)(0xFF << (8 - rest));
        return (a[full] & mask) == (b[full] & mask);
    }
}
