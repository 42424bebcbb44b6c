using System.Collections.Frozen;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using DnsName = SenderAuth.Dns.DnsName;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// One published version of the zone, never changed after it is built: the built-in server swaps whole snapshots,
/// so a query reads one consistent version without locks. Keys are normalised names (lower case, no dot).
/// </summary>
internal sealed class ZoneSnapshot
{
    private readonly FrozenDictionary<string, FrozenDictionary<RecordType, DnsRecordBase[]>> _names;
    private readonly FrozenSet<string> _emptyNonTerminals;

    private ZoneSnapshot(string origin, uint serial, SoaRecord soa,
        FrozenDictionary<string, FrozenDictionary<RecordType, DnsRecordBase[]>> names, FrozenSet<string> emptyNonTerminals)
    {
        Origin = origin;
        Serial = serial;
        Soa = soa;
        _names = names;
        _emptyNonTerminals = emptyNonTerminals;
    }

    public string Origin { get; }

    public uint Serial { get; }

    public SoaRecord Soa { get; }

    /// <summary>The SOA for the authority section of negative answers: its TTL capped at MINIMUM (RFC 2308 §3).</summary>
    public SoaRecord NegativeSoa => new(Soa.Name, Math.Min(Soa.TimeToLive, Soa.NegativeCachingTTL), Soa.MasterName,
        Soa.ResponsibleName, Soa.SerialNumber, Soa.RefreshInterval, Soa.RetryInterval, Soa.ExpireInterval, Soa.NegativeCachingTTL);

    public static ZoneSnapshot Build(ProviderZone zone, IReadOnlyList<string>? nsNames, string? soaMailbox)
    {
        var records = ZoneRecordMapper.ToWire(zone);
        var apex = ZoneApex.For(zone, nsNames, soaMailbox);
        var origin = DomainName.Parse(apex.Origin);
        var soa = new SoaRecord(origin, ZoneApex.Ttl, DomainName.Parse(apex.Mname), DomainName.Parse(apex.Rname), apex.Serial,
            ZoneApex.Refresh, ZoneApex.Retry, ZoneApex.Expire, ZoneApex.Minimum);
        var all = new List<DnsRecordBase>(records.Count + 1 + apex.NsNames.Count) { soa };
        all.AddRange(apex.NsNames.Select(ns => new NsRecord(origin, ZoneApex.Ttl, DomainName.Parse(ns))));
        all.AddRange(records);

        var byName = all
            .GroupBy(r => DnsName.Normalize(r.Name.ToString()), StringComparer.Ordinal)
            .ToFrozenDictionary(
                g => g.Key,
                g => g.GroupBy(r => r.RecordType).ToFrozenDictionary(t => t.Key, t => Distinct(t)),
                StringComparer.Ordinal);
        foreach (var (name, types) in byName)
        {
            if (types.ContainsKey(RecordType.CName) && types.Count > 1)
            {
                throw new ZonePublishException($"{name} has a CNAME and other records (RFC 1034 §3.6.2 allows only the CNAME)");
            }
        }
        return new ZoneSnapshot(apex.Origin, apex.Serial, soa, byName, EmptyNonTerminals(byName.Keys, apex.Origin));
    }

    public bool Contains(string name) => DnsName.IsSubdomainOf(name, Origin);

    /// <summary>What the zone holds at a name: null when the name does not exist (NXDOMAIN), empty for an empty non-terminal.</summary>
    public IReadOnlyDictionary<RecordType, DnsRecordBase[]>? Find(string name) =>
        _names.TryGetValue(name, out var types) ? types
        : _emptyNonTerminals.Contains(name) ? FrozenDictionary<RecordType, DnsRecordBase[]>.Empty
        : null;

    // Exact duplicates would be served twice; servers keep one copy of an RR (RFC 2181 §5).
    private static DnsRecordBase[] Distinct(IEnumerable<DnsRecordBase> records) =>
        records.DistinctBy(ZoneRecordMapper.Key, StringComparer.Ordinal).ToArray();

    /// <summary>Every name between a record's owner and the apex that owns nothing itself (RFC 8020: it exists).</summary>
    private static FrozenSet<string> EmptyNonTerminals(IEnumerable<string> owners, string origin)
    {
        var owned = owners.ToHashSet(StringComparer.Ordinal);
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var owner in owned)
        {
            var name = owner;
            while (name.Length > origin.Length)
            {
                name = name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..];
                if (!owned.Contains(name))
                {
                    result.Add(name);
                }
            }
        }
        return result.ToFrozenSet(StringComparer.Ordinal);
    }
}
