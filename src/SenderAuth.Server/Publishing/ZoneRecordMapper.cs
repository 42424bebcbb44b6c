using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using DnsName = SenderAuth.Dns.DnsName;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// Turns <see cref="ZoneRecord"/>s into ARSoft records for the wire, and gives every record a key that ignores
/// case and TTL so that the zone a server holds can be compared with the zone wanted.
/// Targets in <see cref="ZoneRecord.Data"/> (CNAME, MX) are absolute, like owner names, with or without the dot.
/// NS is not content: the apex NS records are the publisher's, and the zone delegates nothing.
/// </summary>
internal static class ZoneRecordMapper
{
    public static readonly IReadOnlySet<string> SupportedTypes = new HashSet<string>(StringComparer.Ordinal) { "TXT", "CNAME", "A", "AAAA", "MX" };

    /// <summary>Checks every record against the zone and converts it; throws <see cref="ZonePublishException"/> naming the first bad one.</summary>
    public static IReadOnlyList<DnsRecordBase> ToWire(ProviderZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var origin = DnsName.Normalize(zone.Origin);
        if (!DnsName.IsValid(origin))
        {
            throw new ZonePublishException($"the provider zone's origin '{zone.Origin}' is not a valid domain name");
        }
        var records = new List<DnsRecordBase>(zone.Records.Count);
        foreach (var record in zone.Records)
        {
            records.Add(ToWire(record, origin));
        }
        return records;
    }

    public static DnsRecordBase ToWire(ZoneRecord record, string origin)
    {
        ArgumentNullException.ThrowIfNull(record);
        var name = DnsName.Normalize(record.Name);
        if (!DnsName.IsValid(name) || !DnsName.IsSubdomainOf(name, origin))
        {
            throw new ZonePublishException($"record {record.Name} {record.Type} is not inside the zone {origin}");
        }
        if (record.Ttl < 0)
        {
            throw new ZonePublishException($"record {record.Name} {record.Type} has a negative TTL");
        }
        var type = record.Type.ToUpperInvariant();
        var owner = DomainName.Parse(name);
        try
        {
            return type switch
            {
                "TXT" => new TxtRecord(owner, record.Ttl, CheckedStrings(record)),
                "CNAME" => new CNameRecord(owner, record.Ttl, Target(record.Data)),
                "A" => new ARecord(owner, record.Ttl, Address(record.Data, AddressFamily.InterNetwork)),
                "AAAA" => new AaaaRecord(owner, record.Ttl, Address(record.Data, AddressFamily.InterNetworkV6)),
                "MX" => Mx(owner, record),
                _ => throw new ZonePublishException($"record {record.Name}: type {record.Type} is not supported (only {string.Join(", ", SupportedTypes.Order(StringComparer.Ordinal))})"),
            };
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new ZonePublishException($"record {record.Name} {record.Type}: '{record.Data}' is not valid data: {ex.Message}", ex);
        }
    }

    /// <summary>The TXT character-strings of a record: <see cref="ZoneRecord.TxtStrings"/>, or else the quoted strings of its data.</summary>
    public static IReadOnlyList<string> Strings(ZoneRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.TxtStrings.Count > 0 ? record.TxtStrings : TxtPresentation.Parse(record.Data);
    }

    /// <summary>Owner, type and RDATA, case-folded where DNS ignores case; TTL left out.</summary>
    public static string Key(DnsRecordBase record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var name = DnsName.Normalize(record.Name.ToString());
        var data = record switch
        {
            TextRecordBase txt => string.Join("\0", txt.TextParts.Select(p => p.Length.ToString(CultureInfo.InvariantCulture) + ":" + p)),
            CNameRecord c => Lower(c.CanonicalName),
            NsRecord n => Lower(n.NameServer),
            MxRecord m => m.Preference.ToString(CultureInfo.InvariantCulture) + " " + Lower(m.ExchangeDomainName),
            AddressRecordBase a => a.Address.ToString(),
            // Types SenderAuth never writes only need a key that matches nothing it wants.
            _ => record.ToString(),
        };
        return name + " " + record.RecordType + " " + data;
    }

    private static string Lower(DomainName name) => DnsName.Normalize(name.ToString());

    private static List<string> CheckedStrings(ZoneRecord record)
    {
        var strings = Strings(record).ToList();
        if (strings.Count == 0)
        {
            throw new ZonePublishException($"record {record.Name} TXT has no character-string");
        }
        foreach (var s in strings)
        {
            if (Encoding.UTF8.GetByteCount(s) > 255)
            {
                throw new ZonePublishException($"record {record.Name} TXT has a character-string longer than 255 bytes (split it)");
            }
        }
        return strings;
    }

    private static DomainName Target(string data)
    {
        var target = DnsName.Normalize(data.Trim());
        if (!DnsName.IsValid(target))
        {
            throw new FormatException("not a domain name");
        }
        return DomainName.Parse(target);
    }

    private static IPAddress Address(string data, AddressFamily family)
    {
        var address = IPAddress.Parse(data.Trim());
        return address.AddressFamily == family ? address : throw new FormatException("wrong address family");
    }

    private static MxRecord Mx(DomainName owner, ZoneRecord record)
    {
        var parts = record.Data.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            throw new FormatException("expected 'preference exchange'");
        }
        return new MxRecord(owner, record.Ttl, ushort.Parse(parts[0], CultureInfo.InvariantCulture), Target(parts[1]));
    }
}
