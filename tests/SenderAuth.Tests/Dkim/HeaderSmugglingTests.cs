using System.Net;
using System.Text;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Mail;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Dkim;

/// <summary>
/// Header smuggling end to end through the engine: a message signed by our signer (RSA and Ed25519), a line put in
/// after signing (<see cref="HeaderSmugglingCases"/>), sent from an IP the domain's SPF lists, checked by
/// <see cref="MessageVerifier"/>. SPF passes in every case, so DMARC could pass on SPF alone: it must not. And the
/// signer, streaming or not, refuses every such message before it is signed.
/// </summary>
[Trait("Layer", "engine")]
public class HeaderSmugglingTests
{
    private const string FromLine = "From: Mosa Museum <tickets@example.com>";

    private static readonly byte[] Clean = Encoding.ASCII.GetBytes(
        FromLine + "\r\nTo: visitor@example.net\r\nSubject: Your tickets\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        + "Message-ID: <1@example.com>\r\nX-Tracking: 42\r\n\r\nHello, here are your tickets.\r\n");

    private static MessageVerifier Verifier()
    {
        var zone = DkimTestKeys.Zone();
        zone.Add(new TxtRecord("example.com", 300, ["v=spf1 ip4:192.0.2.0/24 -all"]));
        zone.Add(new TxtRecord("_dmarc.example.com", 300, ["v=DMARC1; p=reject"]));
        return new MessageVerifier(new ZoneDnsResolver(zone), new MessageVerifierOptions { AuthServId = "mx.receiver.test" });
    }

    private static Task<MessageVerification> VerifyAsync(byte[] message) =>
        Verifier().VerifyAsync(message, IPAddress.Parse("192.0.2.25"), "bounce@example.com", "mail.example.com", TestContext.Current.CancellationToken);

    [Fact]
    public async Task Verify_CleanSignedMessage_PassesEverything()
    {
        var result = await VerifyAsync(DkimTestKeys.Signer(dual: true).Sign(Clean));
        Assert.Equal(SpfResult.Pass, result.Spf.Result);
        Assert.All(result.Dkim.Signatures, s => Assert.Equal(DkimResult.Pass, s.Result));
        Assert.Equal(DmarcResult.Pass, result.Dmarc.Result);
        Assert.Empty(result.Dkim.Ambiguities);
    }

    [Theory]
    [MemberData(nameof(HeaderSmugglingCases.Names), MemberType = typeof(HeaderSmugglingCases))]
    public async Task Verify_SmuggledLine_NeverPassesDkimOrDmarc(string name)
    {
        var c = HeaderSmugglingCases.Get(name);
        var forged = c.Apply(DkimTestKeys.Signer(dual: true).Sign(Clean), FromLine);
        var result = await VerifyAsync(forged);
        TestContext.Current.TestOutputHelper?.WriteLine(result.AuthenticationResults);

        Assert.Equal(SpfResult.Pass, result.Spf.Result);
        Assert.Equal(2, result.Dkim.Signatures.Count);
        Assert.All(result.Dkim.Signatures, s => Assert.Equal((c.Dkim, c.DkimReason), (s.Result.Token(), s.Reason.Code())));
        Assert.Equal((DmarcResult.PermError, c.DmarcReason), (result.Dmarc.Result, result.Dmarc.Reason.Code()));
        // The strictest policy of the readable author domains still reaches the receiver.
        Assert.Equal(DmarcPolicy.Reject, result.Dmarc.AppliedPolicy);
        // The codes are in the header's comments too.
        Assert.Contains($"dmarc=permerror ({c.DmarcReason}:", result.AuthenticationResults, StringComparison.Ordinal);
        if (c.Ambiguity is { } reason)
        {
            // The first line a reader may take for From (a bare CR chain may first hide another field).
            var first = result.Dkim.Ambiguities.First(a => a.Touches("From"));
            Assert.Equal(reason, first.Reason);
            Assert.True(first.Touches("From"), first.Describe());
            Assert.All(result.Dkim.Signatures, s => Assert.Equal(reason, s.Ambiguity?.Reason));
            Assert.Equal(reason, result.Dmarc.Ambiguity?.Reason);
            Assert.Contains($"dkim=permerror (ambiguous-header: ", result.AuthenticationResults, StringComparison.Ordinal);
            Assert.Contains(reason.Code(), result.AuthenticationResults, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(result.Dkim.Ambiguities);
        }
    }

    [Fact]
    public async Task Verify_AmbiguousLineAfterUnsignedField_SignatureStillPasses()
    {
        // Attribution: the line is read as part of X-Tracking or as nothing; no signed field is touched, From is not.
        var signed = Encoding.Latin1.GetString(DkimTestKeys.Signer(dual: true).Sign(Clean));
        Assert.DoesNotContain("X-Tracking", signed.Split("\r\n\r\n")[0].Split("h=")[1].Split(';')[0], StringComparison.OrdinalIgnoreCase);
        var forged = Encoding.Latin1.GetBytes(signed.Replace("X-Tracking: 42\r\n", "X-Tracking: 42\r\n\vjunk\r\n", StringComparison.Ordinal));
        var result = await VerifyAsync(forged);
        Assert.Equal("X-Tracking", Assert.Single(result.Dkim.Ambiguities).Follows);
        Assert.All(result.Dkim.Signatures, s => Assert.Equal(DkimResult.Pass, s.Result));
        Assert.Equal(DmarcResult.Pass, result.Dmarc.Result);
    }

    [Theory]
    [MemberData(nameof(HeaderSmugglingCases.Names), MemberType = typeof(HeaderSmugglingCases))]
    public void Sign_MessageWithTheSmuggledLine_IsRefusedWithItsReason(string name)
    {
        var c = HeaderSmugglingCases.Get(name);
        var message = c.Apply(Clean, FromLine);
        var e = Assert.Throws<DkimSignException>(() => DkimTestKeys.Signer().Sign(message));
        if (c.Ambiguity is { } reason)
        {
            Assert.Equal(DkimSignRefusal.AmbiguousHeader, e.Refusal);
            Assert.Equal(reason, e.Ambiguity?.Reason);
            Assert.Contains(reason.Code(), e.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(DkimSignRefusal.MultipleFrom, e.Refusal);
        }
    }

    [Fact]
    public void SignStreaming_AmbiguousHeaderSection_IsRefused()
    {
        // The milter's path: body streamed first, header section at the end.
        var headers = MailMessage.Parse(Encoding.Latin1.GetBytes(FromLine + "\r\n\u00a0, " + "Evil <evil@attacker.example>\r\nSubject: s\r\n\r\n"));
        using var streaming = DkimTestKeys.Signer().BeginStreaming();
        streaming.AppendBody("body\r\n"u8);
        var e = Assert.Throws<DkimSignException>(() => streaming.Complete(headers));
        Assert.Equal((DkimSignRefusal.AmbiguousHeader, HeaderAmbiguityReason.LeadingUnicodeSpace), (e.Refusal, e.Ambiguity!.Reason));
    }

    [Theory]
    [InlineData("To: a@example.net\r\n", DkimSignRefusal.NoFrom)]
    [InlineData("From: a@example.com\r\nFrom: b@example.com\r\n", DkimSignRefusal.MultipleFrom)]
    [InlineData("From: a@example.com, b@example.com\r\n", DkimSignRefusal.MultipleAuthorAddresses)]
    [InlineData("From: <>\r\n", DkimSignRefusal.UnreadableFrom)]
    [InlineData("From:\r\n", DkimSignRefusal.UnreadableFrom)]
    [InlineData("From: a@example.com b@attacker.example\r\n", DkimSignRefusal.UnreadableFrom)]
    [InlineData("From: a@example.com\r\nX: \"unterminated\r\n", null)]
    public void Sign_FromShapes_RefusedWithACode(string headers, DkimSignRefusal? refusal)
    {
        var message = Encoding.ASCII.GetBytes(headers + "Subject: s\r\n\r\nbody\r\n");
        if (refusal is null)
        {
            Assert.NotEmpty(DkimTestKeys.Signer().Sign(message));
            return;
        }
        var e = Assert.Throws<DkimSignException>(() => DkimTestKeys.Signer().Sign(message));
        Assert.Equal(refusal, e.Refusal);
        Assert.Matches("^[a-z]+(-[a-z]+)*$", e.Refusal.Code());
    }
}
