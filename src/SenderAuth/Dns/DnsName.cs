using System.Net;
using System.Text;

namespace SenderAuth.Dns;

/// <summary>Domain-name helpers shared by every protocol folder.</summary>
public static class DnsName
{
    /// <summary>Most characters of a name in text form without the trailing dot (RFC 1035 §2.3.4: 255 octets on the wire).</summary>
    public const int MaxLength = 253;

    /// <summary>Lower-case, no trailing dot: the form every resolver and cache keys on.</summary>
    public static string Normalize(string name) => WithoutRootDot(name).ToLowerInvariant();

    /// <summary>The name without its trailing root dot; an escaped dot (<c>a\.</c>, part of the last label) stays.</summary>
    private static string WithoutRootDot(string name) =>
        name.EndsWith('.') && !IsEscapedAt(name, name.Length - 1) ? name[..^1] : name;

    /// <summary>True when the character at <paramref name="index"/> follows an odd run of backslashes.</summary>
    private static bool IsEscapedAt(string name, int index)
    {
        var backslashes = 0;
        for (var i = index - 1; i >= 0 && name[i] == '\\'; i--)
        {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /// <summary>
    /// RFC 1035 §2.3.4 limits (labels 1..63 octets, name at most 255 octets on the wire, no empty label); a name with
    /// escapes or non-ASCII text is measured in octets through <see cref="DnsLabels"/>.
    /// </summary>
    public static bool IsValid(string name)
    {
        var n = WithoutRootDot(name);
        if (n.Contains('\\', StringComparison.Ordinal) || !System.Text.Ascii.IsValid(n))
        {
            // Escapes (\., \DDD) or non-ASCII: count octets, not characters (DnsLabels).
            return n.Length > 0 && DnsLabels.TryParse(n, out _, out _);
        }
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
        // The dot before the parent must separate labels: in "a\.example.com" the parent is "com", not "example.com".
        return n == p || (n.Length > p.Length && n.EndsWith(p, StringComparison.Ordinal) && n[n.Length - p.Length - 1] == '.'
            && !IsEscapedAt(n, n.Length - p.Length - 1));
    }
}
