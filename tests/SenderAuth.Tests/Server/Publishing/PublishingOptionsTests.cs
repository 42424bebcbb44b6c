using System.Net;
using SenderAuth.Server.Publishing;

namespace SenderAuth.Tests.Server.Publishing;

[Trait("Layer", "server")]
public class PublishingOptionsTests
{
    private static readonly Rfc2136Options GoodRfc2136 = new()
    {
        Server = new IPEndPoint(IPAddress.Loopback, 53), Zone = "dkim.provider.example", TsigKeyName = "senderauth",
        TsigSecret = Convert.ToBase64String(new byte[32]),
    };

    [Fact]
    public void Defaults_AreValid()
    {
        new BuiltInDnsOptions().Validate();
        GoodRfc2136.Validate();
        new ZoneFileOptions { Path = Path.Combine(Path.GetTempPath(), "provider.zone") }.Validate();
    }

    [Fact]
    public void Rfc2136_EachBadSetting_NamedInTheMessage()
    {
        Assert.Contains("Rfc2136.Server", Assert.Throws<ArgumentException>(() => (GoodRfc2136 with { Server = null }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("Rfc2136.Zone", Assert.Throws<ArgumentException>(() => (GoodRfc2136 with { Zone = "" }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("Rfc2136.TsigKeyName", Assert.Throws<ArgumentException>(() => (GoodRfc2136 with { TsigKeyName = "" }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("hmac-sha256", Assert.Throws<ArgumentException>(() => (GoodRfc2136 with { TsigAlgorithm = "hmac-md5" }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("Rfc2136.TsigSecret", Assert.Throws<ArgumentException>(() => (GoodRfc2136 with { TsigSecret = "not base64!" }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("Rfc2136.Timeout", Assert.Throws<ArgumentException>(() => (GoodRfc2136 with { Timeout = TimeSpan.Zero }).Validate()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltIn_And_ZoneFile_BadSettings_Named()
    {
        Assert.Contains("BuiltInDns.NsNames", Assert.Throws<ArgumentException>(() => new BuiltInDnsOptions { NsNames = ["bad..name"] }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("BuiltInDns.MaxUdpPayload", Assert.Throws<ArgumentException>(() => new BuiltInDnsOptions { MaxUdpPayload = 100 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("BuiltInDns.SoaMailbox", Assert.Throws<ArgumentException>(() => new BuiltInDnsOptions { SoaMailbox = "a@" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("ZoneFile.Path", Assert.Throws<ArgumentException>(() => new ZoneFileOptions().Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => new ZoneFileOptions { Path = "/no/such/folder/z.zone" }.Validate()).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hostmaster@provider.example", "hostmaster.provider.example")]
    [InlineData("dns.admin@provider.example", "dns\\.admin.provider.example")]
    [InlineData("hostmaster.provider.example", "hostmaster.provider.example")]
    public void Mailbox_ToSoaRname(string mailbox, string rname) => Assert.Equal(rname, ZoneApex.MailboxToDomainName(mailbox));
}
