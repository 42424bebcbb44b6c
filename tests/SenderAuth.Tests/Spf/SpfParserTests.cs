using System.Net;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Spf;

[Trait("Layer", "engine")]
public class SpfParserTests
{
    [Fact]
    public void Parse_FullRecord_ReadsEveryTerm()
    {
        var record = SpfParser.Parse("v=spf1 +a mx/24 -ptr:Example.com ~ip4:192.0.2.0/24 ?ip6:2001:db8::/32 a:%{d}//64 exists:%{i}.x.example include:_spf.example.net redirect=x.example exp=why.example foo=bar -all", out var error);
        Assert.Null(error);
        Assert.NotNull(record);
        Assert.Equal(
            ["a", "mx", "ptr", "ip4", "ip6", "a", "exists", "include", "all"],
            record.Mechanisms.Select(m => m.Name));
        Assert.Equal(SpfQualifier.Fail, record.Mechanisms[2].Qualifier);
        Assert.Equal(24, record.Mechanisms[1].Cidr4);
        Assert.Equal(IPAddress.Parse("192.0.2.0"), record.Mechanisms[3].Network);
        Assert.Equal(32, record.Mechanisms[4].Cidr6);
        Assert.Equal(64, record.Mechanisms[5].Cidr6);
        Assert.Equal(32, record.Mechanisms[5].Cidr4);
        Assert.Equal("x.example", record.Redirect?.Value.Text);
        Assert.Equal("why.example", record.Explanation?.Value.Text);
        Assert.Equal("foo", Assert.Single(record.OtherModifiers).Name);
        Assert.Equal(7, record.DnsQueryingTerms);
    }

    [Theory]
    [InlineData("v=spf1 foo", 8, "unknown mechanism")]
    [InlineData("v=spf1 a -all:foo", 14, "takes no argument")]
    [InlineData("v=spf1 ip4:192.0.2.1/33", 21, "invalid CIDR")]
    [InlineData("v=spf1 ip4:192.0.2.01", 12, "is not an IPv4 address")]
    [InlineData("v=spf1 ip4:1.2.3", 12, "is not an IPv4 address")]
    [InlineData("v=spf1 ip6:192.0.2.1", 12, "is not an IPv6 address")]
    [InlineData("v=spf1 a:example.123", 10, "top-level label")]
    [InlineData("v=spf1 include:", 16, "empty domain-spec")]
    [InlineData("v=spf1 exists:%{x}.example.com", 15, "unknown macro letter")]
    [InlineData("v=spf1 a:%{d0}.example.com", 10, "non-zero")]
    [InlineData("v=spf1 a:%{d", 10, "not closed")]
    [InlineData("v=spf1 a:%x.example.com", 10, "is not a macro")]
    [InlineData("v=spf1 redirect=a.example redirect=b.example", 27, "more than once")]
    [InlineData("v=spf1 exists:%{c}.example.com", 15, "explanation text")]
    [InlineData("v=spf1 a/24/64", 9, "invalid CIDR")]
    [InlineData("v=spf1 ptr:example.com/24", 12, "top-level label")]
    [InlineData("v=spf1 a:ctrl.example.com\rptr", 26, "not allowed")]
    [InlineData("v=spf", 1, "does not start")]
    public void Parse_InvalidRecord_ReportsColumnAndReason(string text, int column, string reason)
    {
        Assert.Null(SpfParser.Parse(text, out var error));
        Assert.NotNull(error);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal(column, error.Position);
    }

    [Theory]
    [InlineData("v=spf1", true)]
    [InlineData("V=SPF1 -all", true)]
    [InlineData("v=spf1-all", false)]
    [InlineData("v=spf10 -all", false)]
    [InlineData(" v=spf1 -all", false)]
    public void IsSpfRecord_VersionMustEndAtSpaceOrEnd(string text, bool expected) =>
        Assert.Equal(expected, SpfParser.IsSpfRecord(text));

    [Fact]
    public void Parse_MacroDelimiterSlash_IsNotTakenForCidr()
    {
        var record = SpfParser.Parse("v=spf1 a:%{l/}.example.com/24", out var error);
        Assert.Null(error);
        Assert.Equal("%{l/}.example.com", record!.Mechanisms[0].DomainSpec!.Text);
        Assert.Equal(24, record.Mechanisms[0].Cidr4);
    }
}
