using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace SenderAuth.Dns;

/// <summary>
/// The data of one record of a master file, after its type: the presentation form of each stored type, or the
/// RFC 3597 generic form <c>\# length hex</c> of any type (decoded from the wire form for a stored type).
/// </summary>
internal sealed class ZoneRdata(ZoneReader reader, TokenCursor rdata)
{
    /// <summary>The record, or null for a type that is read but not stored (it is then listed as skipped).</summary>
    public DnsRecord? Read(string owner, uint ttl, ZoneToken typeToken)
    {
        var type = typeToken.Quoted ? null : ZoneTypes.Canonical(typeToken.Text);
        if (type is null)
        {
            throw rdata.Error(typeToken, $"unknown record type '{typeToken.Text}'");
        }
        if (rdata.Peek is { Quoted: false, Text: @"\#" })
        {
            var wire = Generic();
            if (ZoneTypes.IsSkipped(type))
            {
                reader.Skip(type);
                return null;
            }
            return FromWire(owner, ttl, type, wire, typeToken);
        }
        if (type.StartsWith("TYPE", StringComparison.Ordinal))
        {
            throw rdata.Error(typeToken, $"{type} needs its data in the RFC 3597 form '\\# length hex'");
        }
        if (ZoneTypes.IsSkipped(type))
        {
            reader.Skip(type);
            rdata.SkipRest();
            return null;
        }
        return type switch
        {
            "A" => new AddressRecord(owner, ttl, Address(rdata.Next("IPv4 address"), AddressFamily.InterNetwork)),
            "AAAA" => new AddressRecord(owner, ttl, Address(rdata.Next("IPv6 address"), AddressFamily.InterNetworkV6)),
            "MX" => new MxRecord(owner, ttl, Preference(rdata.Next("MX preference")), reader.Name(rdata.Next("MX exchange"))),
            "PTR" => new PtrRecord(owner, ttl, reader.Name(rdata.Next("PTR target"))),
            "CNAME" => new CnameRecord(owner, ttl, reader.Name(rdata.Next("CNAME target"))),
            "NS" => new NsRecord(owner, ttl, reader.Name(rdata.Next("NS target"))),
            "SOA" => Soa(owner, ttl),
            "TXT" => new TxtRecord(owner, ttl, Strings()),
            _ => new TxtRecord(owner, ttl, Strings(), DnsRecordType.Spf),
        };
    }

    private SoaRecord Soa(string owner, uint ttl)
    {
        var primary = reader.Name(rdata.Next("SOA primary server"));
        var mailbox = reader.Name(rdata.Next("SOA mailbox"));
        var serialToken = rdata.Next("SOA serial");
        var serial = !serialToken.Quoted && serialToken.Text.All(char.IsAsciiDigit)
            && uint.TryParse(serialToken.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            ? s : throw rdata.Error(serialToken, $"invalid SOA serial '{serialToken.Text}'");
        foreach (var field in (string[])["SOA refresh", "SOA retry", "SOA expire"])
        {
            reader.Ttl(rdata.Next(field), field);
        }
        return new SoaRecord(owner, ttl, primary, mailbox, serial, reader.Ttl(rdata.Next("SOA minimum"), "SOA minimum"));
    }

    private List<string> Strings()
    {
        var strings = new List<string>();
        var octets = 0;
        do
        {
            var token = rdata.Next("TXT string");
            if (token.Bytes.Length > 255)
            {
                throw rdata.Error(token, $"TXT string of {token.Bytes.Length} bytes, at most 255 allowed");
            }
            octets += token.Bytes.Length + 1;
            if (octets > ZoneFileLimits.MaxRdataOctets)
            {
                throw rdata.Error(token, $"TXT data of more than {ZoneFileLimits.MaxRdataOctets} octets");
            }
            strings.Add(Text(token.Bytes));
        }
        while (rdata.Peek is not null);
        return strings;
    }

    /// <summary>Zones write UTF-8 as \DDD octets; anything that is not UTF-8 is kept octet for octet (Latin-1).</summary>
    private static string Text(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);

    /// <summary>RFC 3597 §5: <c>\#</c>, the RDATA length in decimal, then that many octets in hex, in any number of
    /// words.</summary>
    private byte[] Generic()
    {
        rdata.Next("\\#");
        var lengthToken = rdata.Next("RDATA length");
        if (lengthToken.Quoted || lengthToken.Text.Length is 0 or > 5 || !lengthToken.Text.All(char.IsAsciiDigit)
            || !int.TryParse(lengthToken.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || length > ZoneFileLimits.MaxRdataOctets)
        {
            throw rdata.Error(lengthToken, $"invalid RDATA length '{lengthToken.Text}' (0-{ZoneFileLimits.MaxRdataOctets})");
        }
        var hex = new StringBuilder(length * 2);
        ZoneToken last = lengthToken;
        while (rdata.Peek is not null)
        {
            last = rdata.Next("hex data");
            if (last.Quoted || !last.Text.All(char.IsAsciiHexDigit))
            {
                throw rdata.Error(last, $"'{last.Text}' is not hex data");
            }
            if (hex.Length + last.Text.Length > length * 2)
            {
                throw rdata.Error(last, $"more hex data than the {length} octets announced");
            }
            hex.Append(last.Text);
        }
        return hex.Length == length * 2
            ? Convert.FromHexString(hex.ToString())
            : throw rdata.Error(last, $"{hex.Length / 2.0:0.#} octets of hex data where {length} were announced");
    }

    private DnsRecord FromWire(string owner, uint ttl, string type, byte[] wire, ZoneToken at)
    {
        var pos = 0;
        DnsRecord record = type switch
        {
            "A" or "AAAA" => wire.Length == (type == "A" ? 4 : 16)
                ? new AddressRecord(owner, ttl, new IPAddress(wire))
                : throw rdata.Error(at, $"{type} data of {wire.Length} octets"),
            "NS" => new NsRecord(owner, ttl, WireName(wire, ref pos, at)),
            "CNAME" => new CnameRecord(owner, ttl, WireName(wire, ref pos, at)),
            "PTR" => new PtrRecord(owner, ttl, WireName(wire, ref pos, at)),
            "MX" => wire.Length >= 2
                ? new MxRecord(owner, ttl, BinaryPrimitives.ReadUInt16BigEndian(wire), WireName(wire, ref pos, at, start: 2))
                : throw rdata.Error(at, "MX data shorter than its preference"),
            "SOA" => WireSoa(owner, ttl, wire, ref pos, at),
            _ => new TxtRecord(owner, ttl, WireStrings(wire, ref pos, at), type == "TXT" ? DnsRecordType.Txt : DnsRecordType.Spf),
        };
        if (record is not AddressRecord && pos != wire.Length)
        {
            throw rdata.Error(at, $"{wire.Length - pos} octets after the end of the {type} data");
        }
        return record;
    }

    private SoaRecord WireSoa(string owner, uint ttl, byte[] wire, ref int pos, ZoneToken at)
    {
        var primary = WireName(wire, ref pos, at);
        var mailbox = WireName(wire, ref pos, at);
        if (wire.Length - pos < 20)
        {
            throw rdata.Error(at, "SOA data shorter than its five numbers");
        }
        var serial = BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(pos));
        var minimum = BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(pos + 16));
        pos += 20;
        return new SoaRecord(owner, ttl, primary, mailbox, serial, minimum);
    }

