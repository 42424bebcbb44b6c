using System.Net;
using System.Net.Sockets;

namespace SenderAuth.Server.Hosting;

/// <summary>
/// Lists of networks in settings (webhook allowlist, milter peers): CIDR (<c>10.20.0.0/16</c>, <c>fd00::/64</c>) or a
/// bare address (one host), parsed by System.Net.IPNetwork; membership judges an IPv4-mapped IPv6 address
/// (<c>::ffff:10.0.0.1</c>, as dual-stack sockets report IPv4 peers) by its IPv4 address.
/// </summary>
public static class NetworkList
{
    /// <summary>The entries that parse; <paramref name="invalid"/> lists those that do not.</summary>
    public static List<IPNetwork> Parse(IEnumerable<string> texts, out List<string> invalid)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var networks = new List<IPNetwork>();
        invalid = [];
        foreach (var text in texts)
        {
            if (TryParse(text, out var network))
            {
                networks.Add(network);
            }
            else
            {
                invalid.Add(text);
            }
        }
        return networks;
    }

    public static bool TryParse(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var trimmed = text.Trim();
        var cidr = trimmed.Contains('/', StringComparison.Ordinal) ? trimmed
            : IPAddress.TryParse(trimmed, out var single) ? $"{single}/{(single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)}" : trimmed;
        return IPNetwork.TryParse(cidr, out network);
    }

    public static bool Contains(IEnumerable<IPNetwork> networks, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(address);
        var v4 = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : null;
        return networks.Any(n => n.Contains(address) || (v4 is not null && n.Contains(v4)));
    }
}
