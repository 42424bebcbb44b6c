using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SenderAuth.Store.Data;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>
/// The background loops as the server runs them (no PollOnceAsync/ScanOnceAsync): on the clock's tick the mailbox
/// is polled and the directory scanned; a mailbox that cannot be reached is logged and does not stop the server.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "dovecot")]
public sealed class BackgroundIngestionTests
{
    [Fact]
    public async Task On_each_tick_the_server_polls_the_mailbox_and_scans_the_directory_by_itself()
    {
        var ct = TestContext.Current.CancellationToken;
        var mailbox = await TestMailbox.CreateAsync("bg");
        var dir = Directory.CreateTempSubdirectory("sa-watch-bg-").FullName;
        try
        {
            var settings = mailbox.Settings();
            settings["SenderAuth:Reports:BackgroundIngestion"] = "true";
            settings["SenderAuth:Reports:Imap:0:PollSeconds"] = "60";
            settings["SenderAuth:Reports:WatchDirectory"] = dir;
            settings["SenderAuth:Reports:WatchIntervalSeconds"] = "30";
            settings["SenderAuth:Reports:Imap:1:Host"] = "127.0.0.1";
            settings["SenderAuth:Reports:Imap:1:Port"] = "9";
            settings["SenderAuth:Reports:Imap:1:Security"] = "none";
            settings["SenderAuth:Reports:Imap:1:User"] = "nobody";
            settings["SenderAuth:Reports:Imap:1:Password"] = "x";
            settings["SenderAuth:Reports:Imap:1:PollSeconds"] = "60";
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            await using var host = await ServerHost.StartAsync("sqlite", settings, s => s.AddSingleton<TimeProvider>(time));
            var code = ServerFixture.NewCode("bg");
            var domain = $"{code}.example";
            await host.Client().CreateInstitution(code);
            await host.Client().CreateVerifiedDomain(code, domain);
            var day = new DateTime(2026, 10, 5, 0, 0, 0, DateTimeKind.Utc);
            var mailXml = ReportXml.Build("google.com", $"bgm-{code}", domain, day, [new("203.0.113.5", 3, true, true)]);
            await mailbox.AppendAsync(TestMailbox.ReportEmail("google.com", $"bgm-{code}", domain, ReportXml.Gzip(mailXml), "bgm.xml.gz"));
            var file = Path.Combine(dir, "bgf.xml");
            await File.WriteAllTextAsync(file, ReportXml.Build("outlook.com", $"bgf-{code}", domain, day, [new("203.0.113.6", 4, true, true)]), ct);
            // Finished long before the fake clock's now: not mistaken for a file still being written.
            File.SetLastWriteTimeUtc(file, time.GetUtcNow().UtcDateTime.AddMinutes(-10));

            // The first poll and scan ran at start, before anything was there; the next ones come with the clock.
            time.Advance(TimeSpan.FromSeconds(60));
            var clock = Stopwatch.StartNew();
            var processed = Path.Combine(dir, "processed", "bgf.xml");
            List<string> origins = [];
            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                using var scope = host.Services.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
                origins = await db.Reports.AsNoTracking().Where(r => r.ReportId.EndsWith(code)).Select(r => r.Origin).ToListAsync(ct);
                // The watcher commits the import, then moves the file: both are waited for.
                if (origins.Count == 2 && File.Exists(processed))
                {
                    break;
                }
                await Task.Delay(200, ct);
            }
            Assert.Equal(["directory", "imap:" + $"{mailbox.User}@{mailbox.Host}:{mailbox.Port}/{mailbox.Folder}"], origins.Order(StringComparer.Ordinal));
            Assert.True(File.Exists(processed));
            // The unreachable second mailbox failed twice by now, logged; the server still answers.
            Assert.Equal(HttpStatusCode.OK, (await host.Client().GetAsync("/health", ct)).StatusCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
