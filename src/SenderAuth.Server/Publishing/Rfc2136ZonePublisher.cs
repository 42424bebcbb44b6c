using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using DnsName = SenderAuth.Dns.DnsName;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// Publishes the provider zone to a primary server with RFC 2136 UPDATE signed with TSIG (RFC 8945).
/// <para>
/// Assumption: SenderAuth owns the whole zone except the apex SOA and NS records (and the DNSSEC records the server
/// makes itself). Every publish reads the zone back by AXFR and sends only the difference, so nothing depends on
/// what this process remembers: after a restart, or a hand edit, the zone is brought back to exactly the wanted
/// records, and a record added to the zone by anyone else is removed.
/// </para>
/// </summary>
public sealed class Rfc2136ZonePublisher : IZonePublisher
{
    /// <summary>
    /// Budget for one UPDATE message: the 65535-byte TCP limit less room for the header, the zone section and the
    /// TSIG record. Larger changes are split, losing atomicity only for changes that large.
    /// </summary>
    internal const int MaxUpdateBytes = 60_000;

    /// <summary>Records the server maintains itself (DNSSEC signing), which an update must not touch.</summary>
    private static readonly HashSet<RecordType> ServerManaged =
        [RecordType.RrSig, RecordType.NSec, RecordType.NSec3, RecordType.NSec3Param, RecordType.DnsKey, RecordType.CDnsKey, RecordType.CDs];

    private readonly Rfc2136Options _options;
    private readonly Rfc2136Channel _channel;
    private readonly SemaphoreSlim _publishing = new(1, 1);

    public Rfc2136ZonePublisher(Rfc2136Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _channel = new Rfc2136Channel(options);
    }

    public PublishingMode Kind => PublishingMode.Rfc2136;

    /// <summary>The primary: it serves what it accepted as soon as the update is answered.</summary>
    public IPEndPoint? AuthoritativeServer => _channel.Server;

    public async Task PublishAsync(ProviderZone zone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var origin = DnsName.Normalize(zone.Origin);
        if (origin != DnsName.Normalize(_options.Zone))
        {
            throw new ZonePublishException($"the provider zone is {zone.Origin}, but Rfc2136.Zone is {_options.Zone}");
        }
        var wanted = ZoneRecordMapper.ToWire(zone);
        var zoneName = DomainName.Parse(origin);
        // One publish at a time: two diffs computed against the same transfer would undo each other.
        await _publishing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var held = Owned(await _channel.TransferAsync(zoneName, cancellationToken).ConfigureAwait(false), origin);
            var updates = Diff(held, wanted);
            foreach (var batch in Batches(updates))
            {
                var message = new DnsUpdateMessage { ZoneName = zoneName };
                message.Updates.AddRange(batch);
                await _channel.UpdateAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _publishing.Release();
        }
    }

    /// <summary>The records of a transfer that SenderAuth owns: all but the apex SOA and NS and server-made records.</summary>
    internal static List<DnsRecordBase> Owned(IEnumerable<DnsRecordBase> transfer, string origin) =>
        transfer
            .Where(r => !ServerManaged.Contains(r.RecordType))
            .Where(r => !(r.RecordType is RecordType.Soa or RecordType.Ns && DnsName.Normalize(r.Name.ToString()) == origin))
            .ToList();

    /// <summary>
    /// Deletions (RFC 2136 §2.5.4, one RR each) before additions, so a name can change type in one message. A record
    /// whose TTL alone changes is deleted and added again, which every server applies the same way.
    /// </summary>
    internal static List<UpdateBase> Diff(IReadOnlyList<DnsRecordBase> held, IReadOnlyList<DnsRecordBase> wanted)
    {
        var heldByKey = held.GroupBy(ZoneRecordMapper.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var wantedByKey = wanted.GroupBy(ZoneRecordMapper.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var deletions = new List<UpdateBase>();
        var additions = new List<UpdateBase>();
        foreach (var (key, record) in heldByKey.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!wantedByKey.TryGetValue(key, out var want) || want.TimeToLive != record.TimeToLive)
            {
                deletions.Add(new DeleteRecordUpdate(record));
            }
        }
        foreach (var (key, record) in wantedByKey.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!heldByKey.TryGetValue(key, out var have) || have.TimeToLive != record.TimeToLive)
            {
                additions.Add(new AddRecordUpdate(record));
            }
        }
        return [.. deletions, .. additions];
    }

    internal static IEnumerable<List<UpdateBase>> Batches(IReadOnlyList<UpdateBase> updates)
    {
        var batch = new List<UpdateBase>();
        var size = 0;
        foreach (var update in updates)
        {
            var record = update switch
            {
                AddRecordUpdate a => a.Record,
                DeleteRecordUpdate d => d.Record,
                _ => null,
            };
            var estimate = EstimatedSize(record);
            if (batch.Count > 0 && size + estimate > MaxUpdateBytes)
            {
                yield return batch;
                batch = [];
                size = 0;
            }
            batch.Add(update);
            size += estimate;
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>An upper bound of a record's wire size: name uncompressed, fixed fields, RDATA.</summary>
    private static int EstimatedSize(DnsRecordBase? record)
    {
        if (record is null)
        {
            return 300;
        }
        var rdata = record is TextRecordBase txt ? txt.TextParts.Sum(p => System.Text.Encoding.UTF8.GetByteCount(p) + 1) : 300;
        return record.Name.ToString().Length + 2 + 10 + rdata;
    }
}
