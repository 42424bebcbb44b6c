using System.Net;
using System.Text;
using SenderAuth.Reports;
using SenderAuth.Reports.Failure;

namespace SenderAuth.Tests.Reports;

[Trait("Layer", "engine")]
public class FailureReportParserTests
{
    private static readonly FailureReportParser Parser = new();

    private static FailureReport? Read(string file, FailureReportParser? parser = null)
    {
        using var stream = File.OpenRead(ReportFiles.Path(Path.Combine("failure", file)));
        return (parser ?? Parser).TryRead(stream, file, TestContext.Current.CancellationToken);
    }

    private static FailureReport? Read(byte[] data, FailureReportParser? parser = null)
    {
        using var stream = new MemoryStream(data);
        return (parser ?? Parser).TryRead(stream, "input", TestContext.Current.CancellationToken);
    }

    private static DmarcReportException Refused(byte[] data, FailureReportParser? parser = null) =>
        Assert.Throws<DmarcReportException>(() => Read(data, parser));

    [Fact]
    public void Read_Rfc6591AuthFailure_ReadsEveryField()
    {
        var r = Read("rfc6591-dkim-signature.eml")!;
        Assert.Equal(FailureReportFormat.Arf, r.Format);
        Assert.Equal("dkim-reports@example.net", r.Reporter);
        Assert.Equal("auth-failure", r.FeedbackType);
        Assert.Equal("signature", r.AuthFailure);
        Assert.Equal("a.sender.example", r.ReportedDomain);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), r.SourceIp);
        Assert.Equal("anexample.reply@a.sender.example", r.MailFrom);
        Assert.Equal("sender.example", r.DkimDomain);
        Assert.Equal("Selector", r.DkimSelector);
        Assert.Equal("@sender.example", r.DkimIdentity);
        Assert.Equal("a.sender.example", r.HeaderFrom);
        Assert.Equal(["http://www.sender.example/"], r.ReportedUris);
        Assert.Equal("Someisp!Mail-Feedback/1.0", r.UserAgent);
        Assert.Equal(new DateTimeOffset(2011, 10, 8, 20, 15, 58, TimeSpan.Zero), r.ArrivalDate);
        Assert.StartsWith("mta1011.mail.tp2.receiver.example; dkim=fail (256-bit key; insecure key) header.i=@sender.example", Assert.Single(r.AuthenticationResults));
        Assert.Equal("1234567890.abc@a.sender.example", r.MessageId);
        Assert.Contains("DKIM-Signature: v=1; c=relaxed/simple; a=rsa-sha256;\r\n     s=Selector;", r.Headers);
        Assert.Contains("From: \"Your Bank\" <alerts@a.sender.example>\r\n", r.Headers);
        Assert.False(r.BodyRedacted);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void Read_Rfc9991DmarcWithWholeMessage_KeepsHeadersAndRedactsTheBody()
    {
        var r = Read("rfc9991-dmarc-full-message.eml")!;
        Assert.Equal("dmarc", r.AuthFailure);
        Assert.Equal("example.org", r.ReportedDomain);
        Assert.Equal("example.org", r.HeaderFrom);
        Assert.Equal(IPAddress.Parse("198.51.100.23"), r.SourceIp);
        Assert.Equal("bounces+123@mailer.example.com", r.MailFrom);
        Assert.Equal(["someone@receiver.example"], r.RcptTo);
        Assert.Equal("none", r.IdentityAlignment);
        Assert.Equal("reject", r.DeliveryResult);
        Assert.Equal("mailer.example.com", r.DkimDomain);
        Assert.Equal("s2023", r.DkimSelector);
        Assert.Equal("txt : mailer.example.com : v=spf1 ip4:198.51.100.0/24 -all", r.SpfDns);
        Assert.Equal("dmarc-noreply@receiver.example", r.Reporter);
        Assert.True(r.BodyRedacted);
        Assert.DoesNotContain("SECRET", r.Headers, StringComparison.Ordinal);
        Assert.DoesNotContain("U0VDUkVU", r.Headers, StringComparison.Ordinal);
        Assert.Contains("Subject: Your account statement\r\n", r.Headers);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void Read_PlainTextWithoutArfPart_ReadsWhatItCanAndWarns()
    {
        var r = Read("plain-text-no-arf.eml")!;
        Assert.Equal(FailureReportFormat.PlainText, r.Format);
        Assert.Equal("example.org", r.ReportedDomain);
        Assert.Equal("example.org", r.HeaderFrom);
        Assert.Equal(IPAddress.Parse("203.0.113.77"), r.SourceIp);
        Assert.Equal("dmarc", r.AuthFailure);
        Assert.Equal("example.org", r.DkimDomain);
        Assert.Equal("stolen", r.DkimSelector);
        Assert.Equal("postmaster@legacy-mta.example", r.Reporter);
        Assert.Equal(new DateTimeOffset(2023, 11, 15, 8, 11, 58, TimeSpan.Zero), r.ArrivalDate);
        Assert.True(r.BodyRedacted);
        Assert.DoesNotContain("PRIVATE BODY", r.Headers, StringComparison.Ordinal);
        Assert.Contains("Message-ID: <fake-1@spoofer.example>\r\n", r.Headers);
        Assert.Equal("no-arf-part", Assert.Single(r.Warnings).Code);
    }

    [Fact]
    public void Read_PlainTextWithoutSourceIpLine_TakesTheTopmostReceivedAddress()
    {
        var text = File.ReadAllText(ReportFiles.Path("failure/plain-text-no-arf.eml")).Replace("Sender IP: 203.0.113.77\n", "", StringComparison.Ordinal);
        var r = Read(Encoding.UTF8.GetBytes(text))!;
        Assert.Equal(IPAddress.Parse("203.0.113.77"), r.SourceIp);
    }

    [Fact]
    public void Read_Rfc5965AbuseReport_IsRefusedAsNotAuthFailure()
    {
        var e = Refused(File.ReadAllBytes(ReportFiles.Path("failure/rfc5965-abuse.eml")));
        Assert.Equal(DmarcReportErrorKind.UnsupportedFormat, e.Kind);
        Assert.Contains("\"abuse\", not auth-failure", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_AggregateReportMailOrOtherInput_IsNotAFailureReport()
    {
        Assert.Null(Read(File.ReadAllBytes(ReportFiles.Path(ReportFiles.Eml))));
        Assert.Null(Read(File.ReadAllBytes(ReportFiles.Path(ReportFiles.Google))));
        Assert.Null(Read(Encoding.UTF8.GetBytes("<feedback/>")));
        Assert.Null(Read(Encoding.UTF8.GetBytes("From: a@b.example\r\nSubject: hello\r\n\r\njust a note\r\n")));
        var dsn = "From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nDMARC failed\r\n"
            + "--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@example.org\r\n\r\nbody\r\n--b--\r\n";
        Assert.Null(Read(Encoding.UTF8.GetBytes(dsn)));
    }

    [Fact]
    public void Read_BrokenFields_AreWarnedNotGuessed()
    {
        var text = File.ReadAllText(ReportFiles.Path("failure/rfc9991-dmarc-full-message.eml"))
            .Replace("Source-IP: 198.51.100.23", "Source-IP: 198.51.100.999", StringComparison.Ordinal)
            .Replace("Arrival-Date: Tue, 14 Nov 2023 09:59:58 +0000", "Arrival-Date: yesterday", StringComparison.Ordinal)
            .Replace("Auth-Failure: dmarc", "Auth-Failure: dmarc\nAuth-Failure: spf", StringComparison.Ordinal)
            .Replace("Identity-Alignment: none", "Identity-Alignment: dkim, arc", StringComparison.Ordinal);
        var r = Read(Encoding.UTF8.GetBytes(text))!;
        Assert.Null(r.SourceIp);
        Assert.Equal(new DateTimeOffset(2023, 11, 14, 9, 59, 50, TimeSpan.Zero), r.ArrivalDate); // the reported Date instead
        Assert.Equal("dmarc", r.AuthFailure);
        Assert.Equal(["invalid-source-ip", "invalid-arrival-date", "repeated-field", "unknown-identity-alignment"],
            r.Warnings.Select(w => w.Code).Order(StringComparer.Ordinal).Reverse().OrderBy(c => c switch
            {
                "invalid-source-ip" => 0, "invalid-arrival-date" => 1, "repeated-field" => 2, _ => 3,
            }).ToArray());
    }

    [Fact]
    public void Read_NoDomainAnywhere_IsRefusedWithMissingElement()
    {
        var mail = "From: r@receiver.example\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n"
            + "--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: auth-failure\r\nUser-Agent: x\r\nVersion: 1\r\nAuth-Failure: dmarc\r\n--b--\r\n";
        var e = Refused(Encoding.UTF8.GetBytes(mail));
        Assert.Equal(DmarcReportErrorKind.MissingElement, e.Kind);
    }

    [Fact]
    public void Read_HugeReportedHeaders_KeepsTheBoundAndWarns()
    {
        var headers = new StringBuilder("From: news@example.org\r\n");
        for (var i = 0; i < 20_000; i++)
        {
            headers.Append("X-Filler-").Append(i).Append(": ").Append('a', 60).Append("\r\n");
        }
        headers.Append("X-Huge: ").Append('b', 200_000).Append("\r\n");
        var mail = ArfMail(headers.ToString(), "text/rfc822-headers");
        var r = Read(Encoding.UTF8.GetBytes(mail))!;
        Assert.True(Encoding.UTF8.GetByteCount(r.Headers) <= Parser.Limits.MaxHeaderBytes);
        Assert.StartsWith("From: news@example.org\r\n", r.Headers, StringComparison.Ordinal);
        Assert.Contains(r.Warnings, w => w.Code == "headers-truncated");
        Assert.Equal("example.org", r.ReportedDomain);
    }

    [Fact]
    public void Read_HugeFeedbackField_IsClippedWithAWarning()
    {
        var mail = ArfMail("From: news@example.org\r\n", "text/rfc822-headers", extraField: "Reported-URI: http://x.example/" + new string('u', 100_000));
        var r = Read(Encoding.UTF8.GetBytes(mail))!;
        Assert.Equal(Parser.Limits.MaxFieldChars, Assert.Single(r.ReportedUris).Length);
        Assert.Contains(r.Warnings, w => w.Code == "field-truncated");
    }

    [Fact]
    public void Read_DeepNestingInTheReportedMessage_IsReadWithoutWalkingIt()
    {
        var nested = new StringBuilder("From: news@example.org\r\nMIME-Version: 1.0\r\n");
        for (var i = 0; i < 500; i++)
        {
            nested.Append("Content-Type: multipart/mixed; boundary=n").Append(i).Append("\r\n\r\n--n").Append(i).Append("\r\n");
        }
        nested.Append("Content-Type: text/plain\r\n\r\nsecret\r\n");
        var r = Read(Encoding.UTF8.GetBytes(ArfMail(nested.ToString(), "message/rfc822")))!;
        Assert.True(r.BodyRedacted);
        Assert.DoesNotContain("secret", r.Headers, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TooManyParts_IsRefusedWithLimitExceeded()
    {
        var mail = new StringBuilder("From: r@receiver.example\r\nSubject: DMARC failure report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        for (var i = 0; i < 200; i++)
        {
            mail.Append("--b\r\nContent-Type: text/plain\r\n\r\npart ").Append(i).Append("\r\n");
        }
        mail.Append("--b--\r\n");
        var e = Refused(Encoding.UTF8.GetBytes(mail.ToString()));
        Assert.Equal(DmarcReportErrorKind.LimitExceeded, e.Kind);
    }

    /// <summary>An aggregate report mail: a text part that talks about DMARC, then <paramref name="extraParts"/> small parts, then the report as a base64 part.</summary>
    private static byte[] AggregateMail(int extraParts, string partHeaders)
    {
        var mail = new StringBuilder("From: noreply-dmarc@receiver.example\r\nTo: rua@reports.example.net\r\nSubject: Report domain: example.org\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            + "--b\r\nContent-Type: text/plain\r\n\r\nThis is a DMARC aggregate report for example.org (a failure report's words, too).\r\n"
            + "From: noreply-dmarc@receiver.example\r\nReport-Domain: example.org\r\n");
        for (var i = 0; i < extraParts; i++)
        {
            mail.Append("--b\r\nContent-Type: text/plain\r\n\r\nnote ").Append(i).Append("\r\n");
        }
        var gz = ReportFiles.Gzip(File.ReadAllBytes(ReportFiles.Path(ReportFiles.Rfc9990)));
        mail.Append("--b\r\n").Append(partHeaders).Append("Content-Transfer-Encoding: base64\r\n\r\n")
            .Append(Convert.ToBase64String(gz, Base64FormattingOptions.InsertLineBreaks)).Append("\r\n--b--\r\n");
        return Encoding.ASCII.GetBytes(mail.ToString());
    }

    [Fact]
    public async Task TryRead_AggregateMailWithMorePartsThanTheLimit_IsLeftToTheAggregateParser()
    {
        var mail = AggregateMail(80, "Content-Type: application/gzip\r\nContent-Disposition: attachment; filename=\"report.xml.gz\"\r\n");
        Assert.Null(Read(mail)); // not limit-exceeded: the parts past MaxParts are still looked at for a report attachment
        var reports = await new DmarcReportParser().SummarizeAsync(new MemoryStream(mail), "many-parts.eml", TestContext.Current.CancellationToken);
        Assert.Single(reports);
    }

    [Fact]
    public async Task TryRead_UnnamedOctetStreamGzipBesideDmarcText_IsLeftToTheAggregateParser()
    {
        var mail = AggregateMail(0, "Content-Type: application/octet-stream\r\n");
        Assert.Null(Read(mail)); // by its first bytes, as the aggregate parser sniffs it; not a plain-text failure report
        var parser = new DmarcReportParser();
        await foreach (var reader in parser.ReadAsync(new MemoryStream(mail), "sniffed.eml", TestContext.Current.CancellationToken))
        {
            Assert.Contains(reader.Warnings, w => w.Code == DmarcReportWarningCodes.AttachmentSniffed);
        }
    }

    [Fact]
    public void TryRead_NotAnEmail_StopsAfterTheFirstBytes()
    {
        var zip = new byte[5 << 20];
        zip[0] = (byte)'P'; zip[1] = (byte)'K'; zip[2] = 3; zip[3] = 4;
        using var input = new CountingReadStream(new MemoryStream(zip));
        Assert.Null(Parser.TryRead(input, "big.zip", TestContext.Current.CancellationToken));
        Assert.True(input.BytesRead <= 512, $"read {input.BytesRead} bytes of a zip to learn it is not an email");
    }

    [Fact]
    public void Read_InvalidDkimDomain_IsWarnedOnce()
    {
        // No Reported-Domain, no From in the reported headers: the domain comes from DKIM, read once.
        var mail = "From: dmarc@receiver.example\r\nSubject: DMARC failure report\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n"
            + "--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: auth-failure\r\nUser-Agent: x\r\nVersion: 1\r\n"
            + "Auth-Failure: signature\r\nDKIM-Domain: not a domain!\r\n"
            + "--b\r\nContent-Type: text/rfc822-headers\r\n\r\nDKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=x; b=y\r\nSubject: x\r\n\r\n--b--\r\n";
        var r = Read(Encoding.UTF8.GetBytes(mail))!;
        Assert.Equal("example.org", r.ReportedDomain);
        Assert.Equal("example.org", r.DkimDomain);
        Assert.Single(r.Warnings, w => w.Code == "invalid-domain");
    }

    private sealed class CountingReadStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    [Fact]
    public void Read_MailOverTheSizeLimit_IsRefusedWithLimitExceeded()
    {
        var small = new FailureReportParser(new FailureReportLimits { MaxMessageBytes = 4096 });
        var mail = ArfMail("From: news@example.org\r\n\r\n" + new string('x', 10_000), "message/rfc822");
        Assert.Null(Read(Encoding.UTF8.GetBytes(mail), small)); // TryRead leaves it to the aggregate parser
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(mail));
        var e = Assert.Throws<DmarcReportException>(() => small.Read(stream, "big.eml", TestContext.Current.CancellationToken));
        Assert.Equal(DmarcReportErrorKind.LimitExceeded, e.Kind);
    }

    [Fact]
    public void Limits_OutOfRange_AreRefusedAtConstruction() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FailureReportParser(new FailureReportLimits { MaxHeaderBytes = 10 }));

    internal static string ArfMail(string reported, string type, string reportedDomain = "example.org", string? extraField = null) =>
        "From: dmarc@receiver.example\r\nTo: ruf@reports.example.net\r\nSubject: DMARC failure report\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/report; report-type=feedback-report; boundary=outer\r\n\r\n"
        + "--outer\r\nContent-Type: text/plain\r\n\r\nA failure report.\r\n"
        + "--outer\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: auth-failure\r\nUser-Agent: test/1\r\nVersion: 1\r\n"
        + $"Auth-Failure: dmarc\r\nSource-IP: 192.0.2.9\r\nReported-Domain: {reportedDomain}\r\n{(extraField is null ? "" : extraField + "\r\n")}"
        + $"--outer\r\nContent-Type: {type}\r\n\r\n{reported}\r\n--outer--\r\n";
}
