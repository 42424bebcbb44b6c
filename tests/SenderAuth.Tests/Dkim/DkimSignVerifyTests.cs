using System.Text;
using SenderAuth.Dkim;

namespace SenderAuth.Tests.Dkim;

[Trait("Layer", "engine")]
public class DkimSignVerifyTests
{
    private const string Message = """
        From: Mosa Museum <tickets@example.com>
        To: visitor@example.net
        Subject: Your tickets
        Date: Mon, 23 Nov 2026 10:00:00 +0000
        Message-ID: <1@example.com>

        Hello,   here are your tickets.

        """;

    private static byte[] Crlf(string s) => Encoding.UTF8.GetBytes(RfcVectors.Crlf(s));

    private static async Task<DkimSignatureOutcome[]> Verify(byte[] message, DkimVerifierOptions? options = null) =>
        [.. (await DkimTestKeys.Verifier(options: options).VerifyAsync(message, TestContext.Current.CancellationToken)).Signatures];

    [Theory]
    [InlineData(DkimCanonicalization.Simple, DkimCanonicalization.Simple)]
    [InlineData(DkimCanonicalization.Relaxed, DkimCanonicalization.Relaxed)]
    [InlineData(DkimCanonicalization.Relaxed, DkimCanonicalization.Simple)]
    [InlineData(DkimCanonicalization.Simple, DkimCanonicalization.Relaxed)]
    public async Task Sign_ThenVerify_PassesForEveryCanonicalization(DkimCanonicalization h, DkimCanonicalization b)
    {
        var signed = DkimTestKeys.Signer(h, b, dual: true).Sign(Crlf(Message));
        var results = await Verify(signed);
        Assert.Equal(2, results.Length);
        Assert.All(results, r => Assert.Equal(DkimResult.Pass, r.Result));
    }

