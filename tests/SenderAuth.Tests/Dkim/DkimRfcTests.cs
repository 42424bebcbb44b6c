using System.Security.Cryptography;
using System.Text;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dkim;

[Trait("Layer", "engine")]
public class DkimRfcTests
{
    private static readonly DateTimeOffset RfcTime = DateTimeOffset.FromUnixTimeSeconds(1528637909);

    private static DkimVerifier Verifier(params (string Name, string Txt)[] keys)
    {
        var zone = new DnsZone();
        foreach (var (name, txt) in keys)
        {
            zone.Add(new TxtRecord(name, 300, DkimKeyRecord.TxtStrings(txt)));
        }
        return new DkimVerifier(new ZoneDnsResolver(zone), timeProvider: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(RfcTime));
    }

    [Fact]
    public async Task Verify_Rfc6376AppendixA_WithErrata_Passes()
    {
        var v = Verifier(("brisbane._domainkey.example.com", "v=DKIM1; p=" + RfcVectors.Rfc6376PublicKey));
        var result = await v.VerifyAsync(Encoding.ASCII.GetBytes(RfcVectors.Rfc6376Message), TestContext.Current.CancellationToken);
        var sig = Assert.Single(result.Signatures);
        Assert.Equal(DkimResult.Pass, sig.Result);
        Assert.Equal("joe@football.example.com", sig.Identity);
        Assert.Equal("dkim=pass (1024-bit key) header.d=example.com header.i=joe@football.example.com header.s=brisbane header.a=rsa-sha256 header.b=AuUoFEfD",
            sig.ToAuthResults().ToString());
    }

    [Fact]
    public async Task Verify_Rfc8463AppendixA_BothSignaturesPass()
    {
        var v = Verifier(
            ("brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=" + RfcVectors.Rfc8463Ed25519PublicKey),
            ("test._domainkey.football.example.com", "v=DKIM1; k=rsa; p=" + RfcVectors.Rfc8463RsaPublicKey));
        var result = await v.VerifyAsync(Encoding.ASCII.GetBytes(RfcVectors.Rfc8463Message), TestContext.Current.CancellationToken);
        Assert.Equal(2, result.Signatures.Count);
        Assert.All(result.Signatures, s => Assert.Equal(DkimResult.Pass, s.Result));
        Assert.Equal(DkimAlgorithm.Ed25519Sha256, result.Signatures[0].Algorithm);
        Assert.Equal(DkimAlgorithm.RsaSha256, result.Signatures[1].Algorithm);
    }

    [Fact]
    public void Keys_Rfc8463_PemReadsGiveThePublishedPublicKeys()
    {
        using var rsa = DkimPrivateKey.FromPem(RfcVectors.Rfc8463RsaPrivateKey);
        using var ed = DkimPrivateKey.FromPem(RfcVectors.Rfc8463Ed25519PrivateKey);
        Assert.Equal(RfcVectors.Rfc8463RsaPublicKey, Convert.ToBase64String(rsa.PublicKey.PublishedBytes));
        Assert.Equal(RfcVectors.Rfc8463Ed25519PublicKey, Convert.ToBase64String(ed.PublicKey.PublishedBytes));
        Assert.Equal(DkimKeyType.Ed25519, ed.KeyType);
        Assert.Equal(1024, rsa.KeySize);
    }

    [Fact]
    public void Sign_Rfc8463Keys_ReproduceTheRfcSignaturesOverTheRfcFields()
    {
        // Both algorithms are deterministic: the RFC's own fields, hashed by our code and signed by our keys,
        // must give the RFC's b= values byte for byte.
        var message = SenderAuth.Mail.MailMessage.Parse(Encoding.ASCII.GetBytes(RfcVectors.Rfc8463Message));
        var fields = message.All("DKIM-Signature").ToList();
        var headers = "from:to:subject:date:message-id:from:subject:date".Split(':');
        foreach (var (field, pem) in new[] { (fields[0], RfcVectors.Rfc8463Ed25519PrivateKey), (fields[1], RfcVectors.Rfc8463RsaPrivateKey) })
        {
            using var key = DkimPrivateKey.FromPem(pem);
            var digest = DkimHeaderHasher.Digest(message, headers, DkimCanonicalization.Relaxed, field.Raw.Span, HashAlgorithmName.SHA256);
            var published = DkimSignature.Parse(field.Value, out _, out _)!.SignatureBase64;
            Assert.Equal(published, Convert.ToBase64String(key.SignDigest(digest)));
        }
    }

    [Theory]
    [InlineData(DkimCanonicalization.Simple, "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=")]
    [InlineData(DkimCanonicalization.Relaxed, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")]
    public void BodyHash_EmptyBody_IsTheRfcValue(DkimCanonicalization c, string expected)
    {
        foreach (var body in new[] { "", "\r\n", "\r\n\r\n", "\n\n" })
        {
            using var h = new DkimBodyHasher(c, HashAlgorithmName.SHA256);
            h.Append(Encoding.ASCII.GetBytes(body));
            Assert.Equal(expected, Convert.ToBase64String(h.Complete()));
        }
    }

    [Fact]
    public void BodyHash_Rfc8463Body_MatchesBh()
    {
        using var h = new DkimBodyHasher(DkimCanonicalization.Relaxed, HashAlgorithmName.SHA256);
        h.Append(Encoding.ASCII.GetBytes("Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n\r\n\r\n"));
        Assert.Equal("2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=", Convert.ToBase64String(h.Complete()));
    }
}
