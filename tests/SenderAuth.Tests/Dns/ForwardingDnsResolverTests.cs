using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

[Trait("Layer", "engine")]
public class ForwardingDnsResolverTests
{
    private static ZoneDnsResolver Zone(string text) => new(ZoneFileParser.Parse(text));

    private static readonly ZoneDnsResolver Institution = Zone("""
        $ORIGIN mosa.example.
        @ 300 IN TXT "v=spf1 include:spf.provider.example ~all"
        stxsel1._domainkey 300 IN CNAME sel1-mosa._domainkey.dkim.provider.example.
        loop 300 IN CNAME loop.dkim.provider.example.
        """);

    private static readonly ZoneDnsResolver Provider = Zone("""
        $ORIGIN provider.example.
        sel1-mosa._domainkey.dkim 300 IN TXT "v=DKIM1; k=rsa; p=AAAA"
        spf 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
        loop.dkim 300 IN CNAME loop.mosa.example.
        """);

    private static ForwardingDnsResolver Resolver() =>
        new(Institution, [new KeyValuePair<string, IDnsResolver>("provider.example", Provider)]);

    [Fact]
    public async Task Names_in_a_forward_zone_go_to_its_resolver()
    {
        var answer = await Resolver().QueryAsync("SPF.provider.example.", DnsRecordType.Txt);
        Assert.Equal("v=spf1 ip4:192.0.2.0/24 -all", Assert.Single(answer.Of<TxtRecord>()).Text);
        var other = await Resolver().QueryAsync("mosa.example", DnsRecordType.Txt);
        Assert.StartsWith("v=spf1 include:", Assert.Single(other.Of<TxtRecord>()).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cname_into_another_servers_zone_is_followed()
    {
        var answer = await Resolver().QueryAsync("stxsel1._domainkey.mosa.example", DnsRecordType.Txt);
        Assert.Equal(DnsStatus.NoError, answer.Status);
        Assert.Equal("v=DKIM1; k=rsa; p=AAAA", Assert.Single(answer.Of<TxtRecord>()).Text);
    }

    [Fact]
    public async Task The_cname_itself_is_answered_when_asked_for()
    {
        var answer = await Resolver().QueryAsync("stxsel1._domainkey.mosa.example", DnsRecordType.Cname);
        Assert.Equal("sel1-mosa._domainkey.dkim.provider.example", Assert.Single(answer.Of<CnameRecord>()).Target);
    }

    [Fact]
    public async Task A_cname_loop_between_servers_ends_after_the_link_limit()
    {
        var answer = await Resolver().QueryAsync("loop.mosa.example", DnsRecordType.Txt);
        Assert.True(answer.IsEmpty || answer.IsTemporaryFailure);
        Assert.Empty(answer.Records);
    }

    [Fact]
    public async Task A_missing_name_stays_missing()
    {
        var answer = await Resolver().QueryAsync("nothing.mosa.example", DnsRecordType.Txt);
        Assert.Equal(DnsStatus.NxDomain, answer.Status);
    }
}
