using SenderAuth.Dmarc;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dmarc;

[Trait("Layer", "engine")]
public class DmarcLinterTests
{
    private const string Zone = """
        _dmarc.good.example.            TXT "v=DMARC1; p=reject; rua=mailto:mosa@rua.esp.example"
        good.example._report._dmarc.rua.esp.example. TXT "v=DMARC1"
        _dmarc.unauth.example.          TXT "v=DMARC1; p=none; rua=mailto:mosa@rua.esp.example,mailto:d@unauth.example"
        _dmarc.twice.example.           TXT "v=DMARC1; p=none"
        _dmarc.twice.example.           TXT "v=DMARC1; p=reject"
        apex.example.                   TXT "v=DMARC1; p=reject"
        _dmarc.parent.example.          TXT "v=DMARC1; p=quarantine; rua=mailto:d@parent.example"
        """;

    private static Task<DmarcLintReport> Lint(string domain) =>
        new DmarcLinter(new ZoneDnsResolver(ZoneFileParser.Parse(Zone, "test"))).LintDomainAsync(domain, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Lint_AuthorizedExternalDestination_NoError()
    {
        var r = await Lint("good.example");
        Assert.False(r.HasErrors);
        Assert.DoesNotContain(r.Findings, i => i.Code == "external-destination-unauthorized");
    }

    [Theory]
    [InlineData("unauth.example", "external-destination-unauthorized")]
    [InlineData("twice.example", "multiple-records")]
    [InlineData("apex.example", "wrong-name")]
    [InlineData("nothing.example", "no-record")]
    [InlineData("sub.parent.example", "inherited")]
    public async Task Lint_Problems(string domain, string code) =>
        Assert.Contains((await Lint(domain)).Findings, i => i.Code == code);

    [Fact]
    public async Task Lint_InternalDestinationOnly_NotChecked()
    {
        var r = await Lint("unauth.example");
        Assert.Single(r.Findings, i => i.Code == "external-destination-unauthorized");
    }
}
