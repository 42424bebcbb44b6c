using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SenderAuth.Spf;

/// <summary>
/// Parses <c>v=spf1</c> records by the ABNF of RFC 7208 §12. The whole record is parsed before anything is
/// evaluated, so a syntax error anywhere is a permerror with its column, never a half-evaluated policy (§4.6).
/// </summary>
public static class SpfParser
{
    private const string Version = "v=spf1";

    /// <summary>True when a TXT string is an SPF version 1 record: "v=spf1" then a space or the end (§4.5).</summary>
    public static bool IsSpfRecord(string text) =>
        text.StartsWith(Version, StringComparison.OrdinalIgnoreCase) && (text.Length == Version.Length || text[Version.Length] == ' ');

    /// <summary>Parses a record; returns null and the error (column and reason) when it is not valid.</summary>
    public static SpfRecord? Parse(string text, out SpfSyntaxError? error)
    {
        error = null;
        if (!IsSpfRecord(text))
        {
            error = new SpfSyntaxError(1, "the record does not start with \"v=spf1\" followed by a space");
            return null;
        }
        var mechanisms = new List<SpfMechanism>();
        var others = new List<SpfModifier>();
        SpfModifier? redirect = null, exp = null;
        var i = Version.Length;
        while (i < text.Length)
        {
            if (text[i] == ' ')
            {
                i++;
                continue;
            }
            var end = text.IndexOf(' ', i);
            if (end < 0)
            {
                end = text.Length;
            }
            var term = text[i..end];
            var position = i + 1;
            i = end;
            var modifier = TryModifier(term, position, ref error);
            if (error is not null)
            {
                return null;
            }
            if (modifier is null)
            {
                var mechanism = ParseMechanism(term, position, out error);
                if (mechanism is null)
                {
                    return null;
                }
                mechanisms.Add(mechanism);
                continue;
            }
            switch (modifier.Name)
            {
                case "redirect" when redirect is not null:
                case "exp" when exp is not null:
                    error = new SpfSyntaxError(position, $"the \"{modifier.Name}\" modifier appears more than once (RFC 7208 §6)");
                    return null;
                case "redirect":
                    redirect = modifier;
                    break;
                case "exp":
                    exp = modifier;
                    break;
                default:
                    others.Add(modifier);
                    break;
            }
        }
        return new SpfRecord(text, mechanisms, redirect, exp, others);
    }

    /// <summary>A term is a modifier when its name (ALPHA *(ALPHA/DIGIT/-/_/.)) is followed by '='.</summary>
    private static SpfModifier? TryModifier(string term, int position, ref SpfSyntaxError? error)
    {
        var n = 0;
        while (n < term.Length && (char.IsAsciiLetterOrDigit(term[n]) || term[n] is '-' or '_' or '.'))
        {
            n++;
        }
        if (n == 0 || n >= term.Length || term[n] != '=' || !char.IsAsciiLetter(term[0]))
        {
            return null;
        }
        var name = term[..n].ToLowerInvariant();
        var value = SpfMacroString.TryParse(term[(n + 1)..], position + n + 1, allowSpace: false, out error);
        if (value is null)
        {
            return null;
        }
        if (name is "redirect" or "exp" && !IsDomainSpec(value, position + n + 1, out error))
        {
            return null;
        }
        return new SpfModifier(name, value, term, position);
    }

