using System.Net;
using System.Net.Sockets;

namespace SenderAuth.Server.Webhooks;

/// <summary>
/// Which addresses a webhook may connect to: every address except the host's own and internal ones (loopback,
/// link-local with the cloud metadata address 169.254.169.254, RFC 1918 private, CGNAT 100.64/10, unique-local
/// fc00::/7, unspecified, multicast, reserved and documentation ranges), unless an operator lists the network in
/// Notifications:AllowedNetworks. Otherwise an institution key could make the server POST into, and scan, the
/// internal network. IPv6 forms that carry an IPv4 address (mapped ::ffff:0:0/96, compatible ::/96, NAT64
/// 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4 address.
/// </summary>
/// <remarks>
/// The list follows the IANA special-purpose registries (RFC 6890): every block not globally reachable. It is applied
/// to the address actually connected (<see cref="WebhookConnector"/>), after DNS, so a name that resolves to
/// 127.0.0.1 or is rebound between checks gets nowhere.
/// </remarks>
public sealed class WebhookAddressPolicy
{
    private static readonly (IPNetwork Network, string Why)[] Forbidden =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified (\"this network\") address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address (RFC 1918)"),
        (IPNetwork.Parse("100.64.0.0/10"), "a shared carrier-grade NAT address (RFC 6598)"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (cloud metadata lives at 169.254.169.254)"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address (RFC 1918)"),
        (IPNetwork.Parse("192.0.0.0/24"), "an IETF protocol address (RFC 6890)"),
        (IPNetwork.Parse("192.0.2.0/24"), "a documentation address (RFC 5737)"),
        (IPNetwork.Parse("192.88.99.0/24"), "a 6to4 relay anycast address"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address (RFC 1918)"),
        (IPNetwork.Parse("198.18.0.0/15"), "a benchmarking address (RFC 2544)"),
        (IPNetwork.Parse("198.51.100.0/24"), "a documentation address (RFC 5737)"),
        (IPNetwork.Parse("203.0.113.0/24"), "a documentation address (RFC 5737)"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved or broadcast address"),
        (IPNetwork.Parse("::/128"), "the unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("100::/64"), "a discard-only address (RFC 6666)"),
        (IPNetwork.Parse("2001:db8::/32"), "a documentation address (RFC 3849)"),
        (IPNetwork.Parse("fc00::/7"), "a unique-local address (RFC 4193)"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("fec0::/10"), "a site-local address"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");

    private readonly IReadOnlyList<IPNetwork> _allowed;

    /// <param name="allowedNetworks">Networks an operator allows although internal (CIDR, e.g. <c>10.20.0.0/16</c>); parsed by <see cref="ParseNetworks"/>.</param>
    public WebhookAddressPolicy(IEnumerable<IPNetwork> allowedNetworks) => _allowed = [.. allowedNetworks];

    public static WebhookAddressPolicy From(NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WebhookAddressPolicy(ParseNetworks(options.AllowedNetworks, out _));
    }

    /// <summary>The networks that parse as CIDR (or one address); <paramref name="invalid"/> lists the entries that do not.</summary>
    public static List<IPNetwork> ParseNetworks(IEnumerable<string> texts, out List<string> invalid) => NetworkList.Parse(texts, out invalid);

    /// <summary>Null when a webhook may connect to <paramref name="address"/>; otherwise what the address is (for the operator's log and a registration error).</summary>
    public string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            // A scoped address names an interface of this host: internal whatever its prefix.
            address = new IPAddress(address.GetAddressBytes());
        }
        if (_allowed.Any(n => n.Contains(address)))
        {
            return null;
        }
        var judged = Embedded(address);
        if (!judged.Equals(address) && _allowed.Any(n => n.Contains(judged)))
        {
            return null;
        }
        foreach (var (network, why) in Forbidden)
        {
            if (network.Contains(judged))
            {
                return judged.Equals(address) ? why : $"{why}, carried in {address}";
            }
        }
        return null;
    }

    /// <summary>The IPv4 address an IPv6 form carries (mapped, compatible, NAT64, 6to4), else the address itself.</summary>
    internal static IPAddress Embedded(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address) || (Compatible.Contains(address) && !address.Equals(IPAddress.IPv6None) && !address.Equals(IPAddress.IPv6Loopback)))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }
        return SixToFour.Contains(address) ? new IPAddress(bytes.AsSpan(2, 4)) : address;
    }
}
