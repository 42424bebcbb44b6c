using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Json;
using SenderAuth.Onboarding;
using SenderAuth.Spf;

namespace SenderAuth.Store.Reports.Analysis;

/// <summary>
/// Reads one domain's reports for a window: summaries by period, attributed sources, reconciliation with what
/// we signed, findings and the advisor's next steps. Everything reads what the import sums: the day totals
/// (<see cref="ReportDay"/>) and the rollups (<see cref="ReportSourceDay"/>, <see cref="ReportIdentityDay"/>),
/// grouped in the database over the domain's window; never the raw records, whose number grows with the mail.
/// Attribution, findings and advice are pure code over those aggregates.
/// </summary>
public sealed partial class ReportAnalysis(SenderAuthDb db, IOptions<StoreOptions> options, IDnsResolver resolver, TimeProvider time)
{
    private readonly StoreOptions _options = options.Value;

    /// <summary>
    /// Count reports whose provenance is not trusted (uploads, mail that did not authenticate) too. Default:
    /// <c>Reports:IncludeUntrusted</c> (false); an API call or page sets it for itself with <c>?untrusted=include</c>.
    /// </summary>
    public bool IncludeUntrusted { get; set; } = options.Value.Reports.IncludeUntrusted;

    /// <summary>The rollup rows the analysis counts: trusted reports', and the others' when asked.</summary>
    private IQueryable<ReportSourceDay> SourceDays => IncludeUntrusted ? db.ReportSourceDays.AsNoTracking() : db.ReportSourceDays.AsNoTracking().Where(r => r.Trusted);

    private IQueryable<ReportIdentityDay> IdentityDays => IncludeUntrusted ? db.ReportIdentityDays.AsNoTracking() : db.ReportIdentityDays.AsNoTracking().Where(r => r.Trusted);

    /// <summary>How long a page of reverse names, or a record the advisor reads, may take.</summary>
    private static readonly TimeSpan LookupBound = TimeSpan.FromSeconds(2);

    /// <summary>The window asked for, or the last <see cref="AdvisorOptions.MinDays"/> days up to the newest report day.</summary>
    public async Task<(DateTime From, DateTime To)> WindowAsync(SenderDomain domain, DateTime? from, DateTime? to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var end = to?.Date ?? await db.ReportDays.Where(r => r.DomainId == domain.Id).MaxAsync(r => (DateTime?)r.Day, ct).ConfigureAwait(false)
            ?? (IncludeUntrusted ? await SourceDays.Where(r => r.DomainId == domain.Id).MaxAsync(r => (DateTime?)r.Day, ct).ConfigureAwait(false) : null)
            ?? time.GetUtcNow().UtcDateTime.Date;
        var start = from?.Date ?? end.AddDays(-(_options.Reports.Advisor.MinDays - 1));
        return (DateTime.SpecifyKind(start, DateTimeKind.Utc), DateTime.SpecifyKind(end, DateTimeKind.Utc));
    }

    public async Task<DomainSummary> SummaryAsync(Institution institution, SenderDomain domain, DateTime from, DateTime to, ReportPeriod period, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var days = await DailyAsync(domain.Id, from, to, ct).ConfigureAwait(false);
        var buckets = days.GroupBy(d => ReportPeriods.BucketStart(d.Day, period))
            .OrderBy(g => g.Key)
            .Select(g => new ReportBucket(ReportPeriods.Label(g.Key, period), g.Key, g.Aggregate(ReportStats.Zero, (a, d) => a.Add(d.Stats))))
            .ToList();
        var total = days.Aggregate(ReportStats.Zero, (a, d) => a.Add(d.Stats));
        var events = await TimelineAsync(institution, domain, from, to.AddDays(1), ct).ConfigureAwait(false);
        return new DomainSummary(domain.Name, period, from, to, days.Count, total, buckets, events);
    }

