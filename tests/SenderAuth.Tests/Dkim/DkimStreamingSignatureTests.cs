using System.Text;
using System.Text.RegularExpressions;
using SenderAuth.Dkim;
using SenderAuth.Mail;

namespace SenderAuth.Tests.Dkim;

/// <summary>Signing as a milter does (body in chunks, header section at the end) gives what whole-message signing gives.</summary>
[Trait("Layer", "engine")]
public class DkimStreamingSignatureTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes(RfcVectors.Crlf("""
        From: Mosa Museum <tickets@example.com>
        To: visitor@example.net
        Subject: Your tickets
        Date: Mon, 23 Nov 2026 10:00:00 +0000
        Message-ID: <1@example.com>

        Hello,   here are your tickets.  
        	Indented line with trailing tabs		

        Second paragraph.


        """));

    private static string BodyHash(string fields, string algorithm) =>
        Regex.Match(fields.Replace("\r\n\t", "", StringComparison.Ordinal), $"a={algorithm};.*?bh=([^;]+);").Groups[1].Value;

    [Theory]
    [InlineData(DkimCanonicalization.Relaxed, DkimCanonicalization.Relaxed, 1)]
    [InlineData(DkimCanonicalization.Relaxed, DkimCanonicalization.Relaxed, 2)]
    [InlineData(DkimCanonicalization.Simple, DkimCanonicalization.Simple, 3)]
    [InlineData(DkimCanonicalization.Relaxed, DkimCanonicalization.Simple, 7)]
    [InlineData(DkimCanonicalization.Simple, DkimCanonicalization.Relaxed, 65535)]
    public async Task Streaming_AnyChunks_SameBodyHashAndVerifies(DkimCanonicalization h, DkimCanonicalization b, int chunk)
    {
        var signer = DkimTestKeys.Signer(h, b, dual: true);
        var parsed = MailMessage.Parse(Message);
        var headers = MailMessage.Parse(Message.AsMemory(0, parsed.BodyOffset));
        using var streaming = signer.BeginStreaming();
        var body = parsed.Body.Span;
        for (var i = 0; i < body.Length; i += chunk)
        {
            streaming.AppendBody(body.Slice(i, Math.Min(chunk, body.Length - i)));
        }
        var fields = streaming.Complete(headers);
        Assert.Equal(2, fields.Count);
        Assert.All(fields, f => Assert.StartsWith("DKIM-Signature: v=1;", f, StringComparison.Ordinal));
        var whole = Encoding.ASCII.GetString(signer.SignatureFields(Message));
        Assert.Equal(BodyHash(whole, "rsa-sha256"), BodyHash(fields[0], "rsa-sha256"));
        Assert.Equal(BodyHash(whole, "ed25519-sha256"), BodyHash(fields[1], "ed25519-sha256"));

        var signed = Encoding.ASCII.GetBytes(string.Concat(fields)).Concat(Message).ToArray();
        var outcome = await DkimTestKeys.Verifier().VerifyAsync(signed, TestContext.Current.CancellationToken);
        Assert.Equal(2, outcome.Signatures.Count);
        Assert.All(outcome.Signatures, s => Assert.Equal(DkimResult.Pass, s.Result));
    }

    [Fact]
    public void Streaming_HeadersWithoutFrom_Refused()
    {
        using var streaming = DkimTestKeys.Signer().BeginStreaming();
        streaming.AppendBody("body\r\n"u8);
        Assert.Throws<DkimSignException>(() => streaming.Complete(MailMessage.Parse("To: a@example.org\r\n\r\n"u8.ToArray())));
    }
}
