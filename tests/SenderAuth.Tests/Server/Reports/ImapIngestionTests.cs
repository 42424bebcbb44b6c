using SenderAuth.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SenderAuth.Store.Data;
using SenderAuth.Server.Reports;
using SenderAuth.Store.Reports;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>
/// IMAP ingestion against the real Dovecot that run-tests starts: reports read once, foreign ones kept apart, broken
/// mail moved to the error folder inside a note that gives the reason, oversized mail not downloaded, an unreachable
/// mailbox reported and retried; and two instances on one PostgreSQL polling the same mailbox at once.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "dovecot")]
[Trait("Needs", "postgres")]
public sealed class ImapIngestionTests
{
    private static readonly DateTime Day = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task One_poll_imports_reports_once_archives_them_and_files_broken_mail_with_the_reason()
    {
        var ct = TestContext.Current.CancellationToken;
        var mailbox = await TestMailbox.CreateAsync("one");
        var settings = mailbox.Settings(maxMessageBytes: 64 * 1024);
        // A second mailbox nobody listens for: its failure is reported and does not stop the first.
        settings["SenderAuth:Reports:Imap:1:Host"] = "127.0.0.1";
        settings["SenderAuth:Reports:Imap:1:Port"] = "9";
        settings["SenderAuth:Reports:Imap:1:Security"] = "none";
        settings["SenderAuth:Reports:Imap:1:User"] = "nobody";
        settings["SenderAuth:Reports:Imap:1:Password"] = "x";
        await using var host = await ServerHost.StartAsync("sqlite", settings);
        var code = ServerFixture.NewCode("imap");
        var domain = $"{code}.example";
        await host.Client().CreateInstitution(code);
        await host.Client().CreateVerifiedDomain(code, domain);

        var good = ReportXml.Build("google.com", $"g-{code}", domain, Day, [new("203.0.113.5", 40, true, true, domain, "stxsel1", true, domain, true), new("198.51.100.7", 2, false, false)]);
        var goodMail = TestMailbox.ReportEmail("google.com", $"g-{code}", domain, ReportXml.Gzip(good), $"google.com!{domain}!1!2.xml.gz");
        var duplicate = TestMailbox.ReportEmail("google.com", $"g-{code}", domain, ReportXml.Gzip(good), $"google.com!{domain}!1!2.xml.gz");
        var foreign = TestMailbox.ReportEmail("yahoo.com", $"f-{code}", $"{code}.not-ours.example",
            ReportXml.Gzip(ReportXml.Build("yahoo.com", $"f-{code}", $"{code}.not-ours.example", Day, [new("192.0.2.1", 9, false, false)])), "yahoo.xml.gz");
        // A gzip cut in the middle: the attachment is announced as a report but cannot be read.
        var cut = ReportXml.Gzip(ReportXml.Build("outlook.com", $"cut-{code}", domain, Day, Enumerable.Range(1, 50).Select(i => new ReportRow($"203.0.113.{i}", i, true, true))));
        var malformed = TestMailbox.ReportEmail("outlook.com", $"cut-{code}", domain, cut[..(cut.Length / 2)], "outlook.xml.gz", messageId: $"broken-{code}@outlook.com");
        var huge = TestMailbox.ReportEmail("mail.ru", $"huge-{code}", domain, System.Security.Cryptography.RandomNumberGenerator.GetBytes(100_000), "huge.xml.gz", messageId: $"huge-{code}@mail.ru");
        await mailbox.AppendAsync(goodMail, malformed, duplicate, foreign, huge);

        var poller = host.Services.GetRequiredService<ImapReportPoller>();
        var results = await poller.PollOnceAsync(ct);

        Assert.Equal(2, results.Count);
        var polled = results[0];
        Assert.True(polled.Status == ImapPollStatus.Polled, polled.Error);
        Assert.Equal(["imported", "quarantined", "duplicate", "foreign", "too-large"], polled.Messages.Select(m => SenderAuthJson.Token(m.Status)));
        var unreachable = results[1];
        Assert.Equal(ImapPollStatus.Failed, unreachable.Status);
        Assert.Contains("nobody@127.0.0.1:9/INBOX", unreachable.Mailbox, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(unreachable.Error));

        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var report = Assert.Single(await db.Reports.AsNoTracking().Where(r => r.ReportId.EndsWith(code)).ToListAsync(ct));
            Assert.Equal($"g-{code}", report.ReportId);
            Assert.Equal(42, report.MessageCount);
            Assert.Equal("imap:" + polled.Mailbox, report.Origin);
            Assert.Equal(2, await db.ReportRecords.CountAsync(r => r.ReportId == report.Id, ct));
            var kept = Assert.Single(await db.ForeignReports.AsNoTracking().Where(r => r.ReportId == $"f-{code}").ToListAsync(ct));
            Assert.Equal(9, kept.MessageCount);
            var quarantined = Assert.Single(await db.QuarantinedReports.AsNoTracking().Where(q => q.Origin == "imap:" + polled.Mailbox).ToListAsync(ct));
            Assert.Contains("outlook.xml.gz", quarantined.Reason, StringComparison.Ordinal);
            Assert.Equal(polled.Messages[1].Reason, quarantined.Reason);
            Assert.True(File.Exists(Path.Combine(host.DataDirectory, quarantined.StoredAs)));
        }

