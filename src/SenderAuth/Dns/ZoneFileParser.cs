using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace SenderAuth.Dns;

/// <summary>
/// RFC 1035 §5 master-file reader: <c>$ORIGIN</c>, <c>$TTL</c> (seconds or BIND units such as <c>1h30m</c>),
/// <c>@</c>, relative names, blank owners, optional TTL and class in either order, comments, parentheses and
/// quoted strings with <c>\"</c>, <c>\\</c> and <c>\DDD</c> escapes. A, AAAA, MX, PTR, CNAME, NS, SOA, TXT
/// and SPF are stored; other common types are checked for shape only and listed in
/// <see cref="DnsZone.SkippedTypes"/>. Errors throw <see cref="ZoneFileException"/>.
/// </summary>
public static class ZoneFileParser
{
    /// <summary>Types seen in real zones (DNSSEC, service and certificate records) that no check here queries.</summary>
    private static readonly FrozenSet<string> Skippable = FrozenSet.Create(StringComparer.Ordinal,
        "DS", "DNSKEY", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "CDS", "CDNSKEY", "CAA", "SRV", "TLSA", "SMIMEA",
        "HTTPS", "SVCB", "SSHFP", "NAPTR", "HINFO", "LOC", "RP", "URI", "OPENPGPKEY", "ZONEMD", "CERT", "DNAME");

    /// <summary>Reads a zone file. Names must be absolute or follow a <c>$ORIGIN</c>; errors name the file.</summary>
    public static DnsZone ParseFile(string path)
    {
        var zone = new DnsZone();
        ParseInto(zone, File.ReadAllText(path), fileName: path);
        return zone;
    }

    /// <summary>Reads master-file text into a new zone.</summary>
    /// <param name="text">The text of one or more zones in RFC 1035 §5 syntax.</param>
    /// <param name="origin">Initial origin for relative names and <c>@</c>; null until a <c>$ORIGIN</c>.</param>
    /// <param name="defaultTtl">TTL of records without one, until a <c>$TTL</c> line.</param>
    public static DnsZone Parse(string text, string? origin = null, uint defaultTtl = 3600)
    {
        var zone = new DnsZone();
        ParseInto(zone, text, origin, defaultTtl);
        return zone;
    }

    /// <summary>Adds the records of master-file text to <paramref name="zone"/>; nothing is added if the text has
    /// an error. <paramref name="fileName"/> only prefixes error messages.</summary>
    public static void ParseInto(DnsZone zone, string text, string? origin = null, uint defaultTtl = 3600,
        string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(text);
        var reader = new ZoneReader(fileName, origin is null ? null : DnsName.Normalize(origin), defaultTtl);
        foreach (var entry in new ZoneFileTokenizer(text, fileName).ReadEntries())
        {
            reader.Read(entry);
        }
        foreach (var record in reader.Records)
        {
            zone.Add(record);
        }
        foreach (var type in reader.Skipped)
        {
            zone.AddSkippedType(type);
        }
    }

    private sealed class ZoneReader(string? fileName, string? origin, uint ttl)
    {
        private string? _previousOwner;

        public List<DnsRecord> Records { get; } = [];

        public HashSet<string> Skipped { get; } = new(StringComparer.Ordinal);

        public void Read(ZoneEntry entry)
        {
            var tokens = new TokenCursor(entry.Tokens, fileName);
            if (!entry.BlankOwner && tokens.Peek is { Quoted: false, Text: ['$', ..] })
            {
                Directive(tokens);
                return;
            }
            var owner = entry.BlankOwner
                ? _previousOwner ?? throw tokens.Error(tokens.Peek!.Value, "no previous owner for a line starting with blank")
                : Name(tokens.Next("owner name"));
            _previousOwner = owner;

            uint? recordTtl = null;
            var sawClass = false;
            var type = tokens.Next("record type");
            while (!type.Quoted && (IsClass(type.Text) || char.IsAsciiDigit(type.Text[0])))
            {
                if (!IsClass(type.Text))
                {
                    recordTtl = recordTtl is null ? Ttl(type, "TTL") : throw tokens.Error(type, "TTL given twice");
                }
                else if (sawClass)
                {
                    throw tokens.Error(type, "class given twice");
                }
                else if (!type.Text.Equals("IN", StringComparison.OrdinalIgnoreCase))
                {
                    throw tokens.Error(type, $"class {type.Text} not supported, only IN");
                }
                sawClass |= IsClass(type.Text);
                type = tokens.Next("record type");
            }
            Record(owner, recordTtl ?? ttl, type, tokens);
            tokens.End();
        }

