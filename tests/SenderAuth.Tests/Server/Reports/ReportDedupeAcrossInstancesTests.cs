using System.Net;
using Microsoft.EntityFrameworkCore;
using SenderAuth.Store.Data;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>
/// Two server instances on one PostgreSQL database receive the same report twenty times at once: the unique key
/// (reporter org, report id), not a check-then-insert, keeps it once; every other upload is answered "duplicate".
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "postgres")]
public sealed class ReportDedupeAcrossInstancesTests
{
    [Fact]
    public async Task The_same_report_uploaded_concurrently_to_two_instances_is_stored_once()
    {
        if (!ServerHost.PostgresAvailable)
        {
            Assert.Skip("PostgreSQL is not running (SENDERAUTH_TEST_POSTGRES is unset): run ./run-tests");
        }
        await using var first = await ServerHost.StartAsync("postgres");
        var cs = first.Settings["SenderAuth:ConnectionString"];
        await using var second = await ServerHost.StartAsync("postgres", new() { ["SenderAuth:ConnectionString"] = cs });
        var code = ServerFixture.NewCode("dedupe");
        var domain = $"{code}.example";
        await first.Client().CreateInstitution(code);
        await first.Client().CreateVerifiedDomain(code, domain);
        var day = new DateTime(2026, 10, 2, 0, 0, 0, DateTimeKind.Utc);
        var rows = Enumerable.Range(1, 200).Select(i => new ReportRow($"203.0.113.{i}", i, true, true, domain, "s1", true, domain, true));
        var file = ReportXml.Gzip(ReportXml.Build("google.com", $"race-{code}", domain, day, rows));

        var clients = new[] { first.Client(), second.Client() };
        using var start = new SemaphoreSlim(0);
        var uploads = Enumerable.Range(0, 20).Select(async i =>
        {
            await start.WaitAsync(TestContext.Current.CancellationToken);
            using var response = await ReportUploadTests.Upload(clients[i % 2], "race.xml.gz", file);
            var body = await response.Json(HttpStatusCode.OK);
            return body["files"]![0]!["reports"]![0]!["status"]!.GetValue<string>();
        }).ToList();
        start.Release(uploads.Count);
        var statuses = await Task.WhenAll(uploads);

        Assert.Equal(1, statuses.Count(s => s == "imported"));
        Assert.Equal(19, statuses.Count(s => s == "duplicate"));
        await using var db = new PostgresSenderAuthDb(new DbContextOptionsBuilder<PostgresSenderAuthDb>().UseNpgsql(cs).Options);
        var stored = await db.Reports.AsNoTracking().Where(r => r.ReportId == $"race-{code}").ToListAsync(TestContext.Current.CancellationToken);
        var report = Assert.Single(stored);
        Assert.Equal(200, report.RecordCount);
        Assert.Equal(200, await db.ReportRecords.CountAsync(r => r.ReportId == report.Id, TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.QuarantinedReports.CountAsync(TestContext.Current.CancellationToken));
    }
}
