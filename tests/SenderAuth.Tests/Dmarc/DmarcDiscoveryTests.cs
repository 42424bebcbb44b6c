using SenderAuth.Dmarc;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dmarc;

/// <summary>RFC 9989 §4.10 tree walks, as tables of DNS data, expected queries and results.</summary>
[Trait("Layer", "engine")]
[Trait("Needs", "publicsuffix")]
public class DmarcDiscoveryTests
{
    private static DmarcDiscovery Discovery(string zoneText, out DnsQueryLog log, DmarcOptions? options = null)
    {
        log = new DnsQueryLog(new ZoneDnsResolver(ZoneFileParser.Parse(zoneText, "test")));
        return new DmarcDiscovery(log, options);
    }

    [Fact]
    public async Task FindPolicy_RecordAtAuthorDomain_OneQuery()
    {
        var d = Discovery("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"", out var log);
        var found = await d.FindPolicyAsync("example.com", TestContext.Current.CancellationToken);
        Assert.Equal("example.com", found.Domain);
        Assert.Equal(1, log.Count());
    }

    [Fact]
    public async Task FindPolicy_DeepName_ShortensToSevenLabelsAndStopsAtEightQueries()
    {
        var d = Discovery("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"", out var log);
        var found = await d.FindPolicyAsync("a.b.c.d.e.f.g.h.i.j.mail.example.com", TestContext.Current.CancellationToken);
        Assert.Equal("example.com", found.Domain);
        Assert.Equal(
            ["_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com", "_dmarc.g.h.i.j.mail.example.com", "_dmarc.h.i.j.mail.example.com",
             "_dmarc.i.j.mail.example.com", "_dmarc.j.mail.example.com", "_dmarc.mail.example.com", "_dmarc.example.com"],
            found.Queried);
        var none = await Discovery("", out var log2).FindPolicyAsync("a.b.c.d.e.f.g.h.i.j.mail.example.com", TestContext.Current.CancellationToken);
        Assert.Null(none.Record);
        Assert.Equal(8, log2.Count());
        Assert.Equal("_dmarc.com", log2.Entries[^1].Name);
    }

    [Theory]
    [InlineData("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n_dmarc.example.com. TXT \"v=DMARC1; p=none\"", null)]
    [InlineData("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n_dmarc.example.com. TXT \"some other text\"", "example.com")]
    [InlineData("_dmarc.example.com. TXT \"v=DMARC1; adkim=s\"", null)]
    [InlineData("_dmarc.example.com. TXT \"v=DMARC1; rua=mailto:r@example.com\"", "example.com")]
    public async Task FindPolicy_RecordSelection(string zone, string? expected)
    {
        var found = await Discovery(zone, out _).FindPolicyAsync("mail.example.com", TestContext.Current.CancellationToken);
        Assert.Equal(expected, found.Record is null ? null : found.Domain);
    }

    [Fact]
    public async Task FindPolicy_DnsFailure_IsTemporary()
    {
        var zone = new DnsZone();
        zone.AddTimeout("_dmarc.mail.example.com");
        var found = await new DmarcDiscovery(new ZoneDnsResolver(zone)).FindPolicyAsync("mail.example.com", TestContext.Current.CancellationToken);
        Assert.True(found.TemporaryFailure);
    }

    [Theory]
    // No records at all: the domain itself.
    [InlineData("", "mail.example.com", "mail.example.com")]
    // The record with the fewest labels wins.
    [InlineData("_dmarc.example.com. TXT \"v=DMARC1; p=none\"\n_dmarc.mail.example.com. TXT \"v=DMARC1; p=none\"", "a.mail.example.com", "example.com")]
    // psd=n marks the organizational domain, even below another record.
    [InlineData("_dmarc.example.com. TXT \"v=DMARC1; p=none\"\n_dmarc.mail.example.com. TXT \"v=DMARC1; p=none; psd=n\"", "a.mail.example.com", "mail.example.com")]
    // psd=y: the organizational domain is one label below the public suffix domain.
    [InlineData("_dmarc.gov.example. TXT \"v=DMARC1; p=reject; psd=y\"", "www.agency.gov.example", "agency.gov.example")]
    [InlineData("_dmarc.gov.example. TXT \"v=DMARC1; p=reject; psd=y\"", "agency.gov.example", "agency.gov.example")]
    public async Task OrganizationalDomain_TreeWalk(string zone, string domain, string expected) =>
        Assert.Equal(expected, await Discovery(zone, out _).OrganizationalDomainAsync(domain, TestContext.Current.CancellationToken));

    [Fact]
    public async Task OrganizationalDomain_PublicSuffixList_NoDnsAtAll()
    {
        var psl = PublicSuffixList.Parse(["// comment", "com", "uk", "co.uk", "*.ck", "!www.ck"]);
        var d = Discovery("", out var log, new DmarcOptions { PublicSuffixList = psl });
        Assert.Equal("example.co.uk", await d.OrganizationalDomainAsync("mail.example.co.uk", TestContext.Current.CancellationToken));
        Assert.Equal("example.com", await d.OrganizationalDomainAsync("a.b.example.com", TestContext.Current.CancellationToken));
        Assert.Equal("foo.bar.ck", await d.OrganizationalDomainAsync("x.foo.bar.ck", TestContext.Current.CancellationToken));
        Assert.Equal("www.ck", await d.OrganizationalDomainAsync("a.www.ck", TestContext.Current.CancellationToken));
        Assert.Equal(0, log.Count());
    }

    [Theory]
    [InlineData("co.uk", true)]
    [InlineData("uk", true)]
    [InlineData("example.co.uk", false)]
    [InlineData("bar.ck", true)]
    [InlineData("www.ck", false)]
    [InlineData("example.com", false)]
    [InlineData("CO.UK.", true)]
    [InlineData("example", true)]
    public void PublicSuffixList_IsPublicSuffix_ExactSuffixesOnly(string name, bool expected)
    {
        var psl = PublicSuffixList.Parse(["com", "uk", "co.uk", "*.ck", "!www.ck"]);
        Assert.Equal(expected, psl.IsPublicSuffix(name));
    }

    [Fact]
    public void PublicSuffixList_DebianCopy_GivesRegistrableDomains()
    {
        var psl = PublicSuffixList.Load(PublicSuffixFile.Require());
        Assert.Equal("bbc.co.uk", psl.OrganizationalDomain("news.bbc.co.uk"));
        Assert.Equal("example.github.io", psl.OrganizationalDomain("a.example.github.io"));
        Assert.Equal("mosamuseum.com", psl.OrganizationalDomain("tickets.mosamuseum.com"));
    }

    [Fact]
    public void PublicSuffixList_BuiltIn_RefusesSuffixesWithoutTheDebianPackage()
    {
        // The copy built into the engine: what `serve` uses on a machine without the publicsuffix package.
        var psl = PublicSuffixList.BuiltIn();
        Assert.True(psl.IsPublicSuffix("co.uk"));
        Assert.True(psl.IsPublicSuffix("github.io"));
        Assert.False(psl.IsPublicSuffix("mosamuseum.com"));
        Assert.Equal("bbc.co.uk", psl.OrganizationalDomain("news.bbc.co.uk"));
    }

    [Fact]
    public void PublicSuffixList_LoadOrBuiltIn_APathGivenIsRead()
    {
        var path = Path.Combine(Path.GetTempPath(), $"psl-{Guid.NewGuid():N}.dat");
        File.WriteAllLines(path, ["// a private list", "example"]);
        try
        {
            var psl = PublicSuffixList.LoadOrBuiltIn(path);
            Assert.True(psl.IsPublicSuffix("example"));
            Assert.False(psl.IsPublicSuffix("co.uk"));
            Assert.True(PublicSuffixList.LoadOrBuiltIn(null).IsPublicSuffix("co.uk"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
