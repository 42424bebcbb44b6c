using Microsoft.EntityFrameworkCore;
using SenderAuth.Store.Data;
using SenderAuth.Store.Reports;
using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>
/// The analysis' queries as they were before rollups, over the raw records (kept here, not in the product): what the
/// rollup answers are checked against (<see cref="ReportRollupPropertyTests"/>).
/// </summary>
internal sealed class RawReportAnalysis(SenderAuthDb db, bool includeUntrusted)
{
    private IQueryable<StoredReportRecord> Counted => includeUntrusted ? db.ReportRecords.AsNoTracking() : db.ReportRecords.AsNoTracking().Where(r => r.Trusted);

    public async Task<List<(DateTime Day, ReportStats Stats)>> DailyAsync(long domainId, DateTime from, DateTime to, CancellationToken ct)
    {
        var rows = await db.ReportDays.AsNoTracking().Where(d => d.DomainId == domainId && d.Day >= from && d.Day <= to)
            .OrderBy(d => d.Day).ToListAsync(ct);
        if (includeUntrusted)
        {
            var extra = await db.ReportRecords.AsNoTracking().Where(r => r.DomainId == domainId && !r.Trusted && r.Day >= from && r.Day <= to)
                .GroupBy(r => r.Day).Select(g => new ReportDay
                {
                    DomainId = domainId, Day = g.Key, Reports = 0, Messages = g.Sum(r => r.Count),
                    DmarcPass = g.Sum(r => r.DmarcPass ? r.Count : 0), DkimAligned = g.Sum(r => r.DkimAligned ? r.Count : 0),
                    SpfAligned = g.Sum(r => r.SpfAligned ? r.Count : 0), DkimPass = g.Sum(r => r.DkimAuthPass ? r.Count : 0),
                    SpfPass = g.Sum(r => r.SpfAuthPass ? r.Count : 0), Quarantine = g.Sum(r => r.Disposition == ReportRecordMapper.Quarantine ? r.Count : 0),
                    Reject = g.Sum(r => r.Disposition == ReportRecordMapper.Reject ? r.Count : 0),
                }).ToListAsync(ct);
            rows = rows.Concat(extra).GroupBy(d => d.Day).Select(g => g.Aggregate(new ReportDay { DomainId = domainId, Day = g.Key }, (a, d) =>
            {
                a.Reports += d.Reports; a.Messages += d.Messages; a.DmarcPass += d.DmarcPass; a.DkimAligned += d.DkimAligned; a.SpfAligned += d.SpfAligned;
                a.DkimPass += d.DkimPass; a.SpfPass += d.SpfPass; a.Quarantine += d.Quarantine; a.Reject += d.Reject;
                return a;
            })).OrderBy(d => d.Day).ToList();
        }
        return rows.Select(r => (DateTime.SpecifyKind(r.Day, DateTimeKind.Utc),
            new ReportStats(r.Messages, r.DmarcPass, r.DkimAligned, r.SpfAligned, r.DkimPass, r.SpfPass, r.Messages - r.Quarantine - r.Reject, r.Quarantine, r.Reject))).ToList();
    }

    public async Task<IReadOnlyList<AttributedSource>> SourcesAsync(SourceAttribution attribution, long domainId, DateTime from, DateTime to, CancellationToken ct)
    {
        var inWindow = Counted.Where(r => r.DomainId == domainId && r.Day >= from && r.Day <= to);
        var totals = await inWindow.GroupBy(r => r.SourceIp).Select(g => new
        {
            Ip = g.Key,
            Messages = g.Sum(r => r.Count),
            DmarcPass = g.Sum(r => r.DmarcPass ? r.Count : 0),
            DkimAligned = g.Sum(r => r.DkimAligned ? r.Count : 0),
            SpfAligned = g.Sum(r => r.SpfAligned ? r.Count : 0),
            DkimPass = g.Sum(r => r.DkimAuthPass ? r.Count : 0),
            SpfPass = g.Sum(r => r.SpfAuthPass ? r.Count : 0),
            Forwarded = g.Sum(r => r.ForwardHint ? r.Count : 0),
            First = g.Min(r => r.Day),
            Last = g.Max(r => r.Day),
        }).ToListAsync(ct);
        var reporters = await inWindow.Join(db.Reports, r => r.ReportId, p => p.Id, (r, p) => new { r.SourceIp, p.ReporterOrg }).Distinct().ToListAsync(ct);
        var dkim = await inWindow.Where(r => r.DkimDomain != null && r.DkimAuthPass).Select(r => new { r.SourceIp, r.DkimDomain }).Distinct().ToListAsync(ct);
        var spf = await inWindow.Where(r => r.SpfDomain != null && r.SpfAuthPass).Select(r => new { r.SourceIp, r.SpfDomain }).Distinct().ToListAsync(ct);
        var byIpReporters = reporters.ToLookup(r => r.SourceIp, r => r.ReporterOrg);
        var byIpDkim = dkim.ToLookup(r => r.SourceIp, r => r.DkimDomain!);
        var byIpSpf = spf.ToLookup(r => r.SourceIp, r => r.SpfDomain!);
        return totals.Select(t => attribution.Attribute(new SourceAggregate(t.Ip, t.Messages, t.DmarcPass, t.DkimAligned, t.SpfAligned, t.DkimPass, t.SpfPass, t.Forwarded,
                DateTime.SpecifyKind(t.First, DateTimeKind.Utc), DateTime.SpecifyKind(t.Last, DateTimeKind.Utc),
                byIpReporters[t.Ip].Order(StringComparer.Ordinal).ToList(), byIpDkim[t.Ip].Order(StringComparer.Ordinal).ToList(), byIpSpf[t.Ip].Order(StringComparer.Ordinal).ToList())))
            .OrderByDescending(s => s.Source.Messages).ThenBy(s => s.Source.Ip, StringComparer.Ordinal).ToList();
    }

