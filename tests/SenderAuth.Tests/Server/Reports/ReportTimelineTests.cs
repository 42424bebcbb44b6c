using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dns;
using SenderAuth.Store.Data;
using SenderAuth.Store.Hosting;
using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>The timeline's configuration changes are bounded, and the response says so instead of cutting silently.</summary>
[Trait("Layer", "server")]
public sealed class ReportTimelineTests
{
    private static async Task<IReadOnlyList<TimelineEvent>> TimelineWithAuditAsync(int entries)
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("sa-timeline-").FullName;
        try
        {
            var options = new DbContextOptionsBuilder<SqliteSenderAuthDb>().UseSqlite($"Data Source={Path.Combine(folder, "a.db")};Pooling=False").Options;
            await using var db = new SqliteSenderAuthDb(options);
            await db.Database.MigrateAsync(ct);
            var institution = new Institution { Code = "mosa", Name = "Museum" };
            var domain = new SenderDomain { Name = "museum.example", Institution = institution };
            db.Add(domain);
            await db.SaveChangesAsync(ct);
            var day = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
            db.Audit.AddRange(Enumerable.Range(0, entries).Select(i => new AuditEntry
            {
                At = day.AddMinutes(i), Actor = "op", InstitutionId = institution.Id, Action = AuditActions.DomainUpdate, Subject = domain.Name,
            }));
            await db.SaveChangesAsync(ct);
            var analysis = new ReportAnalysis(db, Options.Create(new StoreOptions()), new ZoneDnsResolver(new DnsZone()), TimeProvider.System);
            return await analysis.TimelineAsync(institution, domain, day, day.AddDays(30), ct);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TimelineAsync_AtTheBound_ListsEveryChangeAndNoNote()
    {
        var events = await TimelineWithAuditAsync(ReportAnalysis.MaxTimelineAuditEvents);
        Assert.Equal(ReportAnalysis.MaxTimelineAuditEvents, events.Count);
        Assert.DoesNotContain(events, e => e.What.Contains("more than", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TimelineAsync_PastTheBound_EndsWithANoteWhereTheRestIs()
    {
        var events = await TimelineWithAuditAsync(ReportAnalysis.MaxTimelineAuditEvents + 3);
        Assert.Equal(ReportAnalysis.MaxTimelineAuditEvents + 1, events.Count);
        var last = events[^1];
        Assert.Equal(TimelineEventKind.Config, last.Kind);
        Assert.Contains($"more than {ReportAnalysis.MaxTimelineAuditEvents} configuration changes", last.What, StringComparison.Ordinal);
        Assert.Contains("/api/v1/audit", last.What, StringComparison.Ordinal);
    }
}
