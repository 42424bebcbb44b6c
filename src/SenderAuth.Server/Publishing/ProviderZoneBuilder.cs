using Microsoft.EntityFrameworkCore;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Onboarding;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// The provider zone computed from the database, and the records left out of it: each left-out record is
/// charged to the domains it belongs to (their <see cref="SenderDomain.PublishProblem"/>), or named in
/// <see cref="Unattributed"/> when it belongs to none (the provider's own key).
/// </summary>
public sealed record ZoneBuild(IReadOnlyList<ZoneRecord> Records, IReadOnlyDictionary<long, string> DomainProblems, IReadOnlyList<string> Unattributed);

/// <summary>
/// Computes the provider zone from the database: one DKIM TXT per key target (the newest live key there, or the
/// revoked record once none is left), the SPF include record (ip4/ip6 only: nothing that costs receivers a
/// lookup), and the DMARC external-report authorisation for each verified sender domain when reports come to us.
/// </summary>
/// <remarks>
/// Every record is checked as the publishers will check it (<see cref="ZoneRecordMapper"/>) before it goes in: one
/// record that cannot exist in DNS (a name over 253 characters that slipped past registration, a row written
/// behind the API's back) is skipped and flagged on its own domain, and the rest of the zone, every other
/// tenant's keys included, is published. A bad record used to make the whole zone fail for everyone.
/// </remarks>
public static class ProviderZoneBuilder
{
    public static async Task<ZoneBuild> BuildAsync(SenderAuthDb db, ProviderOptions provider, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(provider);
        var origin = DnsName.Normalize(provider.Zone);
        var codes = await db.Institutions.AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.Code, ct).ConfigureAwait(false);
        var domains = await db.Domains.AsNoTracking().OrderBy(d => d.Name)
            .Select(d => new { d.Id, d.Name, d.InstitutionId, d.VerifiedAt, d.Ed25519Enabled }).ToListAsync(ct).ConfigureAwait(false);
        // Which domains each key target serves: the CNAMEs of their selectors point there.
        var domainsOfTarget = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var d in domains)
        {
            if (!codes.TryGetValue(d.InstitutionId, out var code))
            {
                continue;
            }
            foreach (var target in provider.DomainKeyTargets(code, d.Name, d.Ed25519Enabled))
            {
                if (!domainsOfTarget.TryGetValue(target, out var list))
                {
                    domainsOfTarget[target] = list = [];
                }
                list.Add(d.Id);
            }
        }
        var candidates = new List<(ZoneRecord Record, IReadOnlyList<long> Domains)>();
        var keys = await db.Keys.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        foreach (var target in keys.GroupBy(k => k.TargetName).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var live = target.Where(k => k.State != DkimKeyState.Revoked).OrderByDescending(k => k.Id).FirstOrDefault();
            var row = live ?? target.OrderByDescending(k => k.Id).First();
            var owners = domainsOfTarget.TryGetValue(target.Key, out var ids) ? ids : (IReadOnlyList<long>)[];
            candidates.Add((ZoneRecord.Txt(row.TargetName, provider.KeyTtl, DkimKeyRecord.TxtStrings(KeyStore.TxtValue(row))), owners));
        }
        candidates.Add((ZoneRecord.Txt(DnsName.Normalize(provider.SpfInclude), provider.KeyTtl, [SpfIncludeRecord(provider)]), []));
        if (ReportHost(provider) is not null)
        {
            // Only verified domains: authorising reports about a domain nobody proved to own would let any tenant
            // collect another organisation's DMARC reports.
            foreach (var d in domains.Where(d => d.VerifiedAt is not null))
            {
                if (PublishPlan.ReportAuthorisation(d.Name, provider.ReportAddress!) is { } r)
                {
                    candidates.Add((ZoneRecord.Txt(r.Name, provider.KeyTtl, [r.Value]), [d.Id]));
                }
            }
        }
        var records = new List<ZoneRecord>(candidates.Count);
        var problems = new Dictionary<long, string>();
        var unattributed = new List<string>();
        foreach (var (record, owners) in candidates)
        {
            if (Problem(record, origin) is not { } problem)
            {
                records.Add(record);
                continue;
            }
            if (owners.Count == 0)
            {
                unattributed.Add(problem);
            }
            foreach (var id in owners)
            {
                problems[id] = problems.TryGetValue(id, out var earlier) ? earlier + "; " + problem : problem;
            }
        }
        return new ZoneBuild(records, problems, unattributed);
    }

    /// <summary>Why the publishers would refuse the record (the same check they run), or null when it can be published.</summary>
    private static string? Problem(ZoneRecord record, string origin)
    {
        try
        {
            ZoneRecordMapper.ToWire(record, origin);
            return null;
        }
        catch (ZonePublishException e)
        {
            if (DnsName.IsValid(record.Name))
            {
                return $"not published: {e.Message}";
            }
            // The name itself is the problem: shortened, or the message would be as long as the name.
            var name = record.Name.Length > 80 ? record.Name[..40] + "…" + record.Name[^30..] : record.Name;
            return $"not published: {record.Type} record {name} is {record.Name.Length} characters long or has a label over 63 (DNS allows 253 and 63)";
        }
    }

    /// <summary>The record behind include:spf.&lt;provider&gt;: our networks, then -all.</summary>
    public static string SpfIncludeRecord(ProviderOptions provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var terms = provider.SendingIps.Select(c => (c.Contains(':', StringComparison.Ordinal) ? "ip6:" : "ip4:") + c);
        return string.Join(' ', ["v=spf1", .. terms, "-all"]);
    }

    /// <summary>The host of the report address when it lies in the provider zone (then we publish the authorisations).</summary>
    public static string? ReportHost(ProviderOptions provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider.ReportAddress is not { } address)
        {
            return null;
        }
        return PublishPlan.ReportHost(address) is { } host && DnsName.IsSubdomainOf(host, provider.Zone) ? host : null;
    }
}
