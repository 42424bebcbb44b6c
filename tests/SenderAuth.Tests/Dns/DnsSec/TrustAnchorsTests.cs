using SenderAuth.Dns;
using SenderAuth.Dns.DnsSec;

namespace SenderAuth.Tests.Dns.DnsSec;

/// <summary>Trust-anchor files in unbound's trust-anchor-file format (zone-file syntax, DS or DNSKEY).</summary>
[Trait("Layer", "engine")]
public class TrustAnchorsTests
{
    [Fact]
    public void Parse_UnboundStyleFile_DsAndDnskeyPerZone()
    {
        var anchors = TrustAnchors.Parse("""
            ; test anchors
            $ORIGIN test.
            dnssec 3600 IN DS 29078 13 2 ( 101f6280455ca0f188a398f8
                                           ab21aa24d2eec9586743a4644601727e43316803 )
            other.example. DNSKEY 257 3 15 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
            """);
        Assert.Equal(["dnssec.test", "other.example"], anchors.Zones.Select(z => z.Text).Order());
        var ds = Assert.Single(anchors.For(WireName.Parse("dnssec.test")).Ds);
        Assert.Equal((29078, 13, 2, "101F6280455CA0F188A398F8AB21AA24D2EEC9586743A4644601727E43316803"),
            ((int)ds.KeyTag, (int)ds.Algorithm, (int)ds.DigestType, Convert.ToHexString(ds.Digest)));
        var key = Assert.Single(anchors.For(WireName.Parse("other.example")).Keys);
        Assert.Equal((257, 15, 32), ((int)key.Flags, (int)key.Algorithm, key.PublicKey.Length));
        Assert.Equal("dnssec.test", anchors.Closest(WireName.Parse("a.b.dnssec.test"))?.Text);
        Assert.Null(anchors.Closest(WireName.Parse("example")));
    }

    [Fact]
    public void Parse_KnotKeymgrOutput_Accepted()
    {
        // What tests/servers/unbound/start.sh writes (keymgr ds), the file unbound reads.
        var anchors = TrustAnchors.Parse("dnssec.test. DS 29078 13 2 101f6280455ca0f188a398f8ab21aa24d2eec9586743a4644601727e43316803\n");
        Assert.Single(anchors.For(WireName.Parse("dnssec.test")).Ds);
    }

    [Theory]
    [InlineData("example. IN A 192.0.2.1", 1, 13, "'A' is not a trust anchor: expected DS or DNSKEY")]
    [InlineData("example. DS 1 13 2 zz", 1, 20, "DS digest is not hexadecimal")]
    [InlineData("example. DS 1 13 2 abcd", 1, 20, "DS digest of 2 octets, digest type 2 has 32")]
    [InlineData("example. DS 70000 13 2 abcd", 1, 13, "invalid key tag '70000' (0-65535)")]
    [InlineData("example. DS 1 13", 1, 18, "missing DS digest type")]
    [InlineData("example. DNSKEY 257 2 13 AAAA", 1, 21, "DNSKEY protocol must be 3 (RFC 4034 §2.1.2)")]
    [InlineData("example. DNSKEY 257 3 13 !!!!", 1, 26, "DNSKEY public key is not base64")]
    [InlineData("\n  example DS 1 13 2 abcd", 2, 3, "no previous owner for a line starting with blank")]
    [InlineData("example DS 1 13 2 abcd", 1, 1, "relative name 'example' used before any $ORIGIN")]
    [InlineData("$INCLUDE other", 1, 1, "unknown directive '$INCLUDE'")]
    [InlineData("; nothing\n", 1, 1, "no DS or DNSKEY record: a trust anchor file needs at least one")]
    [InlineData("example. DS ( 1 13 2 abcd", 1, 13, "'(' not closed before end of file")]
    public void Parse_Invalid_LineAndColumn(string text, int line, int column, string reason)
    {
        var e = Assert.Throws<ZoneFileException>(() => TrustAnchors.Parse(text, "anchors.txt"));
        Assert.Equal((line, column, reason), (e.Line, e.Column, e.Reason));
        Assert.StartsWith($"anchors.txt:{line}:{column}: ", e.Message, StringComparison.Ordinal);
    }
}