    public async Task<ReconciliationResult> ReconcileAsync(SourceAttribution attribution, SenderDomain domain, DateTime from, DateTime to, double tolerance, CancellationToken ct)
    {
        var inWindow = Counted.Where(r => r.DomainId == domain.Id && r.Day >= from && r.Day <= to);
        var ips = await inWindow.Select(r => r.SourceIp).Distinct().ToListAsync(ct);
        var ours = ips.Where(attribution.IsPlatform).ToList();
        var reported = new List<ReportedDay>();
        if (ours.Count > 0)
        {
            var perDay = await inWindow.Where(r => ours.Contains(r.SourceIp))
                .Join(db.Reports, r => r.ReportId, p => p.Id, (r, p) => new { p.ReporterOrg, r.Day, r.Count })
                .GroupBy(x => new { x.ReporterOrg, x.Day })
                .Select(g => new { g.Key.ReporterOrg, g.Key.Day, Messages = g.Sum(x => x.Count) })
                .ToListAsync(ct);
            reported.AddRange(perDay.Select(x => new ReportedDay(x.ReporterOrg, DateTime.SpecifyKind(x.Day, DateTimeKind.Utc), x.Messages)));
        }
        var signed = await db.SignedCounts.AsNoTracking().Where(c => c.Domain == domain.Name && c.Day >= from && c.Day <= to)
            .Select(c => new { c.Selector, c.Day, c.Count }).ToListAsync(ct);
        return Reconciliation.Compute(reported, signed.Select(s => new SelectorDay(s.Selector, DateTime.SpecifyKind(s.Day, DateTimeKind.Utc), s.Count)).ToList(), tolerance);
    }

    public async Task<IReadOnlyList<RetiredSelectorUse>> OurSelectorUseAsync(SenderDomain domain, IReadOnlyList<string> selectors, DateTime from, DateTime to, CancellationToken ct)
    {
        var used = await Counted
            .Where(r => r.DomainId == domain.Id && r.Day >= from && r.Day <= to && r.DkimDomain == domain.Name && r.DkimSelector != null && selectors.Contains(r.DkimSelector))
            .GroupBy(r => new { r.DkimSelector, r.Day }).Select(g => new { Selector = g.Key.DkimSelector!, g.Key.Day, Messages = g.Sum(r => r.Count) })
            .ToListAsync(ct);
        return used.Select(u => new RetiredSelectorUse(u.Selector, DateTime.SpecifyKind(u.Day, DateTimeKind.Utc), u.Messages))
            .OrderBy(u => u.Day).ThenBy(u => u.Selector, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<string>> ThirdPartyKeyNamesAsync(SenderDomain domain, DateTime from, DateTime to, IReadOnlyList<AttributedSource> sources, CancellationToken ct)
    {
        var ips = sources.Where(s => s.Category is SourceCategory.Declared or SourceCategory.ThirdParty).Select(s => s.Source.Ip).Take(200).ToList();
        if (ips.Count == 0)
        {
            return [];
        }
        return await Counted
            .Where(r => r.DomainId == domain.Id && r.Day >= from && r.Day <= to && ips.Contains(r.SourceIp) && r.DkimSelector != null && r.DkimDomain != null && r.DkimDomain != domain.Name)
            .Select(r => r.DkimSelector + "._domainkey." + r.DkimDomain).Distinct().OrderBy(n => n).Take(20).ToListAsync(ct);
    }

    public Task<int> DaysOfDataAsync(SenderDomain domain, DateTime from, DateTime to, CancellationToken ct) => includeUntrusted
        ? Counted.Where(r => r.DomainId == domain.Id && r.Day >= from && r.Day <= to).Select(r => r.Day).Distinct().CountAsync(ct)
        : db.ReportDays.CountAsync(d => d.DomainId == domain.Id && d.Day >= from && d.Day <= to, ct);
}
