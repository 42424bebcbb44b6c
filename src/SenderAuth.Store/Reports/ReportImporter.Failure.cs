using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SenderAuth.Reports.Failure;

namespace SenderAuth.Store.Reports;

/// <summary>
/// Failure reports (RFC 9991) through the aggregate reports' ways in (mailbox, folder, upload, CLI): routed,
/// scoped, judged for provenance and deduplicated the same way, stored as one <see cref="StoredFailureReport"/> each.
/// </summary>
public sealed partial class ReportImporter
{
    private FailureReportParser? _failureParser;

    /// <summary>The parser with SenderAuth:Reports:Failure's limits (checked at start: OptionRanges).</summary>
    private FailureReportParser FailureParser => _failureParser ??= new FailureReportParser(options.Value.Reports.Failure.Limits());

    /// <summary>The failure report in the file, imported (new, duplicate, foreign or misrouted); null when the file is not one.</summary>
    /// <exception cref="FailureReportRefusedException">A failure report that is refused: the caller quarantines the file, redacted.</exception>
    /// <exception cref="ReportRejectedException">An institution uploaded one about a domain that is not theirs (or not verified).</exception>
    private async Task<ImportedReport?> ImportFailureReportAsync(string path, string fileName, ReportSource source, ReportMailEvidence evidence,
        (long Id, string Code)? routedTo, DateTime now, CancellationToken ct)
    {
        FailureReport? report;
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            try
            {
                report = FailureParser.TryRead(file, fileName, ct);
            }
            catch (SenderAuth.Reports.DmarcReportException e)
            {
                throw new FailureReportRefusedException(e);
            }
        }
        if (report is null)
        {
            return null;
        }
        var reporter = Clip(report.Reporter ?? "unknown reporter", 300);
        var fingerprint = Fingerprint(report);
        var uploaded = source.Channel == ReportChannel.Upload;
        var domain = await OwnerAsync(report.ReportedDomain, ct).ConfigureAwait(false);
        if (source.InstitutionId is { } mine && domain?.InstitutionId != mine)
        {
            throw new ReportRejectedException($"failure report from {reporter} is about {report.ReportedDomain}, which is not a domain of your institution", ReportKind.Failure);
        }
        // The reporter's domain stands where an aggregate report's org_name does: the mail must come from it.
        var (provenance, why) = Provenance(source, evidence, report.Reporter?.Split('@')[^1] ?? "");
        string? warning = null;
        if (routedTo is { } routed && domain is not null && domain.InstitutionId != routed.Id)
        {
            warning = $"mailed to the report address of {routed.Code}, but about {report.ReportedDomain}, which is not a domain of {routed.Code}";
            domain = null;
        }
        if (domain is { VerifiedAt: null })
        {
            if (source.InstitutionId is not null)
            {
                throw new ReportRejectedException($"failure report from {reporter} is about {report.ReportedDomain}, which is not verified yet: publish its DKIM CNAMEs or its TXT challenge and check it, then upload again", ReportKind.Failure);
            }
            domain = null;
        }
        var id = fingerprint[..16];
        var trusted = ReportProvenanceRules.Trusted(provenance);
        var copies = await db.FailureReports.AsNoTracking().Where(r => r.Fingerprint == fingerprint)
            .Select(r => new { r.Id, r.Uploaded, r.Trusted, r.DomainId }).ToListAsync(ct).ConfigureAwait(false);
        // As for aggregate reports: an upload never replaces a copy; a mailbox copy replaces an upload (unless that
        // upload verified and this does not) and a trusted copy replaces an untrusted mailbox copy, so a forged mail
        // that came first does not stand for the real one and the findings never count one report twice. A copy
        // filed under a domain adopts any stored without one (misrouted, foreign or held while the domain was not
        // verified): else the first, misrouted copy would keep the report from the institution that owns it.
        var replaced = copies.Where(c => (domain is not null && c.DomainId is null)
                || (!uploaded && (c.Uploaded ? trusted || !c.Trusted : trusted && !c.Trusted)))
            .Select(c => c.Id).ToList();
        if (copies.Count > replaced.Count)
        {
            return new ImportedReport(reporter, id, report.ReportedDomain, ReportImportStatus.Duplicate, 1, 1, provenance, Kind: ReportKind.Failure);
        }
        if (replaced.Count > 0)
        {
            await db.FailureReports.Where(r => replaced.Contains(r.Id)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            log.LogInformation(new EventId(LogEvents.Reports + 17), "failure report from {Reporter} about {Domain}: the {Provenance} copy from {Origin} replaces (or adopts) {Count} stored one(s)",
                reporter, report.ReportedDomain, provenance.Token(), source.Origin, replaced.Count);
        }
        var detail = Clip(evidence.IsMail ? evidence.Summary + (why is null ? "" : "; untrusted: " + why)
            : uploaded ? "uploaded report file: no mail to verify" : "report file from the operator", 500);
        db.FailureReports.Add(new StoredFailureReport
        {
            InstitutionId = domain?.InstitutionId, DomainId = domain?.Id, ReportedDomain = Clip(report.ReportedDomain, 253), Reporter = report.Reporter is null ? null : Clip(report.Reporter, 320),
            SourceIp = report.SourceIp?.ToString(), HeaderFrom = report.HeaderFrom, MailFrom = report.MailFrom is null ? null : Clip(report.MailFrom, 320),
            DkimDomain = report.DkimDomain, DkimSelector = report.DkimSelector is null ? null : Clip(report.DkimSelector, 253),
            AuthFailure = report.AuthFailure is null ? null : Clip(report.AuthFailure, 64),
            IdentityAlignment = report.IdentityAlignment is null ? null : Clip(report.IdentityAlignment, 64),
            DeliveryResult = report.DeliveryResult is null ? null : Clip(report.DeliveryResult, 64),
            AuthenticationResults = report.AuthenticationResults.Count == 0 ? null : Clip(string.Join('\n', report.AuthenticationResults), 8000),
            ArrivalDate = report.ArrivalDate?.UtcDateTime, MessageId = report.MessageId is null ? null : Clip(report.MessageId, 998),
            Headers = Clip(report.Headers, 40_000), BodyRedacted = report.BodyRedacted,
            Format = report.Format,
            Warnings = ReportWarnings.ToJson(report.Warnings, StoredFailureReport.MaxWarningsChars),
            ReceivedAt = now, Origin = Clip(source.Origin, 300), Uploaded = uploaded, Trusted = trusted,
            Provenance = provenance, ProvenanceDetail = detail, Warning = warning is null ? null : Clip(warning, 500), Fingerprint = fingerprint,
        });
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        log.LogInformation(new EventId(LogEvents.Reports + 18), "failure report from {Reporter} about {Domain} ({Origin}): source {Ip}, {AuthFailure}, {Provenance}{Warnings}",
            reporter, report.ReportedDomain, source.Origin, report.SourceIp, report.AuthFailure ?? "no Auth-Failure", provenance.Token(),
            report.Warnings.Count == 0 ? "" : "; warnings: " + string.Join(", ", report.Warnings.Select(w => w.Code).Distinct()));
        var status = domain is not null ? ReportImportStatus.Imported : warning is null ? ReportImportStatus.Foreign : ReportImportStatus.Misrouted;
        return new ImportedReport(reporter, id, report.ReportedDomain, status, 1, 1, provenance, warning, Kind: ReportKind.Failure);
    }

    /// <summary>The same report mail read again (the mailbox polled twice, an upload of it) hashes the same; transport headers do not count.</summary>
    private static string Fingerprint(FailureReport r)
    {
        var key = string.Join('\n', r.Reporter, r.ReportedDomain, r.SourceIp, r.ArrivalDate?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            r.MessageId, r.AuthFailure, r.Headers);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}
