using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Server.Reports;
using SenderAuth.Store.Data;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>A failure report dropped in the watched directory takes the same path as one mailed or uploaded.</summary>
[Trait("Layer", "server")]
public sealed class FailureReportDirectoryTests
{
    [Fact]
    public async Task A_failure_report_in_the_watched_directory_is_imported_for_its_domain_and_filed()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("sa-watch-ruf-").FullName;
        try
        {
            await using var host = await ServerHost.StartAsync("sqlite", new()
            {
                ["SenderAuth:Reports:WatchDirectory"] = dir,
                ["SenderAuth:Reports:BackgroundIngestion"] = "false",
            });
            var code = ServerFixture.NewCode("watchruf");
            var domain = $"{code}.example";
            await host.Client().CreateInstitution(code);
            await host.Client().CreateVerifiedDomain(code, domain);
            var path = Path.Combine(dir, "ruf.eml");
            await File.WriteAllBytesAsync(path, FailureReportImportTests.Sample(domain, "198.51.100.77", "dir" + code), ct);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));

            var outcome = Assert.Single(await host.Services.GetRequiredService<DirectoryReportWatcher>().ScanOnceAsync(ct));

            Assert.Equal(("ruf.eml", FileImportSummary.Imported, "processed/ruf.eml"), (outcome.File, outcome.Status, outcome.MovedTo));
            using var scope = host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var row = Assert.Single(await db.FailureReports.AsNoTracking().Where(r => r.ReportedDomain == domain).ToListAsync(ct));
            Assert.Equal(("198.51.100.77", "directory"), (row.SourceIp, row.Origin));
            Assert.NotNull(row.DomainId);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