    private List<string> WireStrings(byte[] wire, ref int pos, ZoneToken at)
    {
        var strings = new List<string>();
        do
        {
            if (pos >= wire.Length || pos + 1 + wire[pos] > wire.Length)
            {
                throw rdata.Error(at, "TXT data ends inside a character-string");
            }
            strings.Add(Text(wire.AsSpan(pos + 1, wire[pos])));
            pos += 1 + wire[pos];
        }
        while (pos < wire.Length);
        return strings;
    }

    /// <summary>An uncompressed wire name (RFC 3597 §4: no compression in generic data) in the engine's text form.</summary>
    private string WireName(byte[] wire, ref int pos, ZoneToken at, int start = -1)
    {
        if (start >= 0)
        {
            pos = start;
        }
        var labels = new List<byte[]>();
        while (true)
        {
            if (pos >= wire.Length)
            {
                throw rdata.Error(at, "name runs past the end of the data");
            }
            int length = wire[pos++];
            if (length == 0)
            {
                break;
            }
            if (length > DnsLabels.MaxLabelOctets)
            {
                throw rdata.Error(at, "compressed or over-long label in generic data");
            }
            if (pos + length > wire.Length)
            {
                throw rdata.Error(at, "label runs past the end of the data");
            }
            labels.Add(wire.AsSpan(pos, length).ToArray());
            pos += length;
        }
        return DnsLabels.Problem(labels) is { } problem ? throw rdata.Error(at, problem) : DnsLabels.ToText(labels);
    }

    private ushort Preference(ZoneToken token) =>
        !token.Quoted && token.Text.All(char.IsAsciiDigit)
        && ushort.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            ? p : throw rdata.Error(token, $"invalid MX preference '{token.Text}' (0-65535)");

    private IPAddress Address(ZoneToken token, AddressFamily family)
    {
        var text = token.Text;
        // IPAddress.TryParse also takes "10.1", "0x7f.1" and "fe80::1%eth0"; a zone must hold the canonical form.
        var plausible = !token.Quoted && (family == AddressFamily.InterNetwork
            ? text.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit))
            : text.Contains(':', StringComparison.Ordinal) && text.AsSpan().IndexOfAny("%[]/") < 0);
        return plausible && IPAddress.TryParse(text, out var address) && address.AddressFamily == family
            ? address
            : throw rdata.Error(token, $"invalid {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address '{text}'");
    }
}
