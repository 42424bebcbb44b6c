using SenderAuth.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Store.Data;
using SenderAuth.Server.Reports;
using SenderAuth.Store.Reports;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>The watched directory: finished files claimed, imported and filed; broken ones filed with the reason; two instances sharing it.</summary>
[Trait("Layer", "server")]
[Trait("Needs", "postgres")]
public sealed class DirectoryIngestionTests
{
    private static readonly DateTime Day = new(2026, 10, 3, 0, 0, 0, DateTimeKind.Utc);

    private static async Task Drop(string dir, string name, byte[] content, bool finished = true)
    {
        var path = Path.Combine(dir, name);
        await File.WriteAllBytesAsync(path, content);
        // An unfinished file is dated ahead, not "now": a stall longer than the watcher's settle time between this
        // write and the scan would otherwise make it look finished.
        File.SetLastWriteTimeUtc(path, finished ? DateTime.UtcNow.AddMinutes(-1) : DateTime.UtcNow.AddHours(1));
    }

    [Fact]
    public async Task Finished_files_are_imported_and_filed_and_broken_ones_kept_with_the_reason()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("sa-watch-").FullName;
        try
        {
            await using var host = await ServerHost.StartAsync("sqlite", new()
            {
                ["SenderAuth:Reports:WatchDirectory"] = dir,
                ["SenderAuth:Reports:BackgroundIngestion"] = "false",
            });
            var code = ServerFixture.NewCode("watch");
            var domain = $"{code}.example";
            await host.Client().CreateInstitution(code);
            await host.Client().CreateVerifiedDomain(code, domain);
            var xml = ReportXml.Build("google.com", $"w-{code}", domain, Day, [new("203.0.113.5", 12, true, true)]);
            await Drop(dir, "google.xml.gz", ReportXml.Gzip(xml));
            await Drop(dir, "google-again.xml", Encoding.UTF8.GetBytes(xml));
            await Drop(dir, "foreign.xml", Encoding.UTF8.GetBytes(ReportXml.Build("yahoo.com", $"wf-{code}", "elsewhere.example", Day, [new("192.0.2.1", 3, false, false)])));
            await Drop(dir, "broken.xml", Encoding.UTF8.GetBytes(xml[..200]));
            await Drop(dir, ".hidden.xml", Encoding.UTF8.GetBytes(xml));
            await Drop(dir, "uploading.xml.part", Encoding.UTF8.GetBytes(xml));
            await Drop(dir, "copying.tmp", Encoding.UTF8.GetBytes(xml));
            await Drop(dir, "still-being-written.xml", Encoding.UTF8.GetBytes(xml), finished: false);
            // Claimed two hours ago by an instance that died: given back and imported.
            Directory.CreateDirectory(Path.Combine(dir, ".processing"));
            var stale = Path.Combine(dir, ".processing", "stale.xml");
            await File.WriteAllTextAsync(stale, ReportXml.Build("outlook.com", $"ws-{code}", domain, Day, [new("203.0.113.6", 5, true, true)]), ct);
            File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));

            var watcher = host.Services.GetRequiredService<DirectoryReportWatcher>();
            var outcomes = await watcher.ScanOnceAsync(ct);

            Assert.Equal(
                ["broken.xml quarantined failed/broken.xml", "foreign.xml foreign processed/foreign.xml", "google-again.xml duplicate processed/google-again.xml",
                    "google.xml.gz imported processed/google.xml.gz", "stale.xml imported processed/stale.xml"],
                outcomes.Select(o => $"{o.File} {SenderAuthJson.Token(o.Status)} {o.MovedTo}").Order(StringComparer.Ordinal));
            var reason = await File.ReadAllTextAsync(Path.Combine(dir, "failed", "broken.xml.reason.txt"), ct);
            Assert.Contains("broken.xml", reason, StringComparison.Ordinal);
            Assert.Equal(outcomes.Single(o => o.File == "broken.xml").Reason + "\n", reason);
            Assert.Equal([".hidden.xml", "copying.tmp", "still-being-written.xml", "uploading.xml.part"],
                Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(dir, ".processing")));

            using var scope = host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            Assert.Equal(2, await db.Reports.CountAsync(r => r.ReportId.EndsWith(code) && r.Origin == "directory", ct));
            Assert.Equal(1, await db.ForeignReports.CountAsync(r => r.ReportId == $"wf-{code}", ct));
            var q = Assert.Single(await db.QuarantinedReports.AsNoTracking().Where(r => r.Origin == "directory").ToListAsync(ct));
            Assert.Equal("broken.xml", q.FileName);

            // The file that was still being written is taken once it has settled.
            File.SetLastWriteTimeUtc(Path.Combine(dir, "still-being-written.xml"), DateTime.UtcNow.AddMinutes(-1));
            var later = Assert.Single(await watcher.ScanOnceAsync(ct));
            Assert.Equal(FileImportSummary.Duplicate, later.Status);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Two_instances_watching_one_directory_import_each_file_once()
    {
        if (!ServerHost.PostgresAvailable)
        {
            Assert.Skip("PostgreSQL is not running (SENDERAUTH_TEST_POSTGRES is unset): run ./run-tests");
        }
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("sa-watch2-").FullName;
        try
        {
            var settings = new Dictionary<string, string?> { ["SenderAuth:Reports:WatchDirectory"] = dir, ["SenderAuth:Reports:BackgroundIngestion"] = "false" };
            await using var first = await ServerHost.StartAsync("postgres", new(settings));
            await using var second = await ServerHost.StartAsync("postgres", new(settings) { ["SenderAuth:ConnectionString"] = first.Settings["SenderAuth:ConnectionString"] });
            var code = ServerFixture.NewCode("watch2");
            var domain = $"{code}.example";
            await first.Client().CreateInstitution(code);
            await first.Client().CreateVerifiedDomain(code, domain);
            for (var i = 0; i < 40; i++)
            {
                // 30 reports, ten of them dropped twice under another name.
                var xml = ReportXml.Build("google.com", $"d{i % 30}-{code}", domain, Day.AddDays(i % 30), Enumerable.Range(1, 20).Select(n => new ReportRow($"198.51.100.{n}", n, true, false)));
                await Drop(dir, $"report-{i:00}.xml.gz", ReportXml.Gzip(xml));
            }
            var watchers = new[] { first, second }.Select(h => h.Services.GetRequiredService<DirectoryReportWatcher>()).ToList();
            using var go = new SemaphoreSlim(0);
            var scans = watchers.Select(async w =>
            {
                await go.WaitAsync(ct);
                return await w.ScanOnceAsync(ct);
            }).ToList();
            go.Release(2);
            var results = await Task.WhenAll(scans);

            var all = results.SelectMany(r => r).ToList();
            Assert.Equal(40, all.Count);
            Assert.Equal(40, all.Select(o => o.File).Distinct().Count());
            Assert.Equal(30, all.Count(o => o.Status == FileImportSummary.Imported));
            Assert.Equal(10, all.Count(o => o.Status == FileImportSummary.Duplicate));
            Assert.Equal(40, Directory.EnumerateFiles(Path.Combine(dir, "processed")).Count());
            Assert.Empty(Directory.EnumerateFiles(dir));
            using var scope = first.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            Assert.Equal(30, await db.Reports.CountAsync(ct));
            Assert.Equal(600, await db.ReportRecords.CountAsync(ct));
            TestContext.Current.TestOutputHelper?.WriteLine($"first instance filed {results[0].Count} file(s), second {results[1].Count}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