        Assert.Empty(await mailbox.ReadAsync(mailbox.Folder));
        var archived = await mailbox.ReadAsync(mailbox.ArchiveFolder);
        Assert.Equal([goodMail.MessageId, duplicate.MessageId, foreign.MessageId], archived.Select(m => m.MessageId));
        var errors = await mailbox.ReadAsync(mailbox.ErrorFolder);
        Assert.Equal(3, errors.Count);
        // The broken one: a note whose subject and body give the reason, with the original attached unchanged.
        var note = Assert.Single(errors, m => (m.Subject ?? "").StartsWith("SenderAuth could not import: ", StringComparison.Ordinal)
            && m.Attachments.OfType<MessagePart>().Any(p => p.Message?.MessageId == malformed.MessageId));
        Assert.Contains("outlook.xml.gz", note.Subject, StringComparison.Ordinal);
        Assert.Contains(polled.Messages[1].Reason!, note.TextBody, StringComparison.Ordinal);
        var original = note.Attachments.OfType<MessagePart>().Single().Message!;
        Assert.Equal(malformed.Subject, original.Subject);
        Assert.Equal(cut.Length / 2, await AttachmentLength(original));
        // The oversized one: moved untouched, next to a note that says why it was not read.
        Assert.Contains(errors, m => m.MessageId == huge.MessageId);
        var hugeNote = Assert.Single(errors, m => (m.Subject ?? "").Contains("larger than MaxMessageBytes", StringComparison.Ordinal));
        Assert.Contains(huge.MessageId!, hugeNote.TextBody, StringComparison.Ordinal);

        // The next poll finds nothing left to do.
        var again = await poller.PollOnceAsync(ct);
        Assert.Empty(again[0].Messages);
    }

    [Fact]
    public async Task Two_instances_polling_one_mailbox_at_once_store_each_report_once_and_move_each_mail_once()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!ServerHost.PostgresAvailable)
        {
            Assert.Skip("PostgreSQL is not running (SENDERAUTH_TEST_POSTGRES is unset): run ./run-tests");
        }
        var mailbox = await TestMailbox.CreateAsync("two");
        await using var first = await ServerHost.StartAsync("postgres", mailbox.Settings());
        var shared = new Dictionary<string, string?>(mailbox.Settings()) { ["SenderAuth:ConnectionString"] = first.Settings["SenderAuth:ConnectionString"] };
        await using var second = await ServerHost.StartAsync("postgres", shared);
        var code = ServerFixture.NewCode("imap2");
        var domain = $"{code}.example";
        await first.Client().CreateInstitution(code);
        await first.Client().CreateVerifiedDomain(code, domain);
        var mails = new List<MimeMessage>();
        for (var i = 0; i < 12; i++)
        {
            var id = $"r{i % 10}-{code}";
            var xml = ReportXml.Build("google.com", id, domain, Day.AddDays(i % 10), Enumerable.Range(1, 30).Select(n => new ReportRow($"203.0.113.{n}", n, true, true)));
            mails.Add(TestMailbox.ReportEmail("google.com", id, domain, ReportXml.Gzip(xml), $"{id}.xml.gz"));
        }
        mails.Add(TestMailbox.ReportEmail("outlook.com", $"bad-{code}", domain, "not a gzip"u8.ToArray(), "bad.xml.gz"));
        await mailbox.AppendAsync([.. mails]);

        var pollers = new[] { first, second }.Select(h => h.Services.GetRequiredService<ImapReportPoller>()).ToList();
        using var go = new SemaphoreSlim(0);
        var polls = pollers.Select(async p =>
        {
            await go.WaitAsync(ct);
            return await p.PollOnceAsync(ct);
        }).ToList();
        go.Release(2);
        var results = (await Task.WhenAll(polls)).Select(r => Assert.Single(r)).ToList();

        Assert.All(results, r => Assert.True(r.Status is ImapPollStatus.Polled or ImapPollStatus.Busy, r.Error));
        var handled = results.SelectMany(r => r.Messages).ToList();
        Assert.Equal(mails.Count, handled.Count);
        Assert.Equal(10, handled.Count(m => m.Status == FileImportSummary.Imported));
        Assert.Equal(2, handled.Count(m => m.Status == FileImportSummary.Duplicate));
        Assert.Equal(1, handled.Count(m => m.Status == FileImportSummary.Quarantined));
        var archived = await mailbox.ReadAsync(mailbox.ArchiveFolder);
        Assert.Equal(12, archived.Count);
        Assert.Equal(12, archived.Select(m => m.MessageId).Distinct().Count());
        Assert.Single(await mailbox.ReadAsync(mailbox.ErrorFolder));
        Assert.Empty(await mailbox.ReadAsync(mailbox.Folder));
        using var scope = first.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        Assert.Equal(10, await db.Reports.CountAsync(ct));
        Assert.Equal(300, await db.ReportRecords.CountAsync(ct));
        Assert.Equal(1, await db.QuarantinedReports.CountAsync(ct));
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("; ", results.Select(r => $"{r.Status}: {r.Messages.Count} message(s)")));
    }

    private static async Task<long> AttachmentLength(MimeMessage message)
    {
        var part = message.Attachments.OfType<MimePart>().Single();
        using var bytes = new MemoryStream();
        await part.Content!.DecodeToAsync(bytes);
        return bytes.Length;
    }
}