        private void Record(string owner, uint recordTtl, ZoneToken type, TokenCursor rdata)
        {
            var name = type.Quoted ? "" : type.Text.ToUpperInvariant();
            if (Skippable.Contains(name) || IsGenericType(name))
            {
                Skipped.Add(name);
                rdata.SkipRest();
                return;
            }
            Records.Add(name switch
            {
                "A" => new AddressRecord(owner, recordTtl, Address(rdata.Next("IPv4 address"), AddressFamily.InterNetwork)),
                "AAAA" => new AddressRecord(owner, recordTtl, Address(rdata.Next("IPv6 address"), AddressFamily.InterNetworkV6)),
                "MX" => new MxRecord(owner, recordTtl, Preference(rdata.Next("MX preference")), Name(rdata.Next("MX exchange"))),
                "PTR" => new PtrRecord(owner, recordTtl, Name(rdata.Next("PTR target"))),
                "CNAME" => new CnameRecord(owner, recordTtl, Name(rdata.Next("CNAME target"))),
                "NS" => new NsRecord(owner, recordTtl, Name(rdata.Next("NS target"))),
                "SOA" => Soa(owner, recordTtl, rdata),
                "TXT" => new TxtRecord(owner, recordTtl, Strings(rdata)),
                "SPF" => new TxtRecord(owner, recordTtl, Strings(rdata), DnsRecordType.Spf),
                _ => throw rdata.Error(type, $"unknown record type '{type.Text}'"),
            });
        }

        private SoaRecord Soa(string owner, uint recordTtl, TokenCursor rdata)
        {
            var primary = Name(rdata.Next("SOA primary server"));
            var mailbox = Name(rdata.Next("SOA mailbox"));
            var serialToken = rdata.Next("SOA serial");
            var serial = !serialToken.Quoted && uint.TryParse(serialToken.Text, out var s) && serialToken.Text.All(char.IsAsciiDigit)
                ? s : throw rdata.Error(serialToken, $"invalid SOA serial '{serialToken.Text}'");
            foreach (var field in (string[])["SOA refresh", "SOA retry", "SOA expire"])
            {
                Ttl(rdata.Next(field), field);
            }
            return new SoaRecord(owner, recordTtl, primary, mailbox, serial, Ttl(rdata.Next("SOA minimum"), "SOA minimum"));
        }

        private List<string> Strings(TokenCursor rdata)
        {
            var strings = new List<string> { Text(rdata.Next("TXT string")) };
            while (rdata.Peek is not null)
            {
                strings.Add(Text(rdata.Next("TXT string")));
            }
            return strings;

            string Text(ZoneToken token) => token.Bytes.Length > 255
                ? throw rdata.Error(token, $"TXT string of {token.Bytes.Length} bytes, at most 255 allowed")
                // Zones write UTF-8 as \DDD bytes; anything that is not UTF-8 is kept byte for byte.
                : Utf8.IsValid(token.Bytes) ? Encoding.UTF8.GetString(token.Bytes) : Encoding.Latin1.GetString(token.Bytes);
        }

