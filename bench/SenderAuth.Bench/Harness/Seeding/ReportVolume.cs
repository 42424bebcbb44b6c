using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using SenderAuth.Store.Data;
using SenderAuth.Server.Reports;
using SenderAuth.Store.Reports;

namespace SenderAuth.Bench.Harness.Seeding;

/// <summary>
/// Fills a server database with a year of report records for one domain (row_report_query), through the server's
/// EF Core model: 1,825 reports (365 days x 5 reporters), RECORDS rows spread evenly over them, ~2,000 distinct
/// source IPs, counts 1-50, pass/fail and alignment patterns varied by row number, and what the importer keeps
/// beside them: the day totals (ReportDays) and the rollups the analysis reads (ReportSourceDays, ReportIdentityDays),
/// summed from the same rows by the importer's own code (ReportRecordMapper.AddTo, ReportRollup). Importing 10
/// million rows through the API would time the importer (its own row, row_report_import), not the queries this row
/// is about.
/// </summary>
public static class ReportVolume
{
    private static readonly string[] Reporters = ["google.com", "outlook.com", "yahoo.com", "mail.ru", "comcast.net"];
    private const int Days = 365;
    private const int Reports = Days * 5;
    // Rows per SaveChanges: large enough that EF's batching dominates, small enough to keep the change tracker cheap.
    // EF's per-entity work is the cost of seeding through the model (about 10,000 records/s on the loaded 2-core
    // VM, against seconds for the INSERT … SELECT it replaces); explicit keys measured no faster.
    private const int Batch = 20_000;
    private static readonly DateTime Start = new(2025, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    public static async Task<long> SeedAsync(SenderAuthDb db, string domainName, long records, CancellationToken ct)
    {
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var domain = await db.Domains.AsNoTracking().SingleAsync(d => d.Name == domainName, ct).ConfigureAwait(false);
        var reports = Enumerable.Range(0, Reports).Select(k => new StoredReport
        {
            ReporterOrg = Reporters[k % 5],
            ReportId = $"bench-{k}",
            DomainId = domain.Id,
            InstitutionId = domain.InstitutionId,
            PolicyDomain = domainName,
            Begin = Start.AddDays(k / 5),
            End = Start.AddDays(k / 5).AddSeconds(86399),
            PublishedPolicy = "p=none",
            Origin = "bench",
            ImportedAt = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc),
            // Seeded as the operator's own files: trusted, so the day totals and the analysis count them.
            Trusted = true,
            Provenance = ReportProvenance.LocalFile,
            ProvenanceDetail = "seeded by the bench",
            RolledUp = true,
        }).ToList();
        db.Reports.AddRange(reports);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();

        var days = new Dictionary<DateTime, ReportDay>();
        var sw = Stopwatch.StartNew();
        var rollup = new ReportRollup();
        long written = 0;
        // Report by report (record i belongs to report i % Reports), as the importer writes them: a report's rollup
        // is summed in memory and added once, when its records are in.
        for (var k = 0; k < Reports; k++)
        {
            for (long i = k; i < records; i += Reports)
            {
                var r = Record(i, reports[k].Id, domain.Id, domainName, Start.AddDays(k / 5));
                db.ReportRecords.Add(r);
                if (!days.TryGetValue(r.Day, out var day))
                {
                    days[r.Day] = day = new ReportDay { DomainId = domain.Id, Day = r.Day };
                }
                // Each report's first record counts it on its day.
                day.Reports += i < Reports ? 1 : 0;
                // The day totals as the importer keeps them (one definition: ReportRecordMapper.AddTo).
                ReportRecordMapper.AddTo(day, r);
                rollup.Add(r, reports[k].ReporterOrg);
                if (++written % Batch == 0)
                {
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                    db.ChangeTracker.Clear();
                    if (written % 1_000_000 == 0)
                    {
                        RowContext.Log($"    {written:N0} records, {written / sw.Elapsed.TotalSeconds:0}/s");
                    }
                }
            }
            await rollup.WriteAsync(db, ct).ConfigureAwait(false);
        }
        db.ReportDays.AddRange(days.Values);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return await db.ReportRecords.LongCountAsync(r => r.DomainId == domain.Id, ct).ConfigureAwait(false);
    }

    private static StoredReportRecord Record(long i, long reportId, long domainId, string domain, DateTime day) => new()
    {
        ReportId = reportId,
        DomainId = domainId,
        Day = day,
        SourceIp = $"10.{i % 251}.{i / 251 % 8}.1",
        Count = 1 + i % 50,
        Disposition = i % 97 == 0 ? "quarantine" : "none",
        DmarcPass = i % 20 != 0,
        DkimAligned = i % 20 != 0,
        SpfAligned = i % 3 == 0,
        DkimAuthPass = i % 20 != 0,
        SpfAuthPass = i % 2 == 0,
        ForwardHint = i % 41 == 0,
        HeaderFrom = domain,
        DkimDomain = domain,
        DkimSelector = "stxsel1",
        SpfDomain = "bounce.ticketing.example",
        Trusted = true,
    };
}
