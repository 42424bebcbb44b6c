using SenderAuth.Spf;

namespace SenderAuth.Bench;

/// <summary>
/// A museum sending through three ESPs, shaped like real published policies: 7 DNS-querying terms per
/// check (3 top-level includes; the ticketing ESP adds include, a and mx; the Google-style one a _netblocks
/// include), no void lookups. The passing IP sits in the last range of the last include, so a pass walks the
/// whole tree just as a softfail does: the realistic worst case under the 10-lookup limit.
/// </summary>
public static class EspPolicy
{
    public const string Domain = "mosamuseum.com";
    public const string PassIp = "69.72.40.93";
    public const string SoftFailIp = "192.0.2.55";

    public static BenchPolicy Create() => new(
        Domain,
        "tickets@" + Domain,
        "mail.mosamuseum.com",
        [
            new PolicyCase("pass", PassIp, SpfResult.Pass, 7),
            new PolicyCase("softfail", SoftFailIp, SpfResult.SoftFail, 7),
        ],
        [
            Txt(Domain, "v=spf1 include:spf.ticketing.example include:_spf.google.example include:mailgun.example ~all"),
            Txt("spf.ticketing.example",
                "v=spf1 include:_netblocks1.ticketing.example ip4:198.51.100.0/26 ip6:2001:db8:100::/48 a:out.ticketing.example mx:ticketing.example -all"),
            Txt("_netblocks1.ticketing.example",
                "v=spf1 ip4:203.0.113.0/27 ip4:203.0.113.64/27 ip4:198.18.0.0/24 ip6:2001:db8:101::/48 ip6:2001:db8:102::/48 -all"),
            new PolicyRecord("out.ticketing.example", "A", ["198.51.100.200", "198.51.100.201"]),
            new PolicyRecord("ticketing.example", "MX", ["mx1.ticketing.example"], 10),
            new PolicyRecord("ticketing.example", "MX", ["mx2.ticketing.example"], 20),
            new PolicyRecord("mx1.ticketing.example", "A", ["198.51.100.210"]),
            new PolicyRecord("mx2.ticketing.example", "A", ["198.51.100.211"]),
            Txt("_spf.google.example", "v=spf1 include:_netblocks.google.example ~all"),
            // Longer than 255 octets, so published as several character-strings, as large ESP records are.
            Txt("_netblocks.google.example",
                "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 ip4:66.249.80.0/20 ip4:72.14.192.0/18 " +
                "ip4:74.125.0.0/16 ip4:108.177.8.0/21 ip4:173.194.0.0/16 ip4:209.85.128.0/17 ip4:216.58.192.0/19 " +
                "ip4:216.239.32.0/19 ip4:172.217.0.0/19 ip4:172.217.32.0/20 ip4:172.253.56.0/21 ip4:108.177.96.0/19 " +
                "ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ip6:2607:f8b0:4000::/36 ip6:2800:3f0:4000::/36 " +
                "ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 ~all"),
            Txt("mailgun.example",
                "v=spf1 ip4:209.61.151.0/24 ip4:166.78.68.0/22 ip4:198.61.254.0/23 ip4:192.237.158.0/23 ip4:23.253.182.0/23 " +
                "ip4:104.130.96.0/28 ip4:146.20.113.0/24 ip4:146.20.191.0/24 ip4:159.135.224.0/20 ip4:69.72.32.0/20 ~all"),
        ]);

    /// <summary>A TXT record cut into 255-octet character-strings (RFC 7208 §3.3).</summary>
    private static PolicyRecord Txt(string name, string text) =>
        new(name, "TXT", text.Chunk(255).Select(c => new string(c)).ToList());
}
