using System.Text;
using DnsClient;
using DnsClient.Protocol;
using Proto = DnsClient.Protocol;

namespace SenderAuth.Dns;

/// <summary>Turns a DnsClient response into a <see cref="DnsAnswer"/>.</summary>
internal static class DnsResponseMapper
{
    public static DnsAnswer Map(IDnsQueryResponse response, DnsRecordType type)
    {
        var code = (DnsHeaderResponseCode)response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return DnsAnswer.NxDomain(NegativeTtl(response));
        }
        if (code != DnsHeaderResponseCode.NoError)
        {
            return DnsAnswer.ServFail;
        }
        var records = new List<DnsRecord>();
        var minTtl = uint.MaxValue;
        foreach (var rr in response.Answers)
        {
            // The CNAMEs leading to the answer bound how long it stays true, so they count for its TTL.
            minTtl = Math.Min(minTtl, Ttl(rr));
            if (Convert(rr) is { } record && record.Type == type)
            {
                records.Add(record);
            }
        }
        if (records.Count == 0)
        {
            var negative = NegativeTtl(response);
            return DnsAnswer.NoData(minTtl == uint.MaxValue ? negative : Min(negative, minTtl));
        }
        return new DnsAnswer(DnsStatus.NoError, records, TimeSpan.FromSeconds(minTtl));
    }

    /// <summary>RFC 2308 §5: the smaller of the SOA's own TTL and its MINIMUM field.</summary>
    private static TimeSpan NegativeTtl(IDnsQueryResponse response)
    {
        var soa = response.Authorities.OfType<Proto.SoaRecord>().FirstOrDefault();
        return soa is null ? NetworkDnsResolver.DefaultNegativeTtl : TimeSpan.FromSeconds(Math.Min(Ttl(soa), soa.Minimum));
    }

    private static TimeSpan Min(TimeSpan a, uint seconds) => a < TimeSpan.FromSeconds(seconds) ? a : TimeSpan.FromSeconds(seconds);

    private static uint Ttl(DnsResourceRecord rr) => (uint)Math.Max(0, rr.InitialTimeToLive);

    private static DnsRecord? Convert(DnsResourceRecord rr)
    {
        var name = DnsName.Normalize(rr.DomainName.Value);
        var ttl = Ttl(rr);
        return rr switch
        {
            ARecord a => new AddressRecord(name, ttl, a.Address),
            AaaaRecord a => new AddressRecord(name, ttl, a.Address),
            Proto.MxRecord mx => new MxRecord(name, ttl, mx.Preference, DnsName.Normalize(mx.Exchange.Value)),
            Proto.PtrRecord ptr => new PtrRecord(name, ttl, DnsName.Normalize(ptr.PtrDomainName.Value)),
            CNameRecord cname => new CnameRecord(name, ttl, DnsName.Normalize(cname.CanonicalName.Value)),
            Proto.NsRecord ns => new NsRecord(name, ttl, DnsName.Normalize(ns.NSDName.Value)),
            Proto.SoaRecord soa => new SoaRecord(name, ttl, DnsName.Normalize(soa.MName.Value),
                DnsName.Normalize(soa.RName.Value), soa.Serial, soa.Minimum),
            Proto.TxtRecord txt => new TxtRecord(name, ttl, [.. txt.Text], TxtType(rr)),
            UnknownRecord { RecordType: (ResourceRecordType)DnsRecordType.Spf } u =>
                new TxtRecord(name, ttl, CharacterStrings(u.Data), DnsRecordType.Spf),
            _ => null,
        };
    }

    private static DnsRecordType TxtType(DnsResourceRecord rr) =>
        (ushort)rr.RecordType == (ushort)DnsRecordType.Spf ? DnsRecordType.Spf : DnsRecordType.Txt;

    /// <summary>RFC 1035 §3.3 &lt;character-string&gt;s: a length octet, then that many octets.</summary>
    internal static List<string> CharacterStrings(IReadOnlyList<byte> data)
    {
        var bytes = data as byte[] ?? [.. data];
        var strings = new List<string>();
        for (var i = 0; i < bytes.Length;)
        {
            var length = Math.Min(bytes[i], bytes.Length - i - 1);
            strings.Add(Encoding.UTF8.GetString(bytes, i + 1, length));
            i += 1 + length;
        }
        return strings;
    }
}