    private static SpfMechanism? ParseMechanism(string term, int position, out SpfSyntaxError? error)
    {
        error = null;
        var qualifier = SpfQualifier.Pass;
        var start = 0;
        switch (term[0])
        {
            case '+': start = 1; break;
            case '-': qualifier = SpfQualifier.Fail; start = 1; break;
            case '~': qualifier = SpfQualifier.SoftFail; start = 1; break;
            case '?': qualifier = SpfQualifier.Neutral; start = 1; break;
        }
        var nameEnd = start;
        while (nameEnd < term.Length && char.IsAsciiLetterOrDigit(term[nameEnd]))
        {
            nameEnd++;
        }
        var name = term[start..nameEnd].ToLowerInvariant();
        var rest = term[nameEnd..];
        var restPosition = position + nameEnd;
        SpfMechanism Make(SpfMechanismKind kind, SpfMacroString? spec = null, IPAddress? net = null, int c4 = 32, int c6 = 128) =>
            new(qualifier, kind, term, position, spec, net, c4, c6);

        switch (name)
        {
            case "all":
                if (rest.Length > 0)
                {
                    error = new SpfSyntaxError(restPosition, $"\"all\" takes no argument, found \"{rest}\"");
                    return null;
                }
                return Make(SpfMechanismKind.All);
            case "include":
            case "exists":
                if (!rest.StartsWith(':'))
                {
                    error = new SpfSyntaxError(restPosition, $"\"{name}\" needs \":domain\"");
                    return null;
                }
                var spec = ParseDomainSpec(rest[1..], restPosition + 1, out error);
                return spec is null ? null : Make(name == "include" ? SpfMechanismKind.Include : SpfMechanismKind.Exists, spec);
            case "a":
            case "mx":
            case "ptr":
                return ParseHostMechanism(name, rest, restPosition, Make, out error);
            case "ip4":
            case "ip6":
                return ParseIpMechanism(name, rest, restPosition, Make, out error);
            default:
                error = new SpfSyntaxError(position, string.IsNullOrEmpty(name) && start < term.Length
                    ? $"unexpected character U+{(int)term[start]:X4} in \"{term}\""
                    : $"unknown mechanism \"{term[start..]}\"");
                return null;
        }
    }

    private delegate SpfMechanism MakeMechanism(SpfMechanismKind kind, SpfMacroString? spec = null, IPAddress? net = null, int c4 = 32, int c6 = 128);

    private static SpfMechanism? ParseHostMechanism(string name, string rest, int position, MakeMechanism make, out SpfSyntaxError? error)
    {
        error = null;
        var kind = name switch { "a" => SpfMechanismKind.A, "mx" => SpfMechanismKind.Mx, _ => SpfMechanismKind.Ptr };
        SpfMacroString? spec = null;
        var cidrText = rest;
        var cidrPosition = position;
        if (rest.StartsWith(':'))
        {
            // The domain-spec ends where the dual-cidr-length begins: a '/' followed by digits up to the end.
            var slash = kind == SpfMechanismKind.Ptr ? -1 : FindCidrStart(rest);
            var specText = slash < 0 ? rest[1..] : rest[1..slash];
            spec = ParseDomainSpec(specText, position + 1, out error);
            if (spec is null)
            {
                return null;
            }
            cidrText = slash < 0 ? string.Empty : rest[slash..];
            cidrPosition = position + (slash < 0 ? rest.Length : slash);
        }
        if (kind == SpfMechanismKind.Ptr)
        {
            if (cidrText.Length > 0)
            {
                error = new SpfSyntaxError(cidrPosition, $"\"ptr\" takes no CIDR length, found \"{cidrText}\"");
                return null;
            }
            return make(kind, spec);
        }
        if (!ParseDualCidr(cidrText, cidrPosition, out var c4, out var c6, out error))
        {
            return null;
        }
        return make(kind, spec, null, c4, c6);
    }

    private static int FindCidrStart(string rest)
    {
        // Scan from the end over "/digits" and an optional "//digits" so that a macro delimiter '/' in
        // "%{d/}" is not taken for a CIDR length.
        var i = rest.Length;
        for (var groups = 0; groups < 2; groups++)
        {
            var j = i;
            while (j > 0 && char.IsAsciiDigit(rest[j - 1]))
            {
                j--;
            }
            if (j == i || j == 0 || rest[j - 1] != '/')
            {
                break;
            }
            i = j - 1;
            if (i > 0 && rest[i - 1] == '/')
            {
                i--;
                break;
            }
        }
        return i == rest.Length ? -1 : i;
    }

    private static bool ParseDualCidr(string text, int position, out int c4, out int c6, out SpfSyntaxError? error)
    {
        c4 = 32;
        c6 = 128;
        error = null;
        if (text.Length == 0)
        {
            return true;
        }
        var parts = text.Split('/');
        // "/24" → ["", "24"]; "//64" → ["", "", "64"]; "/24//64" → ["", "24", "", "64"].
        var ok = parts switch
        {
            ["", var v4] => TryCidr(v4, 32, out c4),
            ["", "", var v6] => TryCidr(v6, 128, out c6),
            ["", var v4, "", var v6] => TryCidr(v4, 32, out c4) && TryCidr(v6, 128, out c6),
            _ => false,
        };
        if (!ok)
        {
            error = new SpfSyntaxError(position, $"invalid CIDR length \"{text}\" (ip4 0-32, ip6 0-128, no leading zeros)");
        }
        return ok;
    }

