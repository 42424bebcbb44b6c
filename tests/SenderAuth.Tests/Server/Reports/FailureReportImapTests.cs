using SenderAuth.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SenderAuth.Store.Data;
using SenderAuth.Server.Reports;
using SenderAuth.Store.Reports;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>A failure report mail in the report mailbox (the real Dovecot): imported as one, beside the aggregate reports, and archived.</summary>
[Trait("Layer", "server")]
[Trait("Needs", "dovecot")]
public sealed class FailureReportImapTests
{
    [Fact]
    public async Task A_failure_report_in_the_mailbox_is_stored_for_its_domain_without_the_body()
    {
        var ct = TestContext.Current.CancellationToken;
        var mailbox = await TestMailbox.CreateAsync("ruf");
        await using var host = await ServerHost.StartAsync("sqlite", mailbox.Settings(maxMessageBytes: 64 * 1024));
        var code = ServerFixture.NewCode("rufimap");
        var domain = $"{code}.example";
        await host.Client().CreateInstitution(code);
        await host.Client().CreateVerifiedDomain(code, domain);
        using var stream = new MemoryStream(FailureReportImportTests.Sample(domain, "198.51.100.23", "imap" + code));
        var mail = await MimeMessage.LoadAsync(stream, ct);
        await mailbox.AppendAsync(mail);

        var polled = Assert.Single(await host.Services.GetRequiredService<ImapReportPoller>().PollOnceAsync(ct));
        Assert.True(polled.Status == ImapPollStatus.Polled, polled.Error);
        Assert.Equal(["imported"], polled.Messages.Select(m => SenderAuthJson.Token(m.Status)));
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var row = Assert.Single(await db.FailureReports.AsNoTracking().Where(r => r.ReportedDomain == domain).ToListAsync(ct));
            Assert.Equal("imap:" + polled.Mailbox, row.Origin);
            Assert.Equal("198.51.100.23", row.SourceIp);
            Assert.Equal(ReportProvenance.Unverified, row.Provenance); // the sample is not signed by its reporter
            Assert.True(row.BodyRedacted);
            Assert.DoesNotContain("SECRET BODY", row.Headers, StringComparison.Ordinal);
        }
        Assert.Equal([mail.MessageId], (await mailbox.ReadAsync(mailbox.ArchiveFolder)).Select(m => m.MessageId));
    }
}