    private async Task<List<(DateTime Day, ReportStats Stats)>> DailyAsync(long domainId, DateTime from, DateTime to, CancellationToken ct)
    {
        var rows = await db.ReportDays.AsNoTracking().Where(d => d.DomainId == domainId && d.Day >= from && d.Day <= to)
            .OrderBy(d => d.Day).ToListAsync(ct).ConfigureAwait(false);
        if (IncludeUntrusted)
        {
            // Untrusted reports are not in the day totals: their rollups are summed here (only when asked for).
            var extra = await db.ReportSourceDays.AsNoTracking().Where(r => r.DomainId == domainId && !r.Trusted && r.Day >= from && r.Day <= to)
                .GroupBy(r => r.Day).Select(g => new ReportDay
                {
                    DomainId = domainId, Day = g.Key, Reports = 0, Messages = g.Sum(r => r.Messages),
                    DmarcPass = g.Sum(r => r.DmarcPass), DkimAligned = g.Sum(r => r.DkimAligned), SpfAligned = g.Sum(r => r.SpfAligned),
                    DkimPass = g.Sum(r => r.DkimPass), SpfPass = g.Sum(r => r.SpfPass), Quarantine = g.Sum(r => r.Quarantine), Reject = g.Sum(r => r.Reject),
                }).ToListAsync(ct).ConfigureAwait(false);
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

    /// <summary>Every source of the window, attributed; reverse names only for the ones asked (lookups cost).</summary>
    public async Task<IReadOnlyList<AttributedSource>> SourcesAsync(Institution institution, SenderDomain domain, DateTime from, DateTime to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var inWindow = SourceDays.Where(r => r.DomainId == domain.Id && r.Day >= from && r.Day <= to);
        var totals = await inWindow.GroupBy(r => r.SourceIp).Select(g => new
        {
            Ip = g.Key,
            Messages = g.Sum(r => r.Messages),
            DmarcPass = g.Sum(r => r.DmarcPass),
            DkimAligned = g.Sum(r => r.DkimAligned),
            SpfAligned = g.Sum(r => r.SpfAligned),
            DkimPass = g.Sum(r => r.DkimPass),
            SpfPass = g.Sum(r => r.SpfPass),
            Forwarded = g.Sum(r => r.Forwarded),
            First = g.Min(r => r.Day),
            Last = g.Max(r => r.Day),
        }).ToListAsync(ct).ConfigureAwait(false);
        var reporters = await inWindow.Select(r => new { r.SourceIp, r.ReporterOrg }).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var identities = IdentityDays.Where(r => r.DomainId == domain.Id && r.Day >= from && r.Day <= to);
        // A domain is listed when some record carrying it passed ("" is a record without one).
        var dkim = await identities.Where(r => r.DkimDomain != "" && r.DkimPassRecords > 0).Select(r => new { r.SourceIp, r.DkimDomain }).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var spf = await identities.Where(r => r.SpfDomain != "" && r.SpfPassRecords > 0).Select(r => new { r.SourceIp, r.SpfDomain }).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var byIpReporters = reporters.ToLookup(r => r.SourceIp, r => r.ReporterOrg);
        var byIpDkim = dkim.ToLookup(r => r.SourceIp, r => r.DkimDomain);
        var byIpSpf = spf.ToLookup(r => r.SourceIp, r => r.SpfDomain);
        var attribution = await AttributionAsync(institution.Id, ct).ConfigureAwait(false);
        return totals.Select(t => attribution.Attribute(new SourceAggregate(t.Ip, t.Messages, t.DmarcPass, t.DkimAligned, t.SpfAligned, t.DkimPass, t.SpfPass, t.Forwarded,
                DateTime.SpecifyKind(t.First, DateTimeKind.Utc), DateTime.SpecifyKind(t.Last, DateTimeKind.Utc),
                byIpReporters[t.Ip].Order(StringComparer.Ordinal).ToList(), byIpDkim[t.Ip].Order(StringComparer.Ordinal).ToList(), byIpSpf[t.Ip].Order(StringComparer.Ordinal).ToList())))
            .OrderByDescending(s => s.Source.Messages).ThenBy(s => s.Source.Ip, StringComparer.Ordinal).ToList();
    }

    public async Task<SourceAttribution> AttributionAsync(long institutionId, CancellationToken ct)
    {
        var declared = await db.KnownSenders.AsNoTracking().Where(k => k.InstitutionId == institutionId).ToListAsync(ct).ConfigureAwait(false);
        return new SourceAttribution(_options.Provider.SendingIps, declared);
    }

    /// <summary>PTR names for a page of sources, looked up together; a lookup that fails or is slow leaves the name out.</summary>
    public async Task<IReadOnlyList<AttributedSource>> WithReverseNamesAsync(IReadOnlyList<AttributedSource> page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(page);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(LookupBound);
        var names = await Task.WhenAll(page.Select(async s =>
        {
            if (!IPAddress.TryParse(s.Source.Ip, out var address))
            {
                return null;
            }
            try
            {
                var answer = await resolver.QueryAsync(DnsName.ReverseName(address), DnsRecordType.Ptr, timeout.Token).ConfigureAwait(false);
                return answer.Of<PtrRecord>().Select(p => p.Target.TrimEnd('.')).FirstOrDefault();
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return null;
            }
        })).ConfigureAwait(false);
        return page.Select((s, i) => s with { ReverseName = names[i], Name = s.Name ?? (s.Category is SourceCategory.Forwarder or SourceCategory.Unknown ? names[i] : null) }).ToList();
    }

    public async Task<ReconciliationResult> ReconcileAsync(Institution institution, SenderDomain domain, DateTime from, DateTime to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var attribution = await AttributionAsync(institution.Id, ct).ConfigureAwait(false);
        var inWindow = SourceDays.Where(r => r.DomainId == domain.Id && r.Day >= from && r.Day <= to);
        // Our networks are CIDRs, which SQL cannot match portably: the distinct IPs (a few thousand at most) are
        // matched here, and only our IPs' rollups are summed per reporter and day, so memory does not grow with records.
        var ips = await inWindow.Select(r => r.SourceIp).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var ours = ips.Where(attribution.IsPlatform).ToList();
        var reported = new List<ReportedDay>();
        if (ours.Count > 0)
        {
            var perDay = await inWindow.Where(r => ours.Contains(r.SourceIp))
                .GroupBy(r => new { r.ReporterOrg, r.Day })
                .Select(g => new { g.Key.ReporterOrg, g.Key.Day, Messages = g.Sum(r => r.Messages) })
                .ToListAsync(ct).ConfigureAwait(false);
            reported.AddRange(perDay.Select(x => new ReportedDay(x.ReporterOrg, DateTime.SpecifyKind(x.Day, DateTimeKind.Utc), x.Messages)));
        }
        var signed = await db.SignedCounts.AsNoTracking().Where(c => c.Domain == domain.Name && c.Day >= from && c.Day <= to)
            .Select(c => new { c.Selector, c.Day, c.Count }).ToListAsync(ct).ConfigureAwait(false);
        return Reconciliation.Compute(reported, signed.Select(s => new SelectorDay(s.Selector, DateTime.SpecifyKind(s.Day, DateTimeKind.Utc), s.Count)).ToList(),
            _options.Reports.ReconciliationTolerance);
    }

    /// <summary>
    /// Report rows carrying one of our selectors for the domain on a day when no key behind that selector was
    /// signing (a day of slack either side: mail is reported on the day it arrives, signed a little before).
    /// </summary>
    public async Task<IReadOnlyList<RetiredSelectorUse>> RetiredSelectorsAsync(Institution institution, SenderDomain domain, DateTime from, DateTime to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var used = await OurSelectorUseAsync(domain, from, to, ct).ConfigureAwait(false);
        if (used.Count == 0)
        {
            return [];
        }
        var targets = _options.Provider.KeyTargets(institution.Code, domain.Name).Select(t => t.Target).ToList();
        var keys = await db.Keys.AsNoTracking().Where(k => k.InstitutionId == institution.Id && targets.Contains(k.TargetName) && k.ActivatedAt != null)
            .OrderBy(k => k.ActivatedAt).Select(k => new { k.Selector, k.ActivatedAt, k.RevokedAt }).ToListAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        var intervals = keys.Select((k, i) => (Selector: k.Selector.ToLowerInvariant(), From: k.ActivatedAt!.Value.Date.AddDays(-1),
            To: (i + 1 < keys.Count ? keys[i + 1].ActivatedAt!.Value : k.RevokedAt ?? now).Date.AddDays(1))).ToList();
        // Retired: the selector's key signed once and stopped before that day. Days before any activation are
        // history from before this server (or a key never activated), not a retired key.
        return used.Where(u => intervals.Any(iv => iv.Selector == u.Selector && iv.To < u.Day)
                && !intervals.Any(iv => iv.Selector == u.Selector && u.Day >= iv.From && u.Day <= iv.To))
            .ToList();
    }

    /// <summary>Messages signed with one of our selectors under the domain's own d=, per selector and day.</summary>
    internal async Task<IReadOnlyList<RetiredSelectorUse>> OurSelectorUseAsync(SenderDomain domain, DateTime from, DateTime to, CancellationToken ct)
    {
        var selectors = _options.Provider.Selectors.Select(s => s.Name.ToLowerInvariant()).ToList();
        var used = await IdentityDays
            .Where(r => r.DomainId == domain.Id && r.Day >= from && r.Day <= to && r.DkimDomain == domain.Name && r.DkimSelector != "" && selectors.Contains(r.DkimSelector))
            .GroupBy(r => new { r.DkimSelector, r.Day }).Select(g => new { Selector = g.Key.DkimSelector, g.Key.Day, Messages = g.Sum(r => r.Messages) })
            .ToListAsync(ct).ConfigureAwait(false);
        return used.Select(u => new RetiredSelectorUse(u.Selector, DateTime.SpecifyKind(u.Day, DateTimeKind.Utc), u.Messages))
            .OrderBy(u => u.Day).ThenBy(u => u.Selector, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<ReportFinding>> FindingsAsync(Institution institution, SenderDomain domain, DateTime from, DateTime to, CancellationToken ct)
    {
        var sources = await SourcesAsync(institution, domain, from, to, ct).ConfigureAwait(false);
        return await FindingsAsync(institution, domain, from, to, sources, ct).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<ReportFinding>> FindingsAsync(Institution institution, SenderDomain domain, DateTime from, DateTime to,
        IReadOnlyList<AttributedSource> sources, CancellationToken ct)
    {
        var reconciliation = await ReconcileAsync(institution, domain, from, to, ct).ConfigureAwait(false);
        var retired = await RetiredSelectorsAsync(institution, domain, from, to, ct).ConfigureAwait(false);
        var failures = await FailureFindingsAsync(institution, domain, from, to, ct).ConfigureAwait(false);
        return ReportFindings.Build(sources, reconciliation, retired, _options.Reports.Advisor).Concat(failures)
            .OrderByDescending(f => f.Severity).ThenByDescending(f => f.Messages).ToList();
    }

    public async Task<PolicyAdvice> AdviceAsync(Institution institution, SenderDomain domain, DateTime from, DateTime to, CancellationToken ct) =>
        (await ReviewAsync(institution, domain, from, to, ct).ConfigureAwait(false)).Advice;

    /// <summary>
    /// Sources, findings and advice of one window, each computed once (findings and advice are built on the
    /// sources, the costliest query): for pages and commands that show all three.
    /// </summary>
    public async Task<(IReadOnlyList<AttributedSource> Sources, IReadOnlyList<ReportFinding> Findings, PolicyAdvice Advice)> ReviewAsync(
        Institution institution, SenderDomain domain, DateTime from, DateTime to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var sources = await SourcesAsync(institution, domain, from, to, ct).ConfigureAwait(false);
        var findings = await FindingsAsync(institution, domain, from, to, sources, ct).ConfigureAwait(false);
        var days = await DaysOfDataAsync(domain, from, to, ct).ConfigureAwait(false);
        // The engine's predicates decide what counts as a DMARC or SPF record (a prefix test would take
        // "v=DMARC10" or "v=spf1x" for one and miss "v = DMARC1"), as the check and PublishPlan do.
        var dmarcLookup = TxtAsync("_dmarc." + domain.Name, DmarcRecord.IsDmarcRecord, ct);
        var (spf, _) = await TxtAsync(domain.Name, SpfParser.IsSpfRecord, ct).ConfigureAwait(false);
        var (dmarc, dmarcFailed) = await dmarcLookup.ConfigureAwait(false);
        if (dmarc is null && dmarcFailed)
        {
            // DNS did not answer: the policy the newest report saw is the best knowledge of the present.
            var seen = await db.Reports.AsNoTracking().Where(r => r.DomainId == domain.Id && (r.Trusted || IncludeUntrusted)).OrderByDescending(r => r.End).Select(r => r.PublishedPolicy).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            dmarc = seen is null ? null : "v=DMARC1; " + seen;
        }
        var keyBits = await ThirdPartyKeyBitsAsync(domain, from, to, sources, ct).ConfigureAwait(false);
        // The starting record is PublishPlan's (one decision of a record to publish: {code} and {domain} expanded).
        var profile = _options.Provider.Profile(domain.CustomMailFrom, domain.Ed25519Enabled);
        var starting = PublishPlan.Dmarc(domain.Name, institution.Code, profile, current: null).Value;
        return (sources, findings, PolicyAdvisor.Advise(domain.Name, sources, days, findings, dmarc, spf, starting, keyBits, _options.Reports.Advisor));
    }

    /// <summary>Days of the window with reports: the day totals' rows, or any rollup's day when untrusted reports count too.</summary>
    public async Task<int> DaysOfDataAsync(SenderDomain domain, DateTime from, DateTime to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return IncludeUntrusted
            ? await SourceDays.Where(r => r.DomainId == domain.Id && r.Day >= from && r.Day <= to).Select(r => r.Day).Distinct().CountAsync(ct).ConfigureAwait(false)
            : await db.ReportDays.CountAsync(d => d.DomainId == domain.Id && d.Day >= from && d.Day <= to, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// RSA key sizes of the DKIM keys third parties sign with (selector and d= from the reports, key from DNS), so
    /// the advice can say a key is too short. At most 20 keys, looked up together within the lookup bound.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, int>> ThirdPartyKeyBitsAsync(SenderDomain domain, DateTime from, DateTime to,
        IReadOnlyList<AttributedSource> sources, CancellationToken ct)
    {
        var keys = await ThirdPartyKeyNamesAsync(domain, from, to, sources, ct).ConfigureAwait(false);
        if (keys.Count == 0)
        {
            return new Dictionary<string, int>();
        }
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(LookupBound);
        var found = await Task.WhenAll(keys.Select(async name =>
        {
            try
            {
                var answer = await resolver.QueryAsync(name, DnsRecordType.Txt, bound.Token).ConfigureAwait(false);
                var record = answer.Of<TxtRecord>().Select(t => SenderAuth.Dkim.DkimKeyRecord.Parse(t.Text, out _)).FirstOrDefault(r => r?.PublicKey is not null);
                return record?.PublicKey is { KeyType: SenderAuth.Dkim.DkimKeyType.Rsa } key ? (name, key.KeySize) : (name, 0);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return (name, 0);
            }
        })).ConfigureAwait(false);
        return found.Where(f => f.Item2 > 0).ToDictionary(f => f.name, f => f.Item2);
    }

    /// <summary>The DKIM key names (<c>selector._domainkey.d</c>) third-party sources signed with, at most 20, in name order.</summary>
    internal async Task<IReadOnlyList<string>> ThirdPartyKeyNamesAsync(SenderDomain domain, DateTime from, DateTime to, IReadOnlyList<AttributedSource> sources, CancellationToken ct)
    {
        var ips = sources.Where(s => s.Category is SourceCategory.Declared or SourceCategory.ThirdParty).Select(s => s.Source.Ip).Take(200).ToList();
        if (ips.Count == 0)
        {
            return [];
        }
        return await IdentityDays
            .Where(r => r.DomainId == domain.Id && r.Day >= from && r.Day <= to && ips.Contains(r.SourceIp) && r.DkimSelector != "" && r.DkimDomain != "" && r.DkimDomain != domain.Name)
            .Select(r => r.DkimSelector + "._domainkey." + r.DkimDomain).Distinct().OrderBy(n => n).Take(20).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The record as DNS serves it now (the reports show the past; the next step starts from the present).</summary>
    private async Task<(string? Text, bool Failed)> TxtAsync(string name, Func<string, bool> isRecord, CancellationToken ct)
    {
        // Bounded: advice must not hang on a slow name server; the fallback is the newest report's policy.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(LookupBound);
        try
        {
            var answer = await resolver.QueryAsync(name, DnsRecordType.Txt, bound.Token).ConfigureAwait(false);
            return (answer.Of<TxtRecord>().Select(t => t.Text).FirstOrDefault(isRecord), answer.IsTemporaryFailure);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return (null, true);
        }
    }

    /// <summary>Configuration changes (audit entries) one timeline lists at most, the earliest first.</summary>
    public const int MaxTimelineAuditEvents = 500;

    /// <summary>Key changes, DNS state changes seen by the checks, and configuration changes, oldest first.</summary>
    public async Task<IReadOnlyList<TimelineEvent>> TimelineAsync(Institution institution, SenderDomain domain, DateTime from, DateTime to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var events = new List<TimelineEvent>();
        var transitions = await db.Transitions.AsNoTracking().Where(t => t.DomainId == domain.Id && t.At >= from && t.At < to)
            .Select(t => new { t.At, t.From, t.To, t.Reason }).ToListAsync(ct).ConfigureAwait(false);
        events.AddRange(transitions.Select(t => new TimelineEvent(t.At, TimelineEventKind.Dns, $"{SenderAuthJson.Token(t.From)} → {SenderAuthJson.Token(t.To)}: {t.Reason}")));
        var targets = _options.Provider.KeyTargets(institution.Code, domain.Name).Select(t => t.Target).ToList();
        var keys = await db.Keys.AsNoTracking().Where(k => k.InstitutionId == institution.Id && targets.Contains(k.TargetName))
            .Select(k => new { k.Selector, k.Algorithm, k.Bits, k.ActivatedAt, k.RevokedAt, k.PublishedAt }).ToListAsync(ct).ConfigureAwait(false);
        foreach (var k in keys)
        {
            if (k.PublishedAt is { } p && p >= from && p < to) { events.Add(new(p, TimelineEventKind.Key, $"new {SenderAuth.Dkim.DkimTokens.Token(k.Algorithm)}-{k.Bits} key published at selector {k.Selector}")); }
            if (k.ActivatedAt is { } a && a >= from && a < to) { events.Add(new(a, TimelineEventKind.Key, $"signing switched to selector {k.Selector}")); }
            if (k.RevokedAt is { } r && r >= from && r < to) { events.Add(new(r, TimelineEventKind.Key, $"key at selector {k.Selector} revoked")); }
        }
        var audit = await db.Audit.AsNoTracking().Where(a => a.InstitutionId == institution.Id && a.At >= from && a.At < to
                && a.Action != AuditActions.DomainState && (a.Subject == domain.Name || a.Subject == institution.Code))
            .OrderBy(a => a.Id).Take(MaxTimelineAuditEvents + 1).Select(a => new { a.At, a.Action, a.Subject, a.Actor }).ToListAsync(ct).ConfigureAwait(false);
        events.AddRange(audit.Take(MaxTimelineAuditEvents).Select(a => new TimelineEvent(a.At, TimelineEventKind.Config, $"{a.Action} {a.Subject} by {a.Actor}")));
        if (audit.Count > MaxTimelineAuditEvents)
        {
            // A bound, not a silent cut: the timeline says where it stops and where the rest is.
            events.Add(new TimelineEvent(audit[MaxTimelineAuditEvents - 1].At, TimelineEventKind.Config,
                $"more than {MaxTimelineAuditEvents} configuration changes in this period; the later ones are in the audit log (GET /api/v1/audit with from= and to=)"));
        }
        return events.Select(e => e with { At = DateTime.SpecifyKind(e.At, DateTimeKind.Utc) }).OrderBy(e => e.At).ToList();
    }
}
