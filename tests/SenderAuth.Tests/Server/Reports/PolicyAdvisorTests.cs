using SenderAuth.Server.Reports;
using SenderAuth.Store.Reports;
using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>The advisor's ladder and records, on hand-made aggregates.</summary>
[Trait("Layer", "server")]
public sealed class PolicyAdvisorTests
{
    private static readonly DateTime Day = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static AttributedSource Ours(long messages, long pass) =>
        new(new SourceAggregate("203.0.113.10", messages, pass, pass, 0, pass, messages, 0, Day, Day, ["google.com"], [], []), SourceCategory.Platform, null, null);

    private static PolicyAdvice Advise(string? dmarc, string? spf = "v=spf1 include:spf.example ~all", bool testing = false, int days = 30, long messages = 10_000, long pass = 10_000) =>
        PolicyAdvisor.Advise("example.org", [Ours(messages, pass)], days, [], dmarc, spf, "v=DMARC1; p=none; rua=mailto:r@rua.example", null,
            new AdvisorOptions { UseTestingMode = testing });

    [Theory]
    [InlineData("v=DMARC1; p=none; rua=mailto:r@rua.example", false, "p=quarantine", "v=DMARC1; p=quarantine; rua=mailto:r@rua.example")]
    [InlineData("v=DMARC1; p=quarantine; rua=mailto:r@rua.example", false, "p=reject", "v=DMARC1; p=reject; rua=mailto:r@rua.example")]
    [InlineData("v=DMARC1; p=none; rua=mailto:r@rua.example", true, "p=quarantine; t=y", "v=DMARC1; p=quarantine; rua=mailto:r@rua.example; t=y")]
    [InlineData("v=DMARC1; p=quarantine; t=y; rua=mailto:r@rua.example", true, "p=quarantine", "v=DMARC1; p=quarantine; rua=mailto:r@rua.example")]
    [InlineData("v=DMARC1; p=quarantine; pct=20; rua=mailto:r@rua.example", false, "p=quarantine", "v=DMARC1; p=quarantine; rua=mailto:r@rua.example")]
    [InlineData("v=DMARC1;p=none;sp=reject;adkim=s", false, "p=quarantine", "v=DMARC1; p=quarantine; sp=reject; adkim=s")]
    public void The_dmarc_ladder_gives_the_next_step_and_its_exact_record(string current, bool testing, string next, string record)
    {
        var advice = Advise(current, testing: testing).Dmarc;
        Assert.True(advice.Ready);
        Assert.Equal(next, advice.Next);
        Assert.Equal(record, advice.Record);
        Assert.Equal("_dmarc.example.org", advice.RecordName);
    }

    [Fact]
    public void At_reject_there_is_no_next_step()
    {
        var advice = Advise("v=DMARC1; p=reject").Dmarc;
        Assert.Null(advice.Next);
        Assert.Null(advice.Record);
    }

    [Fact]
    public void Without_a_record_the_starting_record_is_the_advice()
    {
        var advice = Advise(null).Dmarc;
        Assert.Equal("p=none", advice.Next);
        Assert.Equal("v=DMARC1; p=none; rua=mailto:r@rua.example", advice.Record);
    }

