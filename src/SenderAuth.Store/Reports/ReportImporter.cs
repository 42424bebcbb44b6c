using SenderAuth.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Reports;

namespace SenderAuth.Store.Reports;

/// <summary>What happened to one report of a file, how far its origin is proven, and a warning when it was misrouted.</summary>
/// <param name="Warnings">What the reader recovered in this report (docs/reports.md, "Recovered quirks"); empty when it was clean.</param>
/// <param name="Kind">Aggregate (RFC 9990) or failure (RFC 9991: one message, Records and Messages 1).</param>
public sealed record ImportedReport(string ReporterOrg, string ReportId, string Domain, ReportImportStatus Status, int Records, long Messages,
    ReportProvenance Provenance = ReportProvenance.LocalFile, string? Warning = null, IReadOnlyList<DmarcReportWarning>? Warnings = null,
    ReportKind Kind = ReportKind.Aggregate)
{
    /// <summary>True when the report was read only after recovering from a reporter's quirk.</summary>
    public bool HasWarnings => Warnings is { Count: > 0 };
}

/// <summary>
/// What happened to one file: <c>imported</c> (new reports stored; duplicates and foreign ones listed),
/// <c>quarantined</c> (unreadable or hostile: nothing stored, the file kept with the reason) or <c>rejected</c>
/// (an institution uploaded a report about a domain that is not theirs: nothing stored).
/// </summary>
public sealed record FileImportOutcome(string File, FileImportStatus Status, IReadOnlyList<ImportedReport> Reports, string? Reason = null)
{
    public int Imported => Reports.Count(r => r.Status == ReportImportStatus.Imported);
    public int Duplicates => Reports.Count(r => r.Status == ReportImportStatus.Duplicate);
    public int Foreign => Reports.Count(r => r.Status is ReportImportStatus.Foreign or ReportImportStatus.Misrouted);
}

