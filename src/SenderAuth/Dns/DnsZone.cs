namespace SenderAuth.Dns;

/// <summary>
/// An in-memory set of records (one or several zones), filled from master-file text by
/// <see cref="ZoneFileParser"/> or programmatically by test drivers. Not thread-safe while being filled;
/// read-only use from <see cref="ZoneDnsResolver"/> is safe.
/// </summary>
public sealed class DnsZone
{
    private readonly Dictionary<string, List<DnsRecord>> _byName = new(StringComparer.Ordinal);
    private readonly HashSet<string> _timeouts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _servFails = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ancestors = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _skippedTypes = new(StringComparer.Ordinal);

    /// <summary>TTL reported for NXDOMAIN and NODATA answers (RFC 2308 negative caching).</summary>
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many records the zone holds.</summary>
    public int Count => _byName.Values.Sum(l => l.Count);

    /// <summary>Every record, grouped by owner name.</summary>
    public IEnumerable<DnsRecord> Records => _byName.Values.SelectMany(l => l);

    /// <summary>Upper-case type names (e.g. <c>DNSKEY</c>, <c>TYPE65534</c>) that <see cref="ZoneFileParser"/>
    /// read but did not store, because the engine never queries them.</summary>
    public IReadOnlyCollection<string> SkippedTypes => _skippedTypes;

    /// <summary>Adds a record under its normalized name. Its ancestors become existing names, so they answer NODATA rather than NXDOMAIN (RFC 8020).</summary>
    public void Add(DnsRecord record)
    {
        var name = DnsName.Normalize(record.Name);
        if (!_byName.TryGetValue(name, out var list))
        {
            _byName[name] = list = [];
            // Escaped dots (a\.b, one label) are not separators.
            foreach (var dot in DnsLabels.SeparatorDots(name))
            {
                _ancestors.Add(name[(dot + 1)..]);
            }
        }
        list.Add(record with { Name = name });
    }

    /// <summary>Queries for <paramref name="name"/> time out, unless a record of the asked type exists
    /// (the OpenSPF suite's TIMEOUT semantics).</summary>
    public void AddTimeout(string name) => _timeouts.Add(DnsName.Normalize(name));

    /// <summary>Every query for <paramref name="name"/> answers SERVFAIL.</summary>
    public void AddServFail(string name) => _servFails.Add(DnsName.Normalize(name));

    internal void AddSkippedType(string type) => _skippedTypes.Add(type);

    internal bool IsTimeout(string name) => _timeouts.Contains(name);

    internal bool IsServFail(string name) => _servFails.Contains(name);

    internal IReadOnlyList<DnsRecord>? Get(string name) => _byName.TryGetValue(name, out var l) ? l : null;

    /// <summary>True when the name owns records or is an empty non-terminal (RFC 8020: NODATA, not NXDOMAIN).</summary>
    internal bool NameExists(string name) => _byName.ContainsKey(name) || _ancestors.Contains(name);
}