    [Fact]
    public void Sign_OutputIsInputPlusHeaders()
    {
        var input = Crlf(Message);
        var signed = DkimTestKeys.Signer(dual: true).Sign(input);
        Assert.True(signed.AsSpan().EndsWith(input));
        var added = Encoding.ASCII.GetString(signed, 0, signed.Length - input.Length);
        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa;", added, StringComparison.Ordinal);
        Assert.Contains("DKIM-Signature: v=1; a=ed25519-sha256;", added, StringComparison.Ordinal);
        Assert.Contains("h=From:From:To:To:Subject:Subject:Date:Date:Message-ID;", added.Replace("\r\n\t", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(" l=", added, StringComparison.Ordinal);
        Assert.All(added.Split("\r\n"), line => Assert.True(line.Length <= 78, line));
    }

    [Fact]
    public async Task Sign_ManyThreadsDifferentHeaderShapes_EachSignatureListsItsOwnHeaders()
    {
        // One signer keeps the h= list of the last header combination it saw; threads signing messages of
        // different shapes at once must each get their own message's list.
        var signer = DkimTestKeys.Signer();
        var shapes = new[]
        {
            "From: a@example.com\r\nSubject: s\r\n\r\nx\r\n",
            "From: a@example.com\r\nTo: b@example.net\r\nCc: c@example.net\r\n\r\nx\r\n",
            "From: a@example.com\r\nTo: b@example.net\r\nTo: d@example.net\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nx\r\n",
            "From: a@example.com\r\nMessage-ID: <1@example.com>\r\nReply-To: r@example.com\r\n\r\nx\r\n",
        };
        var expected = new[]
        {
            "From:From:To:Subject:Subject:Date",
            "From:From:To:To:Cc:Subject:Date",
            "From:From:To:To:To:Subject:Date:Date",
            "From:From:To:Subject:Date:Message-ID:Reply-To",
        };
        var signed = new byte[400][];
        Parallel.For(0, signed.Length, i => signed[i] = signer.Sign(Encoding.ASCII.GetBytes(shapes[i % shapes.Length])));
        for (var i = 0; i < signed.Length; i++)
        {
            var text = Encoding.ASCII.GetString(signed[i]).Replace("\r\n\t", string.Empty, StringComparison.Ordinal);
            Assert.Contains($"h={expected[i % shapes.Length]};", text, StringComparison.Ordinal);
            Assert.Equal(DkimResult.Pass, (await Verify(signed[i]))[0].Result);
        }
    }

    [Fact]
    public async Task Sign_BareLfInput_KeepsLfAndVerifies()
    {
        var input = Encoding.UTF8.GetBytes(Message.Replace("\r\n", "\n", StringComparison.Ordinal));
        var signed = DkimTestKeys.Signer().Sign(input);
        Assert.DoesNotContain((byte)'\r', signed);
        Assert.Equal(DkimResult.Pass, (await Verify(signed))[0].Result);
        // The same message on the wire (CRLF) verifies too: the hash treats LF as CRLF.
        var wire = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.Equal(DkimResult.Pass, (await Verify(wire))[0].Result);
    }

    [Theory]
    [InlineData("Hello,", "Hellp,", DkimReason.BodyHashMismatch)]
    [InlineData("Subject: Your tickets", "Subject: Your tickett", DkimReason.SignatureMismatch)]
    [InlineData("To: visitor@example.net", "To: visitor@example.org", DkimReason.SignatureMismatch)]
    [InlineData("Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n", "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nTo: extra@evil.example\r\n", DkimReason.SignatureMismatch)]
    [InlineData("here are your tickets.\r\n", "here are your tickets.\r\nP.S. added\r\n", DkimReason.BodyHashMismatch)]
    public async Task Verify_OneChange_Fails(string from, string to, DkimReason reason)
    {
        var signed = Encoding.UTF8.GetString(DkimTestKeys.Signer(dual: true).Sign(Crlf(Message)));
        Assert.Contains(from, signed, StringComparison.Ordinal);
        var changed = Encoding.UTF8.GetBytes(signed.Replace(from, to, StringComparison.Ordinal));
        var results = await Verify(changed);
        Assert.All(results, r => Assert.Equal((DkimResult.Fail, reason), (r.Result, r.Reason)));
    }

    [Fact]
    public async Task Verify_RelaxedSurvivesRefoldingAndTrailingSpace()
    {
        var signed = Encoding.UTF8.GetString(DkimTestKeys.Signer().Sign(Crlf(Message)));
        var refolded = signed.Replace("Subject: Your tickets", "Subject:\r\n\t  Your   tickets  ", StringComparison.Ordinal)
            .Replace("tickets.\r\n", "tickets.   \r\n\r\n\r\n", StringComparison.Ordinal);
        Assert.Equal(DkimResult.Pass, (await Verify(Encoding.UTF8.GetBytes(refolded)))[0].Result);
    }

    [Theory]
    [InlineData("\v")]
    [InlineData("\f")]
    [InlineData("\r")]
    [InlineData("\u00a0")]
    [InlineData("\u2028")]
    public async Task Verify_SmuggledFromAboveSignedFrom_NeverPasses(string prefix)
    {
        var signed = Encoding.UTF8.GetString(DkimTestKeys.Signer().Sign(Crlf(Message)));
        var forged = signed.Replace("From: Mosa", prefix + "From: Mallory <ceo@example.com>\r\nFrom: Mosa", StringComparison.Ordinal);
        var verification = await DkimTestKeys.Verifier().VerifyAsync(Encoding.UTF8.GetBytes(forged), TestContext.Current.CancellationToken);
        Assert.Equal(2, verification.FromHeaderCount);
        Assert.True(verification.Ambiguous);
        Assert.NotEqual(DkimResult.Pass, verification.Signatures[0].Result);
    }

    [Fact]
    public async Task Verify_SmuggledFromAfterLatin1Nbsp_NeverPasses()
    {
        // A single 0xA0 byte (Latin-1 NBSP), not its UTF-8 form: the bytes are built by hand.
        var signed = DkimTestKeys.Signer().Sign(Crlf(Message));
        var marker = Encoding.ASCII.GetBytes("From: Mosa");
        var at = signed.AsSpan().IndexOf(marker);
        byte[] forged = [.. signed[..at], 0xA0, .. Encoding.ASCII.GetBytes("From: Mallory <ceo@example.com>\r\n"), .. signed[at..]];
        var verification = await DkimTestKeys.Verifier().VerifyAsync(forged, TestContext.Current.CancellationToken);
        Assert.Equal(2, verification.FromHeaderCount);
        Assert.True(verification.Ambiguous);
        Assert.NotEqual(DkimResult.Pass, verification.Signatures[0].Result);
    }

    [Fact]
    public async Task Verify_SecondFromWithoutOverSigning_IsPolicyNotPass()
    {
        var signer = new DkimSigner(new DkimSignerOptions { Keys = [new("example.com", "rsa", DkimTestKeys.Rsa)], OverSigned = [] });
        var signed = Encoding.UTF8.GetString(signer.Sign(Crlf(Message)));
        var forged = Encoding.UTF8.GetBytes("From: Mallory <ceo@example.com>\r\n" + signed);
        var result = (await Verify(forged))[0];
        Assert.Equal((DkimResult.Policy, DkimReason.MultipleFrom), (result.Result, result.Reason));
    }

    [Theory]
    [InlineData("To: a@example.net\r\nSubject: x\r\n\r\nbody\r\n", "no From header")]
    [InlineData("From: a@example.com\r\nFrom: b@example.com\r\n\r\nbody\r\n", "2 From headers")]
    [InlineData("From: a@example.com, b@example.com\r\n\r\nbody\r\n", "2 addresses")]
    public void Sign_BadFrom_Refused(string message, string reason)
    {
        var e = Assert.Throws<DkimSignException>(() => DkimTestKeys.Signer().Sign(Encoding.ASCII.GetBytes(message)));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_BodyLengthTag_ReportsUnsignedRemainderOrFails()
    {
        // A third party's signature with l=: we never write it, so build one by hand with the test key.
        var body = "Hello,   here are your tickets.\r\n";
        var signed = SignWithLength(Crlf(Message), body.Length - 10);
        var result = (await Verify(signed))[0];
        Assert.Equal(DkimResult.Pass, result.Result);
        Assert.Equal(10, result.UnsignedBodyBytes);
        var strict = (await Verify(signed, new DkimVerifierOptions { FailOnUnsignedBodyRemainder = true }))[0];
        Assert.Equal((DkimResult.Fail, DkimReason.UnsignedBodyRemainder), (strict.Result, strict.Reason));
    }

    private static byte[] SignWithLength(byte[] message, long length)
    {
        var parsed = SenderAuth.Mail.MailMessage.Parse(message);
        using var hasher = new DkimBodyHasher(DkimCanonicalization.Simple, System.Security.Cryptography.HashAlgorithmName.SHA256, length);
        hasher.Append(parsed.Body.Span);
        var field = $"DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; d=example.com; s=rsa; l={length}; h=from:subject; bh={Convert.ToBase64String(hasher.Complete())}; b=";
        var digest = DkimHeaderHasher.Digest(parsed, ["from", "subject"], DkimCanonicalization.Simple, Encoding.ASCII.GetBytes(field + "\r\n"), System.Security.Cryptography.HashAlgorithmName.SHA256);
        var header = field + Convert.ToBase64String(DkimTestKeys.Rsa.SignDigest(digest)) + "\r\n";
        return [.. Encoding.ASCII.GetBytes(header), .. message];
    }
}
