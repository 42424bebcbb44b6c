using System.Security.Cryptography;
using System.Text;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Mail;

namespace SenderAuth.Tests.Parsing;

/// <summary>The stated size limits of DMARC records, DKIM key records and header sections (issue 19; docs/security.md).</summary>
[Trait("Layer", "engine")]
public class RecordLimitsTests
{
    private static string DmarcOfLength(int length)
    {
        var head = "v=DMARC1; p=reject; rua=mailto:d@example.com; x=";
        return head + new string('y', length - head.Length);
    }

    [Fact]
    public void DmarcParse_AtMaxLength_Read()
    {
        var record = DmarcRecord.Parse(DmarcOfLength(DmarcRecord.MaxLength))!;
        Assert.Equal(DmarcPolicy.Reject, record.Policy);
        Assert.DoesNotContain(record.Issues, i => i.Code == "record-too-long");
    }

    [Fact]
    public async Task DmarcParse_OverMaxLength_RecordTooLongAndIgnoredByDiscovery()
    {
        var text = DmarcOfLength(DmarcRecord.MaxLength + 1);
        var record = DmarcRecord.Parse(text)!;
        Assert.True(record.PolicyMissing);
        Assert.Empty(record.AggregateReportUris);
        Assert.Equal("record-too-long", Assert.Single(record.Issues).Code);

        var zone = new DnsZone();
        zone.Add(new TxtRecord("_dmarc.example.com", 300, text.Chunk(255).Select(c => new string(c)).ToArray()));
        var lookup = await new DmarcDiscovery(new ZoneDnsResolver(zone)).FindPolicyAsync("example.com", TestContext.Current.CancellationToken);
        Assert.Null(lookup.Record);
    }

    [Fact]
    public void DkimKeyParse_OverMaxLength_ErrorBeforeDecoding()
    {
        var text = "v=DKIM1; k=rsa; n=" + new string('x', DkimKeyRecord.MaxLength) + "; p=AAAA";
        Assert.Null(DkimKeyRecord.Parse(text, out var error));
        Assert.Equal($"the key record has {text.Length} characters, more than {DkimKeyRecord.MaxLength}", error);
    }

    [Theory]
    [InlineData(8192, true)]
    [InlineData(8200, false)]
    public void DkimKeyParse_RsaModulusSize_AcceptedUpToMaxRsaKeyBits(int bits, bool accepted)
    {
        // A public key needs no primes: an odd modulus with its top bit set is enough to import and measure.
        var modulus = RandomNumberGenerator.GetBytes(bits / 8);
        modulus[0] |= 0x80;
        modulus[^1] |= 1;
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = [1, 0, 1] });
        var text = $"v=DKIM1; k=rsa; p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}";
        var record = DkimKeyRecord.Parse(text, out var error);
        Assert.Equal(accepted, record is not null);
        if (!accepted)
        {
            Assert.Equal($"{bits}-bit RSA key; at most {DkimKeyRecord.MaxRsaKeyBits} bits are accepted", error);
        }
    }

    [Fact]
    public void MailMessageParse_MoreFieldsThanTheLimit_MessageFormatException()
    {
        var limits = new MessageLimits();
        var header = new StringBuilder();
        for (var i = 0; i <= limits.MaxHeaderFields; i++)
        {
            header.Append("X-N: ").Append(i).Append("\r\n");
        }
        var raw = Encoding.ASCII.GetBytes(header.Append("\r\nbody\r\n").ToString());
        Assert.Throws<MessageFormatException>(() => MailMessage.Parse(raw, limits));
    }
}