    private static bool TryCidr(string digits, int max, out int value)
    {
        value = 0;
        return digits.Length is > 0 and <= 3 && (digits.Length == 1 || digits[0] != '0') && digits.All(char.IsAsciiDigit)
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= max;
    }

    private static SpfMechanism? ParseIpMechanism(string name, string rest, int position, MakeMechanism make, out SpfSyntaxError? error)
    {
        error = null;
        if (!rest.StartsWith(':'))
        {
            error = new SpfSyntaxError(position, $"\"{name}\" needs \":address\"");
            return null;
        }
        var v6 = name == "ip6";
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? rest[1..] : rest[1..slash];
        var max = v6 ? 128 : 32;
        var prefix = max;
        if (slash >= 0 && !TryCidr(rest[(slash + 1)..], max, out prefix))
        {
            error = new SpfSyntaxError(position + slash, $"invalid CIDR length \"{rest[slash..]}\" for {name} (0-{max}, no leading zeros)");
            return null;
        }
        var address = v6 ? ParseIp6(addressText) : ParseIp4(addressText);
        if (address is null)
        {
            error = new SpfSyntaxError(position + 1, $"\"{addressText}\" is not an {(v6 ? "IPv6" : "IPv4")} address");
            return null;
        }
        return v6 ? make(SpfMechanismKind.Ip6, null, address, 32, prefix) : make(SpfMechanismKind.Ip4, null, address, prefix);
    }

    /// <summary>Strict dotted quad (RFC 7208 ip4-network): IPAddress.Parse also accepts "1.2.3" and "0x7f.1".</summary>
    internal static IPAddress? ParseIp4(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }
        var bytes = new byte[4];
        for (var k = 0; k < 4; k++)
        {
            var p = parts[k];
            if (p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0') || !p.All(char.IsAsciiDigit))
            {
                return null;
            }
            var v = int.Parse(p, CultureInfo.InvariantCulture);
            if (v > 255)
            {
                return null;
            }
            bytes[k] = (byte)v;
        }
        return new IPAddress(bytes);
    }

    private static IPAddress? ParseIp6(string text) =>
        text.Contains(':', StringComparison.Ordinal) && !text.Contains('%', StringComparison.Ordinal)
        && IPAddress.TryParse(text, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6 ? a : null;

    private static SpfMacroString? ParseDomainSpec(string text, int position, out SpfSyntaxError? error)
    {
        if (text.Length == 0)
        {
            error = new SpfSyntaxError(position, "empty domain-spec");
            return null;
        }
        var spec = SpfMacroString.TryParse(text, position, allowSpace: false, out error);
        return spec is not null && IsDomainSpec(spec, position, out error) ? spec : null;
    }

    /// <summary>domain-end (RFC 7208 §7.1): a macro, or "." and a top label that is not all digits.</summary>
    private static bool IsDomainSpec(SpfMacroString spec, int position, out SpfSyntaxError? error)
    {
        error = null;
        if (spec.UsesExplanationOnlyLetters)
        {
            error = new SpfSyntaxError(position, $"\"{spec.Text}\" uses %{{c}}, %{{r}} or %{{t}}, which only explanation text may use (RFC 7208 §7.2)");
            return false;
        }
        if (spec.EndsWithMacro)
        {
            return true;
        }
        var text = spec.Text.EndsWith('.') ? spec.Text[..^1] : spec.Text;
        var dot = text.LastIndexOf('.');
        var top = dot < 0 ? string.Empty : text[(dot + 1)..];
        var valid = dot >= 0 && top.Length > 0 && top.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            && top[0] != '-' && top[^1] != '-' && (top.Any(char.IsAsciiLetter) || top.Contains('-', StringComparison.Ordinal));
        if (!valid)
        {
            error = new SpfSyntaxError(position, $"\"{spec.Text}\" does not end in a valid top-level label (RFC 7208 §7.1 domain-end)");
        }
        return valid;
    }
}
