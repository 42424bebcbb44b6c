using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Reports;

namespace SenderAuth.Server.Reports;

/// <summary>What happened to one report of a file.</summary>
public sealed record ImportedReport(string ReporterOrg, string ReportId, string Domain, ReportImportStatus Status, int Records, long Messages);

/// <summary>
/// What happened to one file: <c>imported</c> (new reports stored; duplicates and foreign ones listed),
/// <c>quarantined</c> (unreadable or hostile: nothing stored, the file kept with the reason) or <c>rejected</c>
/// (an institution uploaded a report about a domain that is not theirs: nothing stored).
/// </summary>
public sealed record FileImportOutcome(string File, FileImportStatus Status, IReadOnlyList<ImportedReport> Reports, string? Reason = null)
{
    public int Imported => Reports.Count(r => r.Status == ReportImportStatus.Imported);
    public int Duplicates => Reports.Count(r => r.Status == ReportImportStatus.Duplicate);
    public int Foreign => Reports.Count(r => r.Status == ReportImportStatus.Foreign);
}

/// <summary>
/// Imports aggregate report files (.xml, .gz, .zip, .eml) into the database. A file is one transaction: every
/// report in it is stored, or none (a late parse error rolls back what was streamed in before it). Records are
/// streamed in batches, so a large report never sits in memory. Deduplication is the unique key on
/// (reporter org, report id): the existence check is only the fast path; two instances racing on the same report
/// make one commit fail, and that file is read again, now finding the report.
/// </summary>
public sealed class ReportImporter(SenderAuthDb db, IOptions<ServerOptions> options, TimeProvider time, ILogger<ReportImporter> log, ServerMetrics metrics)
{
    private const int BatchSize = 2000;

    /// <summary>Fewer failing messages than this in one report is noise (a test message), not an outage.</summary>
    private const long OwnFailureAlertMin = 10;

    private Analysis.SourceAttribution? _platform;

