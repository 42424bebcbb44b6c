using System.Net;
using System.Text;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Mail;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Dmarc;

/// <summary>Alignment and policy tables (RFC 9989 §4.4, §4.7), from SPF and DKIM outcomes given as inputs.</summary>
[Trait("Layer", "engine")]
public class DmarcEvaluatorTests
{
    private const string Zone = """
        _dmarc.example.com.       TXT "v=DMARC1; p=reject; sp=quarantine; np=reject"
        _dmarc.strict.example.    TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
        _dmarc.testing.example.   TXT "v=DMARC1; p=reject; t=y"
        _dmarc.partial.example.   TXT "v=DMARC1; p=quarantine; pct=20"
        _dmarc.nonp.example.      TXT "v=DMARC1; p=quarantine"
        mail.example.com.         A 192.0.2.1
        news.strict.example.      A 192.0.2.2
        """;

    private static DmarcEvaluator Evaluator() => new(new ZoneDnsResolver(ZoneFileParser.Parse(Zone, "test")));

    private static SpfOutcome Spf(string domain, SpfResult result = SpfResult.Pass) => new()
    {
        Result = result, Reason = SpfReason.MechanismMatched, Detail = "", Domain = domain,
        ClientIp = IPAddress.Loopback, Sender = "bounce@" + domain,
    };

    private static DkimVerification Dkim(string domain, DkimResult result = DkimResult.Pass) =>
        new([new DkimSignatureOutcome { Result = result, Reason = DkimReason.Verified, Detail = "", Domain = domain }], 1, []);

    [Theory]
    // author, spf domain (null = none), dkim d= (null = none), result, spfAligned, dkimAligned
    [InlineData("example.com", "example.com", null, DmarcResult.Pass, true, false)]
    [InlineData("example.com", "bounce.example.com", null, DmarcResult.Pass, true, false)]
    [InlineData("mail.example.com", null, "example.com", DmarcResult.Pass, false, true)]
    [InlineData("example.com", "esp.example.net", "esp.example.net", DmarcResult.Fail, false, false)]
    [InlineData("news.strict.example", "strict.example", "strict.example", DmarcResult.Fail, false, false)]
    [InlineData("strict.example", "strict.example", null, DmarcResult.Pass, true, false)]
    [InlineData("news.strict.example", null, "news.strict.example", DmarcResult.Pass, false, true)]
    [InlineData("unpublished.example", "unpublished.example", null, DmarcResult.None, false, false)]
    public async Task Evaluate_AlignmentTable(string author, string? spfDomain, string? dkimDomain, DmarcResult result, bool spfAligned, bool dkimAligned)
    {
        var o = await Evaluator().EvaluateAsync(author, spfDomain is null ? null : Spf(spfDomain), dkimDomain is null ? null : Dkim(dkimDomain), TestContext.Current.CancellationToken);
        Assert.Equal((result, spfAligned, dkimAligned), (o.Result, o.SpfAligned, o.DkimAligned));
    }

    [Fact]
    public async Task Evaluate_FailingOnlyInputs_DoNotAlign()
    {
        var o = await Evaluator().EvaluateAsync("example.com", Spf("example.com", SpfResult.SoftFail), Dkim("example.com", DkimResult.Fail), TestContext.Current.CancellationToken);
        Assert.Equal(DmarcResult.Fail, o.Result);
        Assert.Equal(DmarcPolicy.Reject, o.AppliedPolicy);
    }

    [Theory]
    [InlineData("example.com", "p", DmarcPolicy.Reject, DmarcPolicy.Reject)]
    [InlineData("mail.example.com", "sp", DmarcPolicy.Quarantine, DmarcPolicy.Quarantine)]
    [InlineData("ghost.example.com", "np", DmarcPolicy.Reject, DmarcPolicy.Reject)]
    [InlineData("ghost.nonp.example", "p", DmarcPolicy.Quarantine, DmarcPolicy.Quarantine)]
    [InlineData("testing.example", "p", DmarcPolicy.Reject, DmarcPolicy.Quarantine)]
    [InlineData("partial.example", "p", DmarcPolicy.Quarantine, DmarcPolicy.None)]
    public async Task Evaluate_Fail_PolicyTagAndTesting(string author, string tag, DmarcPolicy requested, DmarcPolicy applied)
    {
        var o = await Evaluator().EvaluateAsync(author, Spf("elsewhere.example"), null, TestContext.Current.CancellationToken);
        Assert.Equal(DmarcResult.Fail, o.Result);
        Assert.Equal((tag, requested, applied), (o.PolicyTag!, o.RequestedPolicy, o.AppliedPolicy));
        Assert.Equal(author.StartsWith("ghost.", StringComparison.Ordinal), o.AuthorDomainNonExistent);
    }

    [Theory]
    [InlineData("To: a@example.net\r\n", DmarcResult.PermError, DmarcReason.NoAuthorDomain)]
    [InlineData("From: undisclosed-recipients:;\r\n", DmarcResult.PermError, DmarcReason.NoAuthorDomain)]
    [InlineData("From: a@example.com, b@evil.example\r\n", DmarcResult.PermError, DmarcReason.MultipleAuthorDomains)]
    [InlineData("From: a@evil.example\r\nFrom: a@example.com\r\n", DmarcResult.PermError, DmarcReason.MultipleFromFields)]
    // Several From fields never pass, even naming one domain: a reader is shown one of them (docs/dmarc.md).
    [InlineData("From: a@example.com\r\nFrom: \"B\" <b@EXAMPLE.com>\r\n", DmarcResult.PermError, DmarcReason.MultipleFromFields)]
    [InlineData("From: a@example.com, b@example.com\r\n", DmarcResult.PermError, DmarcReason.MultipleAuthorAddresses)]
    [InlineData("From: \"Joe, Sales\" <joe@example.com>\r\n", DmarcResult.Pass, DmarcReason.Aligned)]
    public async Task Evaluate_FromFieldShapes_DefinedOutcomes(string headers, DmarcResult result, DmarcReason reason)
    {
        var message = MailMessage.Parse(Encoding.ASCII.GetBytes(headers + "Subject: s\r\n\r\nbody\r\n"));
        var o = await Evaluator().EvaluateAsync(message, Spf("example.com"), null, TestContext.Current.CancellationToken);
        Assert.Equal((result, reason), (o.Result, o.Reason));
        if (reason is DmarcReason.MultipleAuthorDomains || headers.Contains("evil", StringComparison.Ordinal))
        {
            Assert.Equal(DmarcPolicy.Reject, o.AppliedPolicy);
            Assert.Equal(2, o.AuthorDomains.Count);
        }
    }

    [Fact]
    public async Task Evaluate_DnsFailure_IsTempError()
    {
        var zone = new DnsZone();
        zone.AddServFail("_dmarc.example.com");
        var o = await new DmarcEvaluator(new ZoneDnsResolver(zone)).EvaluateAsync("example.com", Spf("example.com"), null, TestContext.Current.CancellationToken);
        Assert.Equal((DmarcResult.TempError, DmarcReason.DnsFailure), (o.Result, o.Reason));
    }

    [Fact]
    public async Task AuthResults_CarriesPolicyAndFrom()
    {
        var o = await Evaluator().EvaluateAsync("example.com", Spf("example.com"), null, TestContext.Current.CancellationToken);
        Assert.Equal("dmarc=pass (p=reject dis=none; SPF (example.com) aligned with example.com) header.from=example.com policy.dmarc=reject",
            o.ToAuthResults().ToString().Replace("\\(", "(", StringComparison.Ordinal).Replace("\\)", ")", StringComparison.Ordinal));
    }
}
