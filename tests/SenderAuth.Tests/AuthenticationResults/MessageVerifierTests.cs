using System.Net;
using System.Text;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Spf;
using SenderAuth.Tests.Dkim;

namespace SenderAuth.Tests.AuthenticationResults;

[Trait("Layer", "engine")]
public class MessageVerifierTests
{
    private static (DnsQueryLog Log, MessageVerifier Verifier) Build()
    {
        var zone = DkimTestKeys.Zone();
        foreach (var r in ZoneFileParser.Parse("""
            @ TXT "v=spf1 include:_spf.example.com -all"
            _spf TXT "v=spf1 ip4:192.0.2.0/24 -all"
            _dmarc TXT "v=DMARC1; p=reject"
            """, "example.com").Records)
        {
            zone.Add(r);
        }
        var log = new DnsQueryLog(new ZoneDnsResolver(zone));
        return (log, new MessageVerifier(log, new MessageVerifierOptions { AuthServId = "mx.receiver.example" }));
    }

    private static byte[] Signed(string from = "Mosa <tickets@news.example.com>") =>
        DkimTestKeys.Signer(dual: true).Sign(Encoding.ASCII.GetBytes($"From: {from}\r\nTo: v@example.net\r\nSubject: hi\r\n\r\nbody\r\n"));

    [Fact]
    public async Task Verify_SignedAndSpfPass_AllPassAndHeaderWritten()
    {
        var (log, v) = Build();
        var r = await v.VerifyAsync(Signed(), IPAddress.Parse("192.0.2.9"), "bounce@example.com", "mta.example.com", TestContext.Current.CancellationToken);
        Assert.Equal(SpfResult.Pass, r.Spf.Result);
        Assert.All(r.Dkim.Signatures, s => Assert.Equal(DkimResult.Pass, s.Result));
        Assert.Equal(DmarcResult.Pass, r.Dmarc.Result);
        Assert.StartsWith("Authentication-Results: mx.receiver.example;\r\n\tspf=pass", r.AuthenticationResults, StringComparison.Ordinal);
        Assert.Contains(";\r\n\tdkim=pass (2048-bit key) header.d=example.com", r.AuthenticationResults, StringComparison.Ordinal);
        Assert.Contains(";\r\n\tdmarc=pass", r.AuthenticationResults, StringComparison.Ordinal);
        // One message, one answer per question: SPF, DKIM and the tree walk share what they ask.
        var repeated = log.Entries.GroupBy(e => (e.Name, e.Type)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(repeated);
    }

    [Fact]
    public async Task Verify_TamperedBodyAndForeignIp_DmarcFailsWithReject()
    {
        var (_, v) = Build();
        var tampered = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(Signed()).Replace("body", "b0dy", StringComparison.Ordinal));
        var r = await v.VerifyAsync(tampered, IPAddress.Parse("203.0.113.1"), "bounce@example.com", "mta.example.com", TestContext.Current.CancellationToken);
        Assert.Equal(SpfResult.Fail, r.Spf.Result);
        Assert.All(r.Dkim.Signatures, s => Assert.Equal(DkimReason.BodyHashMismatch, s.Reason));
        Assert.Equal((DmarcResult.Fail, DmarcPolicy.Reject), (r.Dmarc.Result, r.Dmarc.AppliedPolicy));
    }

    [Fact]
    public async Task Verify_UnreadableMessage_PermErrorNoCrash()
    {
        var (_, v) = Build();
        var huge = Encoding.ASCII.GetBytes("X: " + new string('x', 2 * 1024 * 1024) + "\r\n\r\n");
        var r = await v.VerifyAsync(huge, IPAddress.Parse("192.0.2.9"), "bounce@example.com", "h", TestContext.Current.CancellationToken);
        Assert.Equal(DmarcResult.PermError, r.Dmarc.Result);
        Assert.Contains("cannot be read", r.Dmarc.Detail, StringComparison.Ordinal);
        Assert.Contains("dmarc=permerror", r.AuthenticationResults, StringComparison.Ordinal);
    }
}
