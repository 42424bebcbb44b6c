using System.Net;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

[Trait("Layer", "engine")]
public class ZoneDnsResolverTests
{
    private static ZoneDnsResolver Resolver()
    {
        var zone = new DnsZone();
        zone.Add(new TxtRecord("example.com", 300, ["v=spf1 ", "-all"]));
        zone.Add(new AddressRecord("a.b.example.com", 60, IPAddress.Parse("192.0.2.1")));
        zone.Add(new CnameRecord("alias.example.com", 30, "a.b.example.com"));
        zone.Add(new CnameRecord("loop1.example.com", 30, "loop2.example.com"));
        zone.Add(new CnameRecord("loop2.example.com", 30, "loop1.example.com"));
        zone.AddTimeout("slow.example.com");
        return new ZoneDnsResolver(zone);
    }

    [Fact]
    public async Task QueryAsync_ExistingTxt_JoinsStringsAndReportsTtl()
    {
        var answer = await Resolver().QueryAsync("EXAMPLE.com.", DnsRecordType.Txt);
        Assert.Equal(DnsStatus.NoError, answer.Status);
        Assert.Equal("v=spf1 -all", Assert.Single(answer.Of<TxtRecord>()).Text);
        Assert.Equal(TimeSpan.FromSeconds(300), answer.Ttl);
    }

    [Theory]
    [InlineData("example.com", DnsRecordType.A, DnsStatus.NoData)]
    [InlineData("b.example.com", DnsRecordType.A, DnsStatus.NoData)]
    [InlineData("nowhere.example.com", DnsRecordType.A, DnsStatus.NxDomain)]
    [InlineData("slow.example.com", DnsRecordType.Txt, DnsStatus.Timeout)]
    [InlineData("loop1.example.com", DnsRecordType.A, DnsStatus.ServFail)]
    [InlineData("alias.example.com", DnsRecordType.A, DnsStatus.NoError)]
    public async Task QueryAsync_Status_IsData(string name, DnsRecordType type, DnsStatus expected)
    {
        var answer = await Resolver().QueryAsync(name, type);
        Assert.Equal(expected, answer.Status);
    }
}