/// <summary>
/// Imports aggregate report files (.xml, .gz, .zip, .eml) into the database. A file is one transaction: every
/// report in it is stored, or none (a late parse error rolls back what was streamed in before it). Records are
/// streamed in batches, so a large report never sits in memory. Deduplication is the unique key on
/// (policy domain, reporter org, report id, uploaded): the existence check is only the fast path; two instances
/// racing on the same report make one commit fail, and that file is read again, now finding the report.
/// </summary>
/// <remarks>
/// Provenance (docs/security.md, "Reports and provenance"): a report mail is verified with our own engine
/// (<see cref="ReportMailCheck"/>) and routed by the report address it was sent to; an upload is keyed apart from
/// the mailbox, so it can never make the mailbox's copy a duplicate, and a mailbox copy replaces an upload of the
/// same report. Only trusted reports reach the day totals and the own-mail-failing alert.
/// </remarks>
public sealed partial class ReportImporter(SenderAuthDb db, IOptions<StoreOptions> options, TimeProvider time, ILogger<ReportImporter> log, ServerMetrics metrics,
    ReportMailCheck mailCheck, SenderAuth.Dmarc.PublicSuffixList suffixes)
{
    private const int BatchSize = 2000;

    /// <summary>Fewer failing messages than this in one report is noise (a test message), not an outage.</summary>
    private const long OwnFailureAlertMin = 10;

    private Analysis.SourceAttribution? _platform;

    /// <param name="path">The file; it is not moved or deleted (the caller owns it).</param>
    /// <param name="fileName">The name to report and keep (an upload's or attachment's name).</param>
    /// <param name="source">Where it came from: the channel decides dedupe and provenance; an institution's upload accepts only its domains.</param>
    public async Task<FileImportOutcome> ImportFileAsync(string path, string fileName, ReportSource source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(source);
        var (origin, institutionId) = (source.Origin, source.InstitutionId);
        var evidence = await mailCheck.CheckAsync(path, source.Channel == ReportChannel.Upload, ct).ConfigureAwait(false);
        var routedTo = await RoutedInstitutionAsync(source, evidence, ct).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ImportOnceAsync(path, fileName, source, evidence, routedTo, ct).ConfigureAwait(false);
            }
            catch (DbUpdateException e) when (attempt == 1 && IsUniqueViolation(e))
            {
                // Another instance committed one of this file's reports first: read the file again, it is a duplicate now.
                log.LogInformation(new EventId(LogEvents.Reports + 9), "report file {File}: a report was imported concurrently; reading the file again", fileName);
                db.ChangeTracker.Clear();
            }
            catch (Exception e) when (attempt < 3 && IsDeadlock(e))
            {
                // Two files adding to the same rollup or day rows in another order (a file holds reports of several
                // days): PostgreSQL aborted this transaction, nothing of it stayed; the file is read again.
                log.LogInformation(new EventId(LogEvents.Reports + 19), "report file {File}: deadlock with a concurrent import; reading the file again", fileName);
                db.ChangeTracker.Clear();
            }
            catch (Exception e) when (Unreadable(e))
            {
                db.ChangeTracker.Clear();
                var cause = e is FailureReportRefusedException f ? f.Refusal : e;
                var reason = cause is DmarcReportException r ? $"{r.Kind.Code()}: {r.Message}" : $"{fileName}: {e.Message}";
                // A failure report, or any mail that carries no aggregate report, may hold someone's message: only its headers are kept.
                var redact = e is FailureReportRefusedException || await DmarcReportParser.IsMailWithoutReportAsync(path, options.Value.Reports.ParserLimits(), ct).ConfigureAwait(false);
                return await QuarantineAsync(path, fileName, origin, institutionId, reason, redact, ct).ConfigureAwait(false);
            }
            catch (ReportRejectedException e)
            {
                db.ChangeTracker.Clear();
                metrics.ReportFile(e.Kind, SenderAuthJson.Token(FileImportStatus.Rejected));
                return new FileImportOutcome(fileName, FileImportStatus.Rejected, [], e.Message);
            }
        }
    }

    /// <summary>The institution a mail's recipient names (its rua address), for mail from the mailbox or folder; uploads are scoped by their key.</summary>
    private async Task<(long Id, string Code)?> RoutedInstitutionAsync(ReportSource source, ReportMailEvidence evidence, CancellationToken ct)
    {
        if (source.Channel == ReportChannel.Upload || !evidence.IsMail
            || new ReportAddressRouting(options.Value.Provider.ReportAddress).Code(evidence.Recipients) is not { } code)
        {
            return null;
        }
        var id = await db.Institutions.AsNoTracking().Where(i => i.Code == code).Select(i => (long?)i.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return id is { } found ? (found, code) : null;
    }

    private async Task<FileImportOutcome> ImportOnceAsync(string path, string fileName, ReportSource source, ReportMailEvidence evidence,
        (long Id, string Code)? routedTo, CancellationToken ct)
    {
        var origin = source.Origin;
        var parser = new DmarcReportParser(options.Value.Reports.ParserLimits());
        var results = new List<ImportedReport>();
        var now = time.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (await ImportFailureReportAsync(path, fileName, source, evidence, routedTo, now, ct).ConfigureAwait(false) is { } failure)
        {
            // A failure report (RFC 9991) comes in the same ways; it is one message's report, not a file of records.
            await tx.CommitAsync(ct).ConfigureAwait(false);
            metrics.ReportFile(ReportKind.Failure, SenderAuthJson.Token(failure.Status));
            return new FileImportOutcome(fileName, FileImportStatus.Imported, [failure]);
        }
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            await foreach (var reader in parser.ReadAsync(file, fileName, ct).ConfigureAwait(false))
            {
                var imported = await ImportReportAsync(reader, source, evidence, routedTo, now, ct).ConfigureAwait(false);
                results.Add(imported with { Warnings = [.. reader.Warnings] });
            }
        }
        if (results.Count == 0)
        {
            throw new DmarcReportException(DmarcReportErrorKind.UnsupportedFormat, fileName, 0, 0, "no DMARC aggregate report in the file");
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        foreach (var r in results)
        {
            metrics.ReportFile(ReportKind.Aggregate, SenderAuthJson.Token(r.Status));
        }
        log.LogInformation(new EventId(LogEvents.Reports + 10), "report file {File} from {Origin}: {Imported} imported, {Duplicates} duplicate, {Foreign} foreign; mail: {Mail}",
            fileName, origin, results.Count(r => r.Status == ReportImportStatus.Imported), results.Count(r => r.Status == ReportImportStatus.Duplicate),
            results.Count(r => r.Status is ReportImportStatus.Foreign or ReportImportStatus.Misrouted), evidence.IsMail ? evidence.Summary : "none");
        foreach (var r in results.Where(r => r.Warning is not null))
        {
            log.LogWarning(new EventId(LogEvents.Reports + 11), "report {Org} {Id} from {Origin} kept apart: {Warning}", r.ReporterOrg, r.ReportId, origin, r.Warning);
        }
        foreach (var r in results.Where(r => r.HasWarnings))
        {
            log.LogInformation(new EventId(LogEvents.Reports + 16), "report {Org} {Id} from {Origin} imported with {Count} warning(s): {Codes}", r.ReporterOrg, r.ReportId, origin,
                r.Warnings!.Count, string.Join(", ", r.Warnings.Select(w => w.Code).Distinct()));
        }
        return new FileImportOutcome(fileName, FileImportStatus.Imported, results);
    }

    private async Task<ImportedReport> ImportReportAsync(DmarcReportReader reader, ReportSource source, ReportMailEvidence evidence,
        (long Id, string Code)? routedTo, DateTime now, CancellationToken ct)
    {
        var meta = reader.Header.Metadata;
        var policyDomain = Clip(reader.Header.Policy.Domain.Trim().TrimEnd('.').ToLowerInvariant(), 253);
        var org = Clip(meta.OrgName.Trim(), 300);
        var id = Clip(meta.ReportId, 300);
        var origin = Clip(source.Origin, 300);
        var uploaded = source.Channel == ReportChannel.Upload;
        var domain = await OwnerAsync(policyDomain, ct).ConfigureAwait(false);
        if (source.InstitutionId is { } mine && domain?.InstitutionId != mine)
        {
            throw new ReportRejectedException($"report {org} {id} is about {policyDomain}, which is not a domain of your institution");
        }
        var (provenance, why) = Provenance(source, evidence, meta);
        var detail = Clip(evidence.IsMail ? evidence.Summary + (why is null ? "" : "; untrusted: " + why)
            : uploaded ? "uploaded report file: no mail to verify" : "report file from the operator", 500);
        string? warning = null;
        if (routedTo is { } routed && domain is not null && domain.InstitutionId != routed.Id)
        {
            // Sent to one institution's report address about another's domain: never counted for either.
            warning = $"mailed to the report address of {routed.Code}, but about {policyDomain}, which is not a domain of {routed.Code}";
            domain = null;
        }
        if (domain is { VerifiedAt: null })
        {
            if (source.InstitutionId is not null)
            {
                throw new ReportRejectedException($"report {org} {id} is about {policyDomain}, which is not verified yet: publish its DKIM CNAMEs or its TXT challenge and check it, then upload again");
            }
            // Held: not attributed to a tenant that has not proved it owns the domain; kept as foreign (counted, no records).
            domain = null;
        }
        var trusted = ReportProvenanceRules.Trusted(provenance);
        // An upload is a duplicate of any stored copy; a mailbox copy only of another mailbox copy. A trusted copy
        // is never the duplicate of untrusted ones: else a forged mail with a guessed id, arriving first, would keep
        // the real report out. The untrusted copies go instead (below).
        var blocking = domain is not null
            ? await db.Reports.AsNoTracking().Where(r => r.PolicyDomain == policyDomain && r.ReporterOrg == org && r.ReportId == id && (uploaded || !r.Uploaded))
                .Select(r => new { r.Id, r.Trusted }).ToListAsync(ct).ConfigureAwait(false)
            : null;
        var replacing = trusted && blocking is { Count: > 0 } && blocking.All(r => !r.Trusted);
        var seen = domain is not null
            ? blocking!.Count > 0 && !replacing
            : await db.ForeignReports.AnyAsync(r => r.PolicyDomain == policyDomain && r.ReporterOrg == org && r.ReportId == id && (uploaded || !r.Uploaded), ct).ConfigureAwait(false);
        if (seen)
        {
            // Read to the end all the same: a duplicate inside a broken file must not hide the breakage.
            var dup = DmarcReportParser.Summarize(reader, ct);
            return new ImportedReport(org, id, policyDomain, ReportImportStatus.Duplicate, (int)dup.Records, dup.Messages, provenance);
        }
        if (domain is null)
        {
            var summary = DmarcReportParser.Summarize(reader, ct);
            db.ForeignReports.Add(new ForeignReport
            {
                ReporterOrg = org, ReportId = id, PolicyDomain = policyDomain, Begin = meta.Begin.UtcDateTime, End = meta.End.UtcDateTime,
                MessageCount = summary.Messages, RecordCount = (int)summary.Records, Origin = origin, ImportedAt = now,
                Uploaded = uploaded, Provenance = provenance, Warning = warning is null ? null : Clip(warning, 500),
            });
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            return new ImportedReport(org, id, policyDomain, warning is null ? ReportImportStatus.Foreign : ReportImportStatus.Misrouted,
                (int)summary.Records, summary.Messages, provenance, warning);
        }
        if (replacing)
        {
            foreach (var copy in blocking!)
            {
                await RemoveCopyAsync(copy.Id, "the trusted copy replaces an untrusted one", ct).ConfigureAwait(false);
            }
        }
        if (!uploaded)
        {
            var upload = await db.Reports.AsNoTracking()
                // A trusted upload (a whole mail that verified) is not downgraded by an untrusted mailbox copy, which
                // anyone can mail with a guessed id: that one is kept beside it, uncounted.
                .Where(r => r.PolicyDomain == policyDomain && r.ReporterOrg == org && r.ReportId == id && r.Uploaded && (trusted || !r.Trusted))
                .Select(r => (long?)r.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (upload is { } uploadId)
            {
                await RemoveCopyAsync(uploadId, "the mailbox copy replaces an uploaded one", ct).ConfigureAwait(false);
            }
        }
        var report = new StoredReport
        {
            ReporterOrg = org, ReportId = id, DomainId = domain.Id, InstitutionId = domain.InstitutionId, PolicyDomain = policyDomain,
            Begin = meta.Begin.UtcDateTime, End = meta.End.UtcDateTime, PublishedPolicy = Clip(PolicyText(reader.Header.Policy), 300),
            Origin = origin, ImportedAt = now, Uploaded = uploaded, Trusted = trusted, Provenance = provenance, ProvenanceDetail = detail,
            RolledUp = true,
        };
        db.Reports.Add(report);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        var day = ReportDay(meta);
        int records = 0;
        long messages = 0, ours = 0, oursFailing = 0;
        var platform = _platform ??= new Analysis.SourceAttribution(options.Value.Provider.SendingIps, []);
        var totals = new ReportDay { DomainId = domain.Id, Day = day, Reports = 1 };
        // Untrusted reports are rolled up too (Trusted is in the rollup's key): the analysis adds them when asked.
        var rollup = new ReportRollup();
        foreach (var record in reader.ReadRecords(ct))
        {
            var row = ReportRecordMapper.Map(record, report.Id, domain.Id, day);
            row.Trusted = trusted;
            db.ReportRecords.Add(row);
            records++;
            messages += record.Count;
            ReportRecordMapper.AddTo(totals, row);
            rollup.Add(row, org);
            if (platform.IsPlatform(record.SourceIp.ToString()))
            {
                ours += record.Count;
                oursFailing += record.DmarcPass ? 0 : record.Count;
            }
            if (records % BatchSize == 0)
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                db.ChangeTracker.Clear();
                if (rollup.Rows >= BatchSize)
                {
                    await rollup.WriteAsync(db, ct).ConfigureAwait(false);
                }
            }
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        await rollup.WriteAsync(db, ct).ConfigureAwait(false);
        await db.Reports.Where(r => r.Id == report.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.RecordCount, records).SetProperty(r => r.MessageCount, messages)
                .SetProperty(r => r.Warnings, ReportWarnings.ToJson(reader.Warnings)), ct).ConfigureAwait(false);
        if (!trusted)
        {
            // Kept and shown (as untrusted), never in the day totals the advisor reads, never an alert.
            return new ImportedReport(org, id, policyDomain, ReportImportStatus.Imported, records, messages, provenance);
        }
        await AddToDayAsync(totals, ct).ConfigureAwait(false);
        if (oursFailing >= OwnFailureAlertMin && oursFailing > ours * (1 - options.Value.Reports.Advisor.MinAlignedShare))
        {
            // The one finding that cannot wait for someone to open the dashboard: our signing or their DNS broke.
            var code = await db.Institutions.Where(i => i.Id == domain.InstitutionId).Select(i => i.Code).FirstAsync(ct).ConfigureAwait(false);
            await Webhooks.WebhookOutbox.EnqueueAsync(db, domain.InstitutionId, new Webhooks.ServerEvent(Webhooks.ServerEventType.ReportsOwnMailFailing, code, domain.Name, now,
                $"{org} reports {oursFailing} of {ours} messages from our networks failing DMARC on {day:yyyy-MM-dd}", new Webhooks.OwnMailFailingDetails(org, id, day, oursFailing, ours)), ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
        }
        return new ImportedReport(org, id, policyDomain, ReportImportStatus.Imported, records, messages, provenance);
    }

    /// <summary>
    /// Verified: the report came in a mail that passed DMARC for a trusted reporter's domain, and its org_name is
    /// that reporter's (<see cref="ReportMailEvidence.ReporterProblem"/>; an uploaded .eml too, by DKIM alone).
    /// Otherwise an upload is <c>uploaded</c>, other mail <c>unverified</c>, and a bare file from the operator's
    /// folder or CLI <c>local-file</c>; for mail, the second value says why it was not verified.
    /// </summary>
    private (ReportProvenance, string?) Provenance(ReportSource source, ReportMailEvidence evidence, DmarcReportMetadata meta) =>
        Provenance(source, evidence, meta.OrgName);

    private (ReportProvenance, string?) Provenance(ReportSource source, ReportMailEvidence evidence, string orgName)
    {
        var why = evidence.IsMail ? evidence.ReporterProblem(orgName, options.Value.Reports, suffixes) : null;
        if (evidence.IsMail && why is null)
        {
            return (ReportProvenance.Verified, null);
        }
        return (source.Channel switch
        {
            ReportChannel.Upload => ReportProvenance.Uploaded,
            ReportChannel.Folder when !evidence.IsMail => ReportProvenance.LocalFile,
            _ => ReportProvenance.Unverified,
        }, why);
    }

    /// <summary>
    /// Removes a stored copy that a better one replaces: the mailbox's copy replaces an upload with the same key
    /// (never the reverse), and a trusted copy replaces untrusted ones. Its records go, and its day totals are
    /// taken back out when it had been counted, its rollups when it had been rolled up (not yet backfilled: not).
    /// </summary>
    private async Task RemoveCopyAsync(long reportId, string why, CancellationToken ct)
    {
        var old = await db.Reports.AsNoTracking().Where(r => r.Id == reportId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (old is null)
        {
            return;
        }
        if (old.Trusted)
        {
            var t = await db.ReportRecords.AsNoTracking().Where(r => r.ReportId == old.Id).GroupBy(r => r.Day).Select(g => new ReportDay
            {
                DomainId = old.DomainId, Day = g.Key, Reports = 1, Messages = g.Sum(r => r.Count),
                DmarcPass = g.Sum(r => r.DmarcPass ? r.Count : 0), DkimAligned = g.Sum(r => r.DkimAligned ? r.Count : 0),
                SpfAligned = g.Sum(r => r.SpfAligned ? r.Count : 0), DkimPass = g.Sum(r => r.DkimAuthPass ? r.Count : 0),
                SpfPass = g.Sum(r => r.SpfAuthPass ? r.Count : 0), Quarantine = g.Sum(r => r.Disposition == ReportRecordMapper.Quarantine ? r.Count : 0),
                Reject = g.Sum(r => r.Disposition == ReportRecordMapper.Reject ? r.Count : 0),
            }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (t is not null)
            {
                await db.ReportDays.Where(d => d.DomainId == t.DomainId && d.Day == t.Day).ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Reports, d => d.Reports - 1)
                    .SetProperty(d => d.Messages, d => d.Messages - t.Messages)
                    .SetProperty(d => d.DmarcPass, d => d.DmarcPass - t.DmarcPass)
                    .SetProperty(d => d.DkimAligned, d => d.DkimAligned - t.DkimAligned)
                    .SetProperty(d => d.SpfAligned, d => d.SpfAligned - t.SpfAligned)
                    .SetProperty(d => d.DkimPass, d => d.DkimPass - t.DkimPass)
                    .SetProperty(d => d.SpfPass, d => d.SpfPass - t.SpfPass)
                    .SetProperty(d => d.Quarantine, d => d.Quarantine - t.Quarantine)
                    .SetProperty(d => d.Reject, d => d.Reject - t.Reject), ct).ConfigureAwait(false);
            }
        }
        if (old.RolledUp)
        {
            var rollup = new ReportRollup();
            await foreach (var r in db.ReportRecords.AsNoTracking().Where(r => r.ReportId == old.Id).AsAsyncEnumerable().WithCancellation(ct).ConfigureAwait(false))
            {
                rollup.Add(r, old.ReporterOrg, sign: -1);
            }
            await rollup.WriteAsync(db, ct).ConfigureAwait(false);
        }
        await db.ReportRecords.Where(r => r.ReportId == old.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await db.Reports.Where(r => r.Id == old.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        log.LogInformation(new EventId(LogEvents.Reports + 12), "report {Org} {Id} about {Domain}: {Why} (from {Origin})", old.ReporterOrg, old.ReportId, old.PolicyDomain, why, old.Origin);
    }

    /// <summary>
    /// Adds a report's totals to its day. An instance adding the first report of the same day at the same moment
    /// makes this insert fail on the key; the file's transaction is then read again (see ImportFileAsync) and
    /// the update finds the row.
    /// </summary>
    private async Task AddToDayAsync(ReportDay t, CancellationToken ct)
    {
        var updated = await db.ReportDays.Where(d => d.DomainId == t.DomainId && d.Day == t.Day).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Reports, d => d.Reports + 1)
            .SetProperty(d => d.Messages, d => d.Messages + t.Messages)
            .SetProperty(d => d.DmarcPass, d => d.DmarcPass + t.DmarcPass)
            .SetProperty(d => d.DkimAligned, d => d.DkimAligned + t.DkimAligned)
            .SetProperty(d => d.SpfAligned, d => d.SpfAligned + t.SpfAligned)
            .SetProperty(d => d.DkimPass, d => d.DkimPass + t.DkimPass)
            .SetProperty(d => d.SpfPass, d => d.SpfPass + t.SpfPass)
            .SetProperty(d => d.Quarantine, d => d.Quarantine + t.Quarantine)
            .SetProperty(d => d.Reject, d => d.Reject + t.Reject), ct).ConfigureAwait(false);
        if (updated == 0)
        {
            db.ReportDays.Add(t);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The sender domain a report is about: the policy domain itself or the nearest registered parent.</summary>
    private async Task<SenderDomain?> OwnerAsync(string policyDomain, CancellationToken ct)
    {
        var candidates = new List<string>();
        for (var name = policyDomain; name.Length > 0;)
        {
            candidates.Add(name);
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            name = dot < 0 ? "" : name[(dot + 1)..];
        }
        var found = await db.Domains.AsNoTracking().Where(d => candidates.Contains(d.Name)).ToListAsync(ct).ConfigureAwait(false);
        return found.OrderByDescending(d => d.Name.Length).FirstOrDefault();
    }

    /// <summary>Reporters write ranges on their own midnight; the day holding the range's middle is the one they mean.</summary>
    private static DateTime ReportDay(DmarcReportMetadata meta)
    {
        var middle = meta.Begin + ((meta.End > meta.Begin ? meta.End - meta.Begin : TimeSpan.Zero) / 2);
        return middle.UtcDateTime.Date;
    }

    internal static string PolicyText(DmarcPolicyPublished p)
    {
        var parts = new List<string>();
        if (p.Policy is { } pol) { parts.Add("p=" + pol.Token()); }
        if (p.SubdomainPolicy is { } sp) { parts.Add("sp=" + sp.Token()); }
        if (p.NonExistentSubdomainPolicy is { } np) { parts.Add("np=" + np.Token()); }
        if (p.DkimAlignment is { } adkim) { parts.Add("adkim=" + adkim.Token()); }
        if (p.SpfAlignment is { } aspf) { parts.Add("aspf=" + aspf.Token()); }
        if (p.Percent is { } pct) { parts.Add("pct=" + pct.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        if (p.Testing == true) { parts.Add("t=y"); }
        return string.Join("; ", parts);
    }

    /// <summary>
    /// Keeps a refused file in <c>DATA/reports/quarantine/</c> and lists it with its reason. A file that is (or may
    /// be) a failure report is kept redacted (<paramref name="redact"/>): the mail's own header fields and a note
    /// of what was dropped, never its body, which may quote someone's message (docs/security.md, "Failure
    /// reports"); the row's size and SHA-256 are the original file's, so it can still be matched.
    /// </summary>
    private async Task<FileImportOutcome> QuarantineAsync(string path, string fileName, string origin, long? institutionId, string reason, bool redact, CancellationToken ct)
    {
        var folder = Path.Combine(options.Value.DataDirectory, "reports", "quarantine");
        Directory.CreateDirectory(folder);
        string sha;
        long bytes;
        var source = File.OpenRead(path);
        await using (source.ConfigureAwait(false))
        {
            bytes = source.Length;
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(source, ct).ConfigureAwait(false));
        }
        var kept = $"{time.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss}-{sha[..12]}-{SafeName(fileName)}";
        if (redact)
        {
            await WriteRedactedAsync(path, Path.Combine(folder, kept), sha, bytes, reason, ct).ConfigureAwait(false);
        }
        else
        {
            File.Copy(path, Path.Combine(folder, kept), overwrite: true);
        }
        db.QuarantinedReports.Add(new QuarantinedReport
        {
            FileName = Clip(fileName, 300), StoredAs = Path.Combine("reports", "quarantine", kept), Reason = Clip(reason, 2000),
            Origin = Clip(origin, 300), InstitutionId = institutionId, Bytes = bytes, Sha256 = sha, At = time.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        if (institutionId is { } owner)
        {
            await TrimQuarantineAsync(owner, ct).ConfigureAwait(false);
        }
        metrics.ReportFile(ReportKind.Aggregate, SenderAuthJson.Token(FileImportStatus.Quarantined));
        log.LogWarning(new EventId(LogEvents.Reports + 13), "report file {File} from {Origin} quarantined: {Reason}", fileName, origin, reason);
        return new FileImportOutcome(fileName, FileImportStatus.Quarantined, [], reason);
    }

    /// <summary>Header bytes of a redacted quarantined mail kept at most; a longer header block is cut there.</summary>
    private const int RedactedHeaderBytes = 64 * 1024;

    /// <summary>
    /// The mail's top-level header block (up to the first empty line, at most <see cref="RedactedHeaderBytes"/>),
    /// then a note in place of the body. The reported message's own headers sit in the body and are dropped too:
    /// a readable failure report's are stored in its row, an unreadable one's are not needed to see why it failed.
    /// </summary>
    private static async Task WriteRedactedAsync(string path, string target, string sha, long bytes, string reason, CancellationToken ct)
    {
        var head = new byte[RedactedHeaderBytes];
        int read;
        var source = File.OpenRead(path);
        await using (source.ConfigureAwait(false))
        {
            read = await source.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        }
        var span = head.AsSpan(0, read);
        var end = span.IndexOf("\r\n\r\n"u8) is >= 0 and var crlf ? crlf + 2 : span.IndexOf("\n\n"u8) is >= 0 and var lf ? lf + 1 : read;
        var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None);
        await using (output.ConfigureAwait(false))
        {
            await output.WriteAsync(head.AsMemory(0, end), ct).ConfigureAwait(false);
            var note = $"\r\n[SenderAuth: body not kept (it may quote someone's message: docs/security.md, \"Failure reports\"). "
                + $"Original: {bytes} bytes, sha256 {sha}. Refused: {reason}]\r\n";
            await output.WriteAsync(System.Text.Encoding.UTF8.GetBytes(note), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Keeps an institution's quarantined uploads within Reports:QuarantineBytesPerInstitution: the oldest go first
    /// (file and row), each logged and audited, so one tenant's flood of broken files cannot fill the data disk.
    /// The newest file always stays (the limit is at least MaxUploadBytes, checked at start).
    /// </summary>
    private async Task TrimQuarantineAsync(long institutionId, CancellationToken ct)
    {
        var limit = options.Value.Reports.QuarantineBytesPerInstitution;
        var kept = await db.QuarantinedReports.AsNoTracking().Where(q => q.InstitutionId == institutionId)
            .OrderByDescending(q => q.Id).Select(q => new { q.Id, q.Bytes, q.StoredAs, q.FileName, q.Origin }).ToListAsync(ct).ConfigureAwait(false);
        long total = 0;
        foreach (var q in kept)
        {
            total += q.Bytes;
            if (total <= limit || q.Id == kept[0].Id)
            {
                continue;
            }
            var file = Path.Combine(options.Value.DataDirectory, q.StoredAs);
            File.Delete(file);
            await db.QuarantinedReports.Where(r => r.Id == q.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            db.Record(time, "system", institutionId, "report.quarantine.drop", q.FileName,
                $"{q.Bytes} bytes from {q.Origin} deleted: the institution's quarantine is over {limit} bytes (SenderAuth:Reports:QuarantineBytesPerInstitution)");
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            log.LogWarning(new EventId(LogEvents.Reports + 14), "quarantined upload {File} ({Bytes} bytes, {Origin}) deleted: institution {Institution}'s quarantine is over {Limit} bytes",
                q.FileName, q.Bytes, q.Origin, institutionId, limit);
        }
    }

    private static bool Unreadable(Exception e) =>
        e is DmarcReportException or FailureReportRefusedException or InvalidDataException or System.Xml.XmlException or EndOfStreamException or FormatException;

    /// <summary>SQLite's constraint error 19 (unique: extended 2067) and PostgreSQL's 23505.</summary>
    internal static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode == 19,
        Npgsql.PostgresException p => p.SqlState == "23505",
        _ => false,
    };

    /// <summary>PostgreSQL's deadlock_detected (40P01), raised by a statement or by SaveChanges (then wrapped).</summary>
    private static bool IsDeadlock(Exception e) =>
        (e as Npgsql.PostgresException ?? e.InnerException as Npgsql.PostgresException) is { SqlState: "40P01" };

    private static string SafeName(string name)
    {
        var chars = Path.GetFileName(name).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray();
        var safe = new string(chars);
        return safe.Length == 0 ? "report" : safe.Length > 100 ? safe[^100..] : safe;
    }

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..max];
}

/// <summary>The failure report parser refused the file: it is a failure report, so it is quarantined redacted.</summary>
public sealed class FailureReportRefusedException(DmarcReportException refusal) : Exception(refusal.Message, refusal)
{
    /// <summary>The parser's refusal, with its code.</summary>
    public DmarcReportException Refusal { get; } = refusal;
}

/// <summary>An institution's upload named a domain that is not theirs.</summary>
public sealed class ReportRejectedException(string message, ReportKind kind = ReportKind.Aggregate) : Exception(message)
{
    /// <summary>Which kind of report was refused (the metrics' <c>kind</c> label).</summary>
    public ReportKind Kind { get; } = kind;
}