    [Fact]
    public void Thresholds_block_with_reasons()
    {
        var advice = Advise("v=DMARC1; p=none", days: 12, messages: 500, pass: 490);
        Assert.False(advice.Dmarc.Ready);
        Assert.Equal(3, advice.Dmarc.Blockers.Count);
        Assert.Contains(advice.Dmarc.Blockers, b => b.Contains("12 day(s)", StringComparison.Ordinal));
        Assert.Contains(advice.Dmarc.Blockers, b => b.Contains("500 legitimate messages", StringComparison.Ordinal));
        Assert.Contains(advice.Dmarc.Blockers, b => b.Contains("98%", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("v=spf1 include:spf.example ~all", "-all", "v=spf1 include:spf.example -all", true)]
    [InlineData("v=spf1 include:spf.example ?all", "-all", "v=spf1 include:spf.example -all", true)]
    [InlineData("v=spf1 include:spf.example +all", "-all", "v=spf1 include:spf.example -all", true)]
    [InlineData("v=spf1 include:spf.example", "-all", "v=spf1 include:spf.example -all", true)]
    [InlineData("v=spf1 include:spf.example -all", null, null, false)]
    [InlineData("v=spf1 ip4:192.0.2.0/24 ~all exp=explain.example", "-all", "v=spf1 ip4:192.0.2.0/24 -all exp=explain.example", true)]
    public void The_spf_step_rewrites_only_the_all_term(string current, string? next, string? record, bool ready)
    {
        var advice = Advise("v=DMARC1; p=none", current).Spf;
        Assert.Equal(next, advice.Next);
        Assert.Equal(record, advice.Record);
        Assert.Equal(ready, advice.Ready);
    }

    [Fact]
    public void A_third_party_is_told_which_integration_fits()
    {
        AttributedSource Third(string ip, long dkimPass, long spfPass) =>
            new(new SourceAggregate(ip, 100, 0, 0, 0, dkimPass, spfPass, 0, Day, Day, [], dkimPass > 0 ? ["esp.example"] : [], []), SourceCategory.ThirdParty, ip, null);
        var advice = PolicyAdvisor.Advise("example.org", [Ours(10_000, 10_000), Third("192.0.2.1", 100, 0), Third("192.0.2.2", 0, 100), Third("192.0.2.3", 0, 0)], 30, [],
            "v=DMARC1; p=none", null, "v=DMARC1; p=none", new Dictionary<string, int> { ["s1._domainkey.esp.example"] = 768 }, new AdvisorOptions());
        var byIp = advice.ThirdParties.ToDictionary(t => t.Name);
        Assert.Equal(ThirdPartyIntegration.OwnSubdomain, byIp["192.0.2.1"].Integration);
        Assert.Contains("a DKIM key of at least 1024 bits (s1._domainkey.esp.example has 768)", byIp["192.0.2.1"].Lacks);
        Assert.Equal(ThirdPartyIntegration.Relay, byIp["192.0.2.2"].Integration);
        Assert.Equal(ThirdPartyIntegration.OwnDomainFrom, byIp["192.0.2.3"].Integration);
    }

    [Theory]
    [InlineData("192.0.2.7/24", "192.0.2.0/24")]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    [InlineData("2001:db8::1/32", "2001:db8::/32")]
    public void Declared_networks_are_read_as_people_write_them(string written, string network) =>
        Assert.Equal(network, SourceAttribution.Network(written).ToString());

    [Fact]
    public void Reconciliation_reports_coverage_per_reporter()
    {
        var r = Reconciliation.Compute([new("google.com", Day, 400), new("yahoo.com", Day, 100), new("yahoo.com", Day.AddDays(1), 1000)],
            [new("s1", Day, 1000), new("s1", Day.AddDays(1), 500)], 0.05);
        Assert.Equal(0.4, r.Reporters.Single(x => x.Reporter == "google.com").Coverage);
        Assert.Equal(1500, r.Reporters.Single(x => x.Reporter == "yahoo.com").Signed);
        Assert.Equal([new ExcessDay("yahoo.com", Day.AddDays(1), 1000, 500)], r.Excess);
    }

    [Fact]
    public void A_record_ending_in_redirect_gets_no_all_appended_and_is_pointed_at_the_target()
    {
        // RFC 7208 §6.1: with "all" present, "redirect" is ignored, so "-all" appended here would drop the target's policy.
        var advice = Advise("v=DMARC1; p=none", "v=spf1 ip4:192.0.2.0/24 redirect=_spf.esp.example").Spf;
        Assert.Equal("redirect=_spf.esp.example", advice.Current);
        Assert.Null(advice.Next);
        Assert.Null(advice.Record);
        Assert.False(advice.Ready);
        Assert.Contains(advice.Blockers, b => b.Contains("record at _spf.esp.example", StringComparison.Ordinal));
    }

    [Fact]
    public void An_invalid_spf_record_is_not_rewritten()
    {
        var advice = Advise("v=DMARC1; p=none", "v=spf1 include: ~all").Spf;
        Assert.Null(advice.Next);
        Assert.Null(advice.Record);
        Assert.Contains(advice.Blockers, b => b.Contains("invalid", StringComparison.Ordinal));
    }

    [Fact]
    public void The_dmarc_ladder_climbs_none_to_quarantine_to_reject_and_stops()
    {
        var record = "v=DMARC1; p=none; rua=mailto:r@rua.example";
        var steps = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            var advice = Advise(record).Dmarc;
            steps.Add(advice.Next);
            record = advice.Record ?? record;
        }
        Assert.Equal(["p=quarantine", "p=reject", null], steps);
        Assert.Equal("v=DMARC1; p=reject; rua=mailto:r@rua.example", record);
    }
}
