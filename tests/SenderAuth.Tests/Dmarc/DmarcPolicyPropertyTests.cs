using SenderAuth.Dmarc;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dmarc;

/// <summary>
/// policy.dmarc in Authentication-Results is the evaluated policy, after sp/np and t=y are processed, not the
/// published p=. It used to say p= even under t=y (policy.dmarc=reject for a domain that asked only for
/// quarantine while testing); mailauth says quarantine, as the property's definition does.
/// </summary>
[Trait("Layer", "engine")]
public class DmarcPolicyPropertyTests
{
    [Theory]
    [InlineData("v=DMARC1; p=reject", "example.org", "reject", "reject")]
    [InlineData("v=DMARC1; p=reject; t=y", "example.org", "quarantine", "quarantine")]
    [InlineData("v=DMARC1; p=quarantine; t=y", "example.org", "none", "none")]
    [InlineData("v=DMARC1; p=none; t=y", "example.org", "none", "none")]
    [InlineData("v=DMARC1; p=reject; sp=quarantine; t=y", "news.example.org", "none", "none")]
    [InlineData("v=DMARC1; p=none; sp=none; np=reject; t=y", "ghost.example.org", "quarantine", "quarantine")]
    public async Task PolicyProperty_IsThePolicyAfterOptions(string record, string author, string applied, string property)
    {
        var zone = new DnsZone();
        zone.Add(new TxtRecord("_dmarc.example.org", 300, [record]));
        zone.Add(new AddressRecord("news.example.org", 300, System.Net.IPAddress.Parse("192.0.2.1")));
        var outcome = await new DmarcEvaluator(new ZoneDnsResolver(zone)).EvaluateAsync(author, null, null, TestContext.Current.CancellationToken);

        Assert.Equal(DmarcResult.Fail, outcome.Result);
        Assert.Equal(applied, outcome.AppliedPolicy.Token());
        var method = outcome.ToAuthResults();
        Assert.Contains(("policy", "dmarc", property), method.Properties);
        Assert.Contains($"policy.dmarc={property}", method.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyProperty_OnPass_UnderTesting_IsTheSofterPolicy()
    {
        var zone = new DnsZone();
        zone.Add(new TxtRecord("_dmarc.example.org", 300, ["v=DMARC1; p=reject; t=y"]));
        var spf = new SenderAuth.Spf.SpfOutcome { Result = SenderAuth.Spf.SpfResult.Pass, Reason = SenderAuth.Spf.SpfReason.MechanismMatched, Detail = "", Domain = "example.org",
            ClientIp = System.Net.IPAddress.Parse("192.0.2.1"), Sender = "bounce@example.org" };
        var outcome = await new DmarcEvaluator(new ZoneDnsResolver(zone)).EvaluateAsync("example.org", spf, null, TestContext.Current.CancellationToken);

        Assert.Equal(DmarcResult.Pass, outcome.Result);
        Assert.Equal(DmarcPolicy.Reject, outcome.RequestedPolicy);
        Assert.Equal(DmarcPolicy.Quarantine, outcome.EvaluatedPolicy);
        Assert.Contains(("policy", "dmarc", "quarantine"), outcome.ToAuthResults().Properties);
    }
}
