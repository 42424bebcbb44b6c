using ARSoft.Tools.Net.Dns;
using DnsName = SenderAuth.Dns.DnsName;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// The authoritative answer to one query from one snapshot (RFC 1034 §4.3.2, without wildcards or delegations,
/// which the provider zone does not use). Minimal responses: the authority section carries only the SOA of
/// negative answers.
/// </summary>
internal static class ZoneResponder
{
    /// <summary>CNAME chains inside the zone are followed this far, like the loop limit of common servers.</summary>
    private const int MaxChain = 8;

    /// <param name="snapshot">The zone served; null before the first publish, when the server is authoritative for nothing.</param>
    /// <param name="maxUdpPayload">Our EDNS buffer size, the ceiling on what an EDNS client may receive over UDP.</param>
    public static DnsMessage Answer(DnsMessage query, ZoneSnapshot? snapshot, int maxUdpPayload)
    {
        var response = new DnsMessage
        {
            TransactionID = query.TransactionID,
            IsQuery = false,
            OperationCode = query.OperationCode,
            IsRecursionDesired = query.IsRecursionDesired,
            IsRecursionAllowed = false,
        };
        response.Questions.AddRange(query.Questions);
        if (query.IsEDnsEnabled && query.EDnsOptions is { } opt)
        {
            // The server's truncation reads the limit from our OPT record: the smaller of both buffers, at least 512.
            response.EDnsOptions = new OptRecord((ushort)Math.Clamp((int)opt.UdpPayloadSize, 512, maxUdpPayload));
            if (opt.Version != 0)
            {
                response.ReturnCode = ReturnCode.BadVersion;
                return response;
            }
        }
        if (query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
            return response;
        }
        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }
        var question = query.Questions[0];
        var name = DnsName.Normalize(question.Name.ToString());
        if (snapshot is null || !snapshot.Contains(name)
            || question.RecordClass is not (RecordClass.INet or RecordClass.Any)
            || question.RecordType is RecordType.Axfr or RecordType.Ixfr)
        {
            response.ReturnCode = ReturnCode.Refused;
            return response;
        }
        response.IsAuthoritiveAnswer = true;
        Resolve(response, snapshot, name, question.RecordType);
        return response;
    }

    /// <summary>
    /// The answer a rate-limited client gets instead of being dropped ("slip"): the question, TC=1, no records, so a
    /// real client retries over TCP, while a spoofed victim receives no more than the query's size.
    /// </summary>
    public static DnsMessage Truncated(DnsMessage query)
    {
        var response = new DnsMessage
        {
            TransactionID = query.TransactionID,
            IsQuery = false,
            OperationCode = query.OperationCode,
            IsRecursionDesired = query.IsRecursionDesired,
            IsTruncated = true,
        };
        response.Questions.AddRange(query.Questions.Take(1));
        return response;
    }

    /// <summary>The TTL of the synthesized HINFO (RFC 8482 §4.2 leaves it to the operator): an hour.</summary>
    private const int AnyHinfoTtl = 3600;

    /// <summary>
    /// RFC 8482: ANY gets a minimal answer, not every RRset of the name (a full answer is a 10-25x amplifier once the
    /// server is reachable publicly). A name holding a CNAME answers with it (the conventional answer, and the only
    /// RRset there); any other existing name answers with one synthesized HINFO "RFC8482" "" (§4.2), the smallest
    /// answer and the same for every name, so no ANY answer is larger than a few dozen bytes past the question.
    /// </summary>
    private static void AnswerAny(DnsMessage response, ZoneSnapshot snapshot, IReadOnlyDictionary<RecordType, DnsRecordBase[]> node, string name)
    {
        if (node.Count == 0)
        {
            // An empty non-terminal: no RRset to stand for, NODATA as for any type.
            response.AuthorityRecords.Add(snapshot.NegativeSoa);
            return;
        }
        if (node.TryGetValue(RecordType.CName, out var cname))
        {
            response.AnswerRecords.AddRange(cname);
            return;
        }
        response.AnswerRecords.Add(new HInfoRecord(ARSoft.Tools.Net.DomainName.Parse(name), AnyHinfoTtl, "RFC8482", ""));
    }

    private static void Resolve(DnsMessage response, ZoneSnapshot snapshot, string name, RecordType type)
    {
        for (var hop = 0; hop <= MaxChain; hop++)
        {
            var node = snapshot.Find(name);
            if (node is null)
            {
                // RFC 6604 §2.1: after a CNAME the RCODE describes the last name of the chain.
                response.ReturnCode = ReturnCode.NxDomain;
                response.AuthorityRecords.Add(snapshot.NegativeSoa);
                return;
            }
            if (type == RecordType.Any)
            {
                AnswerAny(response, snapshot, node, name);
                return;
            }
            if (node.TryGetValue(type, out var records))
            {
                response.AnswerRecords.AddRange(records);
                return;
            }
            if (!node.TryGetValue(RecordType.CName, out var cname))
            {
                response.AuthorityRecords.Add(snapshot.NegativeSoa);
                return;
            }
            response.AnswerRecords.AddRange(cname);
            name = DnsName.Normalize(((CNameRecord)cname[0]).CanonicalName.ToString());
            if (!snapshot.Contains(name))
            {
                return;
            }
        }
    }
}