    /// <param name="path">The file; it is not moved or deleted (the caller owns it).</param>
    /// <param name="fileName">The name to report and keep (an upload's or attachment's name).</param>
    /// <param name="origin">Where it came from: <c>upload:&lt;actor&gt;</c>, <c>imap:&lt;mailbox&gt;</c>, <c>directory</c>, <c>cli</c>.</param>
    /// <param name="institutionId">For an institution's upload: only that institution's domains are accepted.</param>
    public async Task<FileImportOutcome> ImportFileAsync(string path, string fileName, string origin, long? institutionId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ImportOnceAsync(path, fileName, origin, institutionId, ct).ConfigureAwait(false);
            }
            catch (DbUpdateException e) when (attempt == 1 && IsUniqueViolation(e))
            {
                // Another instance committed one of this file's reports first: read the file again, it is a duplicate now.
                log.LogInformation("report file {File}: a report was imported concurrently; reading the file again", fileName);
                db.ChangeTracker.Clear();
            }
            catch (Exception e) when (Unreadable(e))
            {
                db.ChangeTracker.Clear();
                var reason = e is DmarcReportException r ? $"{r.Kind.Code()}: {r.Message}" : $"{fileName}: {e.Message}";
                return await QuarantineAsync(path, fileName, origin, institutionId, reason, ct).ConfigureAwait(false);
            }
            catch (ReportRejectedException e)
            {
                db.ChangeTracker.Clear();
                metrics.ReportFile(FileImportStatus.Rejected.Token());
                return new FileImportOutcome(fileName, FileImportStatus.Rejected, [], e.Message);
            }
        }
    }

    private async Task<FileImportOutcome> ImportOnceAsync(string path, string fileName, string origin, long? institutionId, CancellationToken ct)
    {
        var parser = new DmarcReportParser(options.Value.Reports.ParserLimits());
        var results = new List<ImportedReport>();
        var now = time.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            await foreach (var reader in parser.ReadAsync(file, fileName, ct).ConfigureAwait(false))
            {
                results.Add(await ImportReportAsync(reader, origin, institutionId, now, ct).ConfigureAwait(false));
            }
        }
        if (results.Count == 0)
        {
            throw new DmarcReportException(DmarcReportErrorKind.UnsupportedFormat, fileName, 0, 0, "no DMARC aggregate report in the file");
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        foreach (var r in results)
        {
            metrics.ReportFile(r.Status.Token());
        }
        log.LogInformation("report file {File} from {Origin}: {Imported} imported, {Duplicates} duplicate, {Foreign} foreign",
            fileName, origin, results.Count(r => r.Status == ReportImportStatus.Imported), results.Count(r => r.Status == ReportImportStatus.Duplicate), results.Count(r => r.Status == ReportImportStatus.Foreign));
        return new FileImportOutcome(fileName, FileImportStatus.Imported, results);
    }

    private async Task<ImportedReport> ImportReportAsync(DmarcReportReader reader, string origin, long? institutionId, DateTime now, CancellationToken ct)
    {
        var meta = reader.Header.Metadata;
        var policyDomain = reader.Header.Policy.Domain.Trim().TrimEnd('.').ToLowerInvariant();
        var org = Clip(meta.OrgName.Trim(), 300);
        var id = Clip(meta.ReportId, 300);
        var domain = await OwnerAsync(policyDomain, ct).ConfigureAwait(false);
        if (institutionId is { } mine && domain?.InstitutionId != mine)
        {
            throw new ReportRejectedException($"report {org} {id} is about {policyDomain}, which is not a domain of your institution");
        }
        if (domain is { VerifiedAt: null })
        {
            if (institutionId is not null)
            {
                throw new ReportRejectedException($"report {org} {id} is about {policyDomain}, which is not verified yet: publish its DKIM CNAMEs or its TXT challenge and check it, then upload again");
            }
            // Held: not attributed to a tenant that has not proved it owns the domain; kept as foreign (counted, no records).
            domain = null;
        }
        var seen = domain is not null
            ? await db.Reports.AnyAsync(r => r.ReporterOrg == org && r.ReportId == id, ct).ConfigureAwait(false)
            : await db.ForeignReports.AnyAsync(r => r.ReporterOrg == org && r.ReportId == id, ct).ConfigureAwait(false);
        if (seen)
        {
            // Read to the end all the same: a duplicate inside a broken file must not hide the breakage.
            var dup = DmarcReportParser.Summarize(reader, ct);
            return new ImportedReport(org, id, policyDomain, ReportImportStatus.Duplicate, (int)dup.Records, dup.Messages);
        }
        if (domain is null)
        {
            var summary = DmarcReportParser.Summarize(reader, ct);
            db.ForeignReports.Add(new ForeignReport
            {
                ReporterOrg = org, ReportId = id, PolicyDomain = Clip(policyDomain, 253), Begin = meta.Begin.UtcDateTime, End = meta.End.UtcDateTime,
                MessageCount = summary.Messages, RecordCount = (int)summary.Records, Origin = Clip(origin, 300), ImportedAt = now,
            });
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            return new ImportedReport(org, id, policyDomain, ReportImportStatus.Foreign, (int)summary.Records, summary.Messages);
        }
        var report = new StoredReport
        {
            ReporterOrg = org, ReportId = id, DomainId = domain.Id, InstitutionId = domain.InstitutionId, PolicyDomain = Clip(policyDomain, 253),
            Begin = meta.Begin.UtcDateTime, End = meta.End.UtcDateTime, PublishedPolicy = Clip(PolicyText(reader.Header.Policy), 300),
            Origin = Clip(origin, 300), ImportedAt = now,
        };
        db.Reports.Add(report);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        var day = ReportDay(meta);
        int records = 0;
        long messages = 0, ours = 0, oursFailing = 0;
        var platform = _platform ??= new Analysis.SourceAttribution(options.Value.Provider.SendingIps, []);
        var totals = new ReportDay { DomainId = domain.Id, Day = day, Reports = 1 };
        foreach (var record in reader.ReadRecords(ct))
        {
            var row = ReportRecordMapper.Map(record, report.Id, domain.Id, day);
            db.ReportRecords.Add(row);
            records++;
            messages += record.Count;
            ReportRecordMapper.AddTo(totals, row);
            if (platform.IsPlatform(record.SourceIp.ToString()))
            {
                ours += record.Count;
                oursFailing += record.DmarcPass ? 0 : record.Count;
            }
            if (records % BatchSize == 0)
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                db.ChangeTracker.Clear();
            }
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        await db.Reports.Where(r => r.Id == report.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.RecordCount, records).SetProperty(r => r.MessageCount, messages), ct).ConfigureAwait(false);
        await AddToDayAsync(totals, ct).ConfigureAwait(false);
        if (oursFailing >= OwnFailureAlertMin && oursFailing > ours * (1 - options.Value.Reports.Advisor.MinAlignedShare))
        {
            // The one finding that cannot wait for someone to open the dashboard: our signing or their DNS broke.
            var code = await db.Institutions.Where(i => i.Id == domain.InstitutionId).Select(i => i.Code).FirstAsync(ct).ConfigureAwait(false);
            await Webhooks.WebhookOutbox.EnqueueAsync(db, domain.InstitutionId, new Webhooks.ServerEvent("reports.own-mail-failing", code, domain.Name, now,
                $"{org} reports {oursFailing} of {ours} messages from our networks failing DMARC on {day:yyyy-MM-dd}", new { reporter = org, reportId = id, day, failing = oursFailing, total = ours }), ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
        }
        return new ImportedReport(org, id, policyDomain, ReportImportStatus.Imported, records, messages);
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

    private async Task<FileImportOutcome> QuarantineAsync(string path, string fileName, string origin, long? institutionId, string reason, CancellationToken ct)
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
        File.Copy(path, Path.Combine(folder, kept), overwrite: true);
        db.QuarantinedReports.Add(new QuarantinedReport
        {
            FileName = Clip(fileName, 300), StoredAs = Path.Combine("reports", "quarantine", kept), Reason = Clip(reason, 2000),
            Origin = Clip(origin, 300), InstitutionId = institutionId, Bytes = bytes, Sha256 = sha, At = time.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        metrics.ReportFile(FileImportStatus.Quarantined.Token());
        log.LogWarning("report file {File} from {Origin} quarantined: {Reason}", fileName, origin, reason);
        return new FileImportOutcome(fileName, FileImportStatus.Quarantined, [], reason);
    }

    private static bool Unreadable(Exception e) =>
        e is DmarcReportException or InvalidDataException or System.Xml.XmlException or EndOfStreamException or FormatException;

    /// <summary>SQLite's constraint error 19 (unique: extended 2067) and PostgreSQL's 23505.</summary>
    internal static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode == 19,
        Npgsql.PostgresException p => p.SqlState == "23505",
        _ => false,
    };

    private static string SafeName(string name)
    {
        var chars = Path.GetFileName(name).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray();
        var safe = new string(chars);
        return safe.Length == 0 ? "report" : safe.Length > 100 ? safe[^100..] : safe;
    }

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..max];
}

/// <summary>An institution's upload named a domain that is not theirs.</summary>
public sealed class ReportRejectedException(string message) : Exception(message);
