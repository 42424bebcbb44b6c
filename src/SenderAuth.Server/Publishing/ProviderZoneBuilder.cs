using Microsoft.EntityFrameworkCore;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Onboarding;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// Computes the provider zone from the database: one DKIM TXT per key target (the newest live key there, or the
/// revoked record once none is left), the SPF include record (ip4/ip6 only: nothing that costs receivers a
/// lookup), and the DMARC external-report authorisation for each sender domain when reports come to us.
/// </summary>
public static class ProviderZoneBuilder
{
    public static async Task<IReadOnlyList<ZoneRecord>> BuildRecordsAsync(SenderAuthDb db, ProviderOptions provider, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(provider);
        var records = new List<ZoneRecord>();
        var keys = await db.Keys.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        foreach (var target in keys.GroupBy(k => k.TargetName).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var live = target.Where(k => k.State != DkimKeyState.Revoked).OrderByDescending(k => k.Id).FirstOrDefault();
            var row = live ?? target.OrderByDescending(k => k.Id).First();
            records.Add(ZoneRecord.Txt(row.TargetName, provider.KeyTtl, DkimKeyRecord.TxtStrings(KeyStore.TxtValue(row))));
        }
        records.Add(ZoneRecord.Txt(DnsName.Normalize(provider.SpfInclude), provider.KeyTtl, [SpfIncludeRecord(provider)]));
        if (ReportHost(provider) is not null)
        {
            var domains = await db.Domains.AsNoTracking().Select(d => d.Name).OrderBy(n => n).ToListAsync(ct).ConfigureAwait(false);
            records.AddRange(domains.Select(d => PublishPlan.ReportAuthorisation(d, provider.ReportAddress!)).OfType<RecordToPublish>()
                .Select(r => ZoneRecord.Txt(r.Name, provider.KeyTtl, [r.Value])));
        }
        return records;
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
