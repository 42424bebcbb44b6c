using System.Net;

namespace SenderAuth.Store.Reports.Analysis;

/// <summary>
/// Attributes each source: our networks first (configuration), then the institution's declared senders (by
/// network or by DKIM d=), then forwarding (most of its mail keeps an aligned DKIM pass while aligned SPF fails,
/// or the reporter said so), then whether anything authenticates at all.
/// </summary>
public sealed class SourceAttribution
{
    private readonly IReadOnlyList<IPNetwork> _platform;
    private readonly IReadOnlyList<(string Name, IReadOnlyList<IPNetwork> Networks, IReadOnlyList<string> DkimDomains)> _declared;

    public SourceAttribution(IEnumerable<string> platformNetworks, IEnumerable<KnownSender> declared)
    {
        ArgumentNullException.ThrowIfNull(platformNetworks);
        ArgumentNullException.ThrowIfNull(declared);
        _platform = platformNetworks.Select(Network).ToList();
        _declared = declared.Select(k => (k.Name,
            (IReadOnlyList<IPNetwork>)Split(k.Networks).Select(Network).ToList(),
            (IReadOnlyList<string>)Split(k.DkimDomains).Select(d => d.ToLowerInvariant()).ToList())).ToList();
    }

    public bool IsPlatform(string ip) => IPAddress.TryParse(ip, out var a) && _platform.Any(n => n.Contains(a));

    public AttributedSource Attribute(SourceAggregate s, string? reverseName = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        var address = IPAddress.TryParse(s.Ip, out var a) ? a : null;
        if (address is not null && _platform.Any(n => n.Contains(address)))
        {
            return new(s, SourceCategory.Platform, null, reverseName);
        }
        foreach (var (name, networks, dkim) in _declared)
        {
            if ((address is not null && networks.Any(n => n.Contains(address)))
                || s.DkimDomains.Any(d => dkim.Any(k => d == k || d.EndsWith("." + k, StringComparison.Ordinal))))
            {
                return new(s, SourceCategory.Declared, name, reverseName);
            }
        }
        // Forwarders re-send from their own IPs: SPF fails, an intact DKIM signature still aligns.
        if (s.Forwarded * 2 >= s.Messages || (s.DkimAligned * 2 > s.Messages && s.SpfAligned * 10 < s.Messages))
        {
            return new(s, SourceCategory.Forwarder, reverseName, reverseName);
        }
        if (s.DkimAuthPass * 2 > s.Messages || s.SpfAuthPass * 2 > s.Messages)
        {
            return new(s, SourceCategory.ThirdParty, s.DkimDomains.FirstOrDefault() ?? s.SpfDomains.FirstOrDefault(), reverseName);
        }
        return new(s, SourceCategory.Unknown, null, reverseName);
    }

    private static IEnumerable<string> Split(string list) =>
        list.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A bare address is a /32 or /128; host bits below the prefix are cleared (people write 192.0.2.7/24).</summary>
    /// <exception cref="FormatException">Not an address or CIDR.</exception>
    internal static IPNetwork Network(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var bytes = IPAddress.Parse(slash < 0 ? cidr : cidr[..slash]).GetAddressBytes();
        var prefix = slash < 0 ? bytes.Length * 8 : int.Parse(cidr[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
        if (prefix > bytes.Length * 8)
        {
            throw new FormatException($"prefix /{prefix} is too long for {cidr}");
        }
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}
