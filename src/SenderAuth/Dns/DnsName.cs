using System.Net;
using System.Text;

namespace SenderAuth.Dns;

/// <summary>Domain-name helpers shared by every protocol folder.</summary>
public static class DnsName
{
    /// <summary>Most characters of a name in text form without the trailing dot (RFC 1035 §2.3.4: 255 octets on the wire).</summary>
    public const int MaxLength = 253;

    /// <summary>Lower-case, no trailing dot: the form every resolver and cache keys on.</summary>
    public static string Normalize(string name)
    {
        var n = name.EndsWith('.') ? name[..^1] : name;
        return n.ToLowerInvariant();
    }

    /// <summary>
    /// RFC 1035 §2.3.4 limits (labels 1..63 octets, name at most 253 characters in text form, no empty label).
    /// </summary>
    public static bool IsValid(string name)
    {
        var n = name.EndsWith('.') ? name[..^1] : name;
        if (n.Length is 0 or > MaxLength)
        {
            return false;
        }
        foreach (var label in n.Split('.'))
        {
            if (label.Length is 0 or > 63)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The reverse-lookup name of an address (in-addr.arpa or nibble-format ip6.arpa).</summary>
    public static string ReverseName(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        var sb = new StringBuilder(72);
        if (bytes.Length == 4)
        {
            for (var i = 3; i >= 0; i--)
            {
                sb.Append(bytes[i]).Append('.');
            }
            return sb.Append("in-addr.arpa").ToString();
        }
        for (var i = 15; i >= 0; i--)
        {
            sb.Append(HexDigit(bytes[i] & 0xF)).Append('.').Append(HexDigit(bytes[i] >> 4)).Append('.');
        }
        return sb.Append("ip6.arpa").ToString();
    }

    private static char HexDigit(int v) => (char)(v < 10 ? '0' + v : 'a' + v - 10);

    /// <summary>True when <paramref name="name"/> equals <paramref name="parent"/> or is below it.</summary>
    public static bool IsSubdomainOf(string name, string parent)
    {
        var n = Normalize(name);
        var p = Normalize(parent);
        return n == p || (n.Length > p.Length && n.EndsWith(p, StringComparison.Ordinal) && n[n.Length - p.Length - 1] == '.');
    }
}
