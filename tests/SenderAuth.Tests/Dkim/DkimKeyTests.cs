using System.Text;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dkim;

[Trait("Layer", "engine")]
public class DkimKeyTests
{
    [Theory]
    [InlineData(DkimKeyType.Rsa, 1024)]
    [InlineData(DkimKeyType.Rsa, 2048)]
    [InlineData(DkimKeyType.Rsa, 4096)]
    [InlineData(DkimKeyType.Ed25519, 0)]
    public void Pem_RoundTrip_KeepsTheKey(DkimKeyType type, int bits)
    {
        using var key = DkimPrivateKey.Generate(type, bits == 0 ? 2048 : bits);
        var formats = type == DkimKeyType.Rsa ? new[] { false, true } : [false];
        foreach (var pkcs1 in formats)
        {
            var pem = key.ExportPem(pkcs1);
            Assert.StartsWith(pkcs1 ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
            using var back = DkimPrivateKey.FromPem(pem);
            Assert.Equal(key.PublicKey.PublishedBytes, back.PublicKey.PublishedBytes);
            Assert.Equal(type, back.KeyType);
        }
        if (type == DkimKeyType.Ed25519)
        {
            Assert.Equal(32, key.PublicKey.PublishedBytes.Length);
        }
        else
        {
            Assert.Equal(bits, key.KeySize);
        }
    }

    [Theory]
    [InlineData("not a key", "no PEM block")]
    [InlineData("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----", "base64 is not valid")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "not a valid RSA or Ed25519 private key")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "is not a private key")]
    public void Pem_Invalid_ClearError(string pem, string message)
    {
        var e = Assert.Throws<FormatException>(() => DkimPrivateKey.FromPem(pem));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_RsaOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DkimPrivateKey.Generate(DkimKeyType.Rsa, 512));

    [Fact]
    public void TxtRecord_4096BitKey_SplitsInto255ByteStringsAndRoundTripsThroughAZoneFile()
    {
        using var key = DkimPrivateKey.Generate(DkimKeyType.Rsa, 4096);
        var value = DkimKeyRecord.TxtValue(key.PublicKey);
        var strings = DkimKeyRecord.TxtStrings(value);
        Assert.True(strings.Count >= 3);
        Assert.All(strings, s => Assert.True(Encoding.ASCII.GetByteCount(s) <= 255));
        Assert.Equal(value, string.Concat(strings));

        var zone = ZoneFileParser.Parse(DkimKeyRecord.ZoneFileLine("s1", "example.com", key.PublicKey));
        var txt = Assert.Single(zone.Records.OfType<TxtRecord>());
        Assert.Equal("s1._domainkey.example.com", txt.Name);
        var parsed = DkimKeyRecord.Parse(txt.Text, out var error);
        Assert.Null(error);
        Assert.Equal(key.PublicKey.PublishedBytes, parsed!.PublicKey!.PublishedBytes);
    }

    [Fact]
    public void TxtValue_Ed25519_IsTheBare32ByteKey()
    {
        using var key = DkimPrivateKey.FromPem(RfcVectors.Rfc8463Ed25519PrivateKey);
        Assert.Equal("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", DkimKeyRecord.TxtValue(key.PublicKey));
    }

    [Theory]
    [InlineData("v=DKIM1; p=", true, false, false)]
    [InlineData("p=" + RfcVectors.Rfc6376PublicKey, false, false, false)]
    [InlineData("v=DKIM1; t=y:s; n=notes; p=" + RfcVectors.Rfc6376PublicKey, false, true, true)]
    [InlineData("v=DKIM1; t = y ; p=" + RfcVectors.Rfc6376PublicKey, false, true, false)]
    public void KeyRecord_Flags(string text, bool revoked, bool testing, bool strict)
    {
        var record = DkimKeyRecord.Parse(text, out var error);
        Assert.Null(error);
        Assert.Equal((revoked, testing, strict), (record!.IsRevoked, record.Testing, record.StrictIdentity));
    }

    [Theory]
    [InlineData("v=DKIM1; p=AB; p=CD", "appears twice")]
    [InlineData("k=rsa; v=DKIM1; p=", "must be the first tag")]
    [InlineData("v=DKIM1; k=dsa; p=", "unknown key type")]
    [InlineData("v=DKIM1; k=rsa", "p= is missing")]
    [InlineData("v=DKIM1; k=ed25519; p=AAAA", "32 bytes")]
    [InlineData("v=DKIM1; novalue; p=", "has no '='")]
    public void KeyRecord_Invalid_SaysWhy(string text, string reason)
    {
        Assert.Null(DkimKeyRecord.Parse(text, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyRecord_SameText_ParsedOnce()
    {
        var text = "v=DKIM1; p=" + RfcVectors.Rfc6376PublicKey + " ";
        var a = DkimKeyRecord.Parse(text, out _);
        var b = DkimKeyRecord.Parse(text, out _);
        Assert.Same(a, b);
    }
}
