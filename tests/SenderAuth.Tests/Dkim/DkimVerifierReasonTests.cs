using System.Text;
using Microsoft.Extensions.Time.Testing;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dkim;

/// <summary>Every reason code the verifier gives, from a message built to trigger it.</summary>
[Trait("Layer", "engine")]
public class DkimVerifierReasonTests
{
    private static readonly byte[] Message = Encoding.ASCII.GetBytes("From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n");

    private static async Task<DkimSignatureOutcome> VerifyWith(string txtAtRsa, byte[]? message = null, DkimVerifierOptions? options = null, TimeProvider? time = null)
    {
        var zone = new DnsZone();
        if (txtAtRsa != "NXDOMAIN")
        {
            zone.Add(new TxtRecord("rsa._domainkey.example.com", 300, DkimKeyRecord.TxtStrings(txtAtRsa)));
        }
        zone.AddTimeout("rsa._domainkey.slow.example");
        var signed = message ?? DkimTestKeys.Signer().Sign(Message);
        var v = await DkimTestKeys.Verifier(zone, options, time).VerifyAsync(signed, TestContext.Current.CancellationToken);
        return Assert.Single(v.Signatures);
    }

    private static string Published => DkimKeyRecord.TxtValue(DkimTestKeys.Rsa.PublicKey);

    private static string PublishedP => Published[(Published.IndexOf("p=", StringComparison.Ordinal) + 2)..];

    [Theory]
    [InlineData("NXDOMAIN", DkimResult.PermError, DkimReason.KeyNotFound)]
    [InlineData("v=DKIM1; k=rsa; p=", DkimResult.PermError, DkimReason.KeyRevoked)]
    [InlineData("v=DKIM1; k=rsa; p=!!notbase64", DkimResult.PermError, DkimReason.MalformedKey)]
    [InlineData("v=DKIM1; k=rsa; k=rsa; p=AAAA", DkimResult.PermError, DkimReason.MalformedKey)]
    [InlineData("v=DKIM2; p=AAAA", DkimResult.PermError, DkimReason.MalformedKey)]
    public async Task Verify_KeyRecordProblems(string txt, DkimResult result, DkimReason reason)
    {
        var o = await VerifyWith(txt);
        Assert.Equal((result, reason), (o.Result, o.Reason));
    }

