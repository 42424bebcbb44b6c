using System.Net;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Spf;

/// <summary>RFC 7208 §7.4's examples, verbatim.</summary>
[Trait("Layer", "engine")]
public class SpfMacroTests
{
    [Theory]
    [InlineData("%{s}", "strong-bad@email.example.com")]
    [InlineData("%{o}", "email.example.com")]
    [InlineData("%{d}", "email.example.com")]
    [InlineData("%{d4}", "email.example.com")]
    [InlineData("%{d3}", "email.example.com")]
    [InlineData("%{d2}", "example.com")]
    [InlineData("%{d1}", "com")]
    [InlineData("%{dr}", "com.example.email")]
    [InlineData("%{d2r}", "example.email")]
    [InlineData("%{l}", "strong-bad")]
    [InlineData("%{l-}", "strong.bad")]
    [InlineData("%{lr}", "strong-bad")]
    [InlineData("%{lr-}", "bad.strong")]
    [InlineData("%{l1r-}", "strong")]
    [InlineData("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com")]
    [InlineData("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com")]
    [InlineData("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net")]
    [InlineData("%%%_%-", "% %20")]
    [InlineData("%{L}", "strong-bad")]
    public async Task Expand_Rfc7208Examples_Ipv4(string macro, string expected) =>
        Assert.Equal(expected, await Expand(macro, "192.0.2.3"));

    [Fact]
    public async Task Expand_Rfc7208Example_Ipv6Nibbles() =>
        Assert.Equal("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
            await Expand("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01"));

    [Fact]
    public async Task Expand_UpperCaseLetter_UrlEscapes() =>
        Assert.Equal("jack%26jill%3Dup", await Expand("%{L}", "192.0.2.3", "jack&jill=up@example.com"));

    private static async Task<string> Expand(string macro, string ip, string sender = "strong-bad@email.example.com")
    {
        var evaluator = new SpfEvaluator(new ZoneDnsResolver(new DnsZone()));
        var check = new SpfCheck(evaluator, IPAddress.Parse(ip), sender, "mx.example.org") { Domain = "email.example.com" };
        var parsed = SpfMacroString.TryParse(macro, 1, allowSpace: false, out var error);
        Assert.Null(error);
        return (await parsed!.ExpandAsync(check, CancellationToken.None))!;
    }
}