        private void Directive(TokenCursor tokens)
        {
            var directive = tokens.Next("directive");
            switch (directive.Text.ToUpperInvariant())
            {
                case "$ORIGIN":
                    origin = Name(tokens.Next("$ORIGIN name"));
                    break;
                case "$TTL":
                    ttl = Ttl(tokens.Next("$TTL value"), "TTL");
                    break;
                case "$INCLUDE":
                    throw tokens.Error(directive, "$INCLUDE is not supported; concatenate the files instead");
                default:
                    throw tokens.Error(directive, $"unknown directive '{directive.Text}'");
            }
            tokens.End();
        }

        private string Name(ZoneToken token)
        {
            if (token.Quoted || token.Text.Contains('\\', StringComparison.Ordinal))
            {
                throw Error(token, $"invalid domain name '{token.Text}' (quotes and escapes are not supported in names)");
            }
            string name;
            if (token.Text == "@" || token.Text.EndsWith('.'))
            {
                name = token.Text == "@" ? origin ?? throw Error(token, "'@' used before any $ORIGIN") : DnsName.Normalize(token.Text);
            }
            else
            {
                name = origin switch
                {
                    null => throw Error(token, $"relative name '{token.Text}' used before any $ORIGIN"),
                    "" => DnsName.Normalize(token.Text),
                    _ => DnsName.Normalize(token.Text + "." + origin),
                };
            }
            // "" is the root, valid as a target (null MX, RFC 7505) though DnsName.IsValid rejects it.
            return name.Length == 0 || DnsName.IsValid(name) ? name : throw Error(token, $"invalid domain name '{token.Text}'");
        }

        private uint Ttl(ZoneToken token, string what) =>
            !token.Quoted && TryParseTtl(token.Text, out var value) ? value : throw Error(token, $"invalid {what} '{token.Text}'");

        private ushort Preference(ZoneToken token) =>
            !token.Quoted && token.Text.All(char.IsAsciiDigit) && ushort.TryParse(token.Text, out var p)
                ? p : throw Error(token, $"invalid MX preference '{token.Text}' (0-65535)");

        private IPAddress Address(ZoneToken token, AddressFamily family)
        {
            var text = token.Text;
            // IPAddress.TryParse also takes "10.1", "0x7f.1" and "fe80::1%eth0"; a zone must hold the canonical form.
            var plausible = !token.Quoted && (family == AddressFamily.InterNetwork
                ? text.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit))
                : text.Contains(':', StringComparison.Ordinal) && text.AsSpan().IndexOfAny("%[]/") < 0);
            return plausible && IPAddress.TryParse(text, out var address) && address.AddressFamily == family
                ? address
                : throw Error(token, $"invalid {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address '{text}'");
        }

        private ZoneFileException Error(ZoneToken token, string reason) => new(fileName, token.Line, token.Column, reason);
    }

    private static bool IsClass(string word) =>
        word.ToUpperInvariant() is "IN" or "CH" or "CS" or "HS";

    /// <summary>RFC 3597 generic type names such as <c>TYPE65534</c>.</summary>
    private static bool IsGenericType(string name) =>
        name.StartsWith("TYPE", StringComparison.Ordinal) && name.Length > 4 && name[4..].All(char.IsAsciiDigit)
        && ushort.TryParse(name.AsSpan(4), out _);

    /// <summary>Seconds, or BIND's unit form: <c>1w</c>, <c>2d</c>, <c>1h30m</c>, <c>90s</c> (case-insensitive).
    /// At most 2^31-1, the RFC 2181 §8 limit.</summary>
    internal static bool TryParseTtl(string text, out uint value)
    {
        ulong total = 0, current = 0;
        var digits = 0;
        value = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                current = current * 10 + (ulong)(c - '0');
                if (++digits > 10)
                {
                    return false;
                }
                continue;
            }
            ulong unit = char.ToLowerInvariant(c) switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, 'w' => 604800, _ => 0 };
            if (unit == 0 || digits == 0)
            {
                return false;
            }
            total += current * unit;
            (current, digits) = (0, 0);
            if (total > int.MaxValue)
            {
                return false;
            }
        }
        total += current;
        if (text.Length == 0 || total > int.MaxValue)
        {
            return false;
        }
        value = (uint)total;
        return true;
    }
}