    [Fact]
    public async Task Verify_KeyFlagsAndRestrictions()
    {
        Assert.Equal(DkimReason.KeyAlgorithmMismatch, (await VerifyWith("v=DKIM1; k=ed25519; p=" + Convert.ToBase64String(DkimTestKeys.Ed25519.PublicKey.PublishedBytes))).Reason);
        Assert.Equal(DkimReason.KeyHashNotAllowed, (await VerifyWith("v=DKIM1; h=sha1; p=" + PublishedP)).Reason);
        Assert.Equal(DkimReason.KeyServiceNotEmail, (await VerifyWith("v=DKIM1; s=other; p=" + PublishedP)).Reason);
        var testing = await VerifyWith("v=DKIM1; t=y; x_unknown=ignored; p=" + PublishedP);
        Assert.Equal(DkimResult.Pass, testing.Result);
        Assert.True(testing.Testing);
        Assert.Contains("testing", testing.ToAuthResults().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_StrictIdentity_RequiresIdentityInExactlyD()
    {
        var signer = new DkimSigner(new DkimSignerOptions { Keys = [new("example.com", "rsa", DkimTestKeys.Rsa)], Identity = "news@mail.example.com" });
        var o = await VerifyWith("v=DKIM1; t=s; p=" + PublishedP, signer.Sign(Message));
        Assert.Equal((DkimResult.PermError, DkimReason.KeyStrictIdentityMismatch), (o.Result, o.Reason));
        Assert.Equal(DkimResult.Pass, (await VerifyWith(Published, signer.Sign(Message))).Result);
    }

    [Fact]
    public async Task Verify_ShortRsaKey_IsPolicy()
    {
        using var weak = DkimPrivateKey.Generate(DkimKeyType.Rsa, 1024);
        var signer = new DkimSigner(new DkimSignerOptions { Keys = [new("example.com", "rsa", weak)] });
        var o = await VerifyWith(DkimKeyRecord.TxtValue(weak.PublicKey), signer.Sign(Message), new DkimVerifierOptions { MinimumRsaKeyBits = 2048 });
        Assert.Equal((DkimResult.Policy, DkimReason.KeyTooShort), (o.Result, o.Reason));
    }

    [Fact]
    public async Task Verify_512BitKey_UnderDefaults_IsPolicyKeyTooShort()
    {
        // Our signer refuses keys under 1024 bits, so a 512-bit signer is made by hand: what an old sender still sends.
        using var weak = new ClaimsLongerKey(new RsaPrivateKey(System.Security.Cryptography.RSA.Create(512)));
        var signer = new DkimSigner(new DkimSignerOptions { Keys = [new("example.com", "rsa", weak)] });
        var o = await VerifyWith(DkimKeyRecord.TxtValue(weak.PublicKey), signer.Sign(Message));
        Assert.Equal((DkimResult.Policy, DkimReason.KeyTooShort), (o.Result, o.Reason));
    }

    /// <summary>A key that tells the signer's option check it has 1024 bits, whatever it really has.</summary>
    private sealed class ClaimsLongerKey(DkimPrivateKey inner) : DkimPrivateKey
    {
        public override DkimKeyType KeyType => inner.KeyType;

        public override int KeySize => 1024;

        public override DkimPublicKey PublicKey => inner.PublicKey;

        public override byte[] SignDigest(ReadOnlySpan<byte> sha256Digest) => inner.SignDigest(sha256Digest);

        public override string ExportPem(bool pkcs1 = false) => inner.ExportPem(pkcs1);

        protected override void Dispose(bool disposing) => inner.Dispose();
    }

    [Fact]
    public async Task Verify_Expiry_AndFutureTimestamp()
    {
        var t0 = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var signer = new DkimSigner(new DkimSignerOptions { Keys = [new("example.com", "rsa", DkimTestKeys.Rsa)], Expiration = TimeSpan.FromHours(1) }, new FakeTimeProvider(t0));
        var signed = signer.Sign(Message);
        Assert.Equal(DkimResult.Pass, (await VerifyWith(Published, signed, time: new FakeTimeProvider(t0.AddMinutes(59)))).Result);
        Assert.Equal(DkimReason.Expired, (await VerifyWith(Published, signed, time: new FakeTimeProvider(t0.AddMinutes(61)))).Reason);
        Assert.Equal(DkimReason.FutureTimestamp, (await VerifyWith(Published, signed, time: new FakeTimeProvider(t0.AddMinutes(-10)))).Reason);
        Assert.Equal(DkimResult.Pass, (await VerifyWith(Published, signed, time: new FakeTimeProvider(t0.AddMinutes(-4)))).Result);
    }

    [Theory]
    [InlineData("v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA; i=a@other.example", DkimReason.IdentityNotInDomain, DkimResult.PermError)]
    [InlineData("v=1; a=rsa-sha1; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA", DkimReason.Sha1Refused, DkimResult.Policy)]
    [InlineData("v=1; a=rsa-sha256; d=example.com; s=rsa; h=subject; bh=AAAA; b=AAAA", DkimReason.FromNotSigned, DkimResult.PermError)]
    [InlineData("v=1; a=rsa-sha256; d=example.com; d=example.org; s=rsa; h=from; bh=AAAA; b=AAAA", DkimReason.MalformedSignature, DkimResult.PermError)]
    [InlineData("v=1; a=rsa-sha256; d=example.com; h=from; bh=AAAA; b=AAAA", DkimReason.MalformedSignature, DkimResult.PermError)]
    [InlineData("v=2; a=rsa-sha256; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA", DkimReason.UnsupportedVersion, DkimResult.PermError)]
    [InlineData("v=1; a=rsa-md5; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA", DkimReason.UnsupportedAlgorithm, DkimResult.PermError)]
    [InlineData("v=1; a=rsa-sha256; c=fancy; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA", DkimReason.UnsupportedCanonicalization, DkimResult.PermError)]
    [InlineData("v=1; a=rsa-sha256; q=http; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA", DkimReason.UnsupportedQueryMethod, DkimResult.PermError)]
    [InlineData("v=1; a=rsa-sha256; d=slow.example; s=rsa; h=from; bh=AAAA; b=AAAA", DkimReason.DnsFailure, DkimResult.TempError)]
    [InlineData("v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA; t=99999999999", DkimReason.FutureTimestamp, DkimResult.PermError)]
    [InlineData("v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA; t=20; x=10", DkimReason.MalformedSignature, DkimResult.PermError)]
    [InlineData("v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA; l=x", DkimReason.MalformedSignature, DkimResult.PermError)]
    [InlineData("v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA", DkimReason.BodyHashMismatch, DkimResult.Fail)]
    public async Task Verify_SignatureFieldProblems(string field, DkimReason reason, DkimResult result)
    {
        var message = Encoding.ASCII.GetBytes("DKIM-Signature: " + field + "\r\n" + Encoding.ASCII.GetString(Message));
        var o = await VerifyWith(Published, message);
        Assert.Equal((result, reason), (o.Result, o.Reason));
        Assert.False(string.IsNullOrWhiteSpace(o.Detail));
    }

    [Fact]
    public async Task Verify_NoSignature_IsDkimNone()
    {
        var v = await DkimTestKeys.Verifier().VerifyAsync(Message, TestContext.Current.CancellationToken);
        Assert.Empty(v.Signatures);
        Assert.Equal("dkim=none", Assert.Single(v.ToAuthResults()).ToString());
    }

    [Fact]
    public async Task Verify_HugeHeaderSection_IsMalformedMessageNotACrash()
    {
        var huge = Encoding.ASCII.GetBytes("X-Big: " + new string('a', 2 * 1024 * 1024) + "\r\nFrom: a@example.com\r\n\r\nbody");
        var v = await DkimTestKeys.Verifier().VerifyAsync(huge, TestContext.Current.CancellationToken);
        var o = Assert.Single(v.Signatures);
        Assert.Equal((DkimResult.PermError, DkimReason.MalformedMessage), (o.Result, o.Reason));
        Assert.Contains("header section larger than", o.Detail, StringComparison.Ordinal);
    }
}
