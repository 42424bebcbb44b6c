using SenderAuth.Check;
using SenderAuth.Dns;
using SenderAuth.Onboarding;

namespace SenderAuth.Tests.Check;

/// <summary>The domain check on every fixture, answered from the fixture zone files (fast; no server).</summary>
[Trait("Layer", "engine")]
public class DomainCheckTests
{
    private static readonly DnsZone Zone = CheckFixtures.Zones();

    [Theory]
    [MemberData(nameof(CheckFixtures.Cases), MemberType = typeof(CheckFixtures))]
    public async Task Check_Fixture_HasExactlyTheExpectedFindings(string domain, string code, string profile, string[] expected)
    {
        var report = await new DomainChecker(new ZoneDnsResolver(Zone)).CheckAsync(domain, CheckFixtures.LoadProfile(profile), code, TestContext.Current.CancellationToken);
        Assert.Equal(CheckFixtures.Sorted(expected), CheckFixtures.Describe(report));
    }

    [Fact]
    public async Task Check_LameNameServers_AreTemporaryNeverMissing()
    {
        var zone = CheckFixtures.Zones();
        zone.AddTimeout("lame.example");
        zone.AddTimeout("stxsel1._domainkey.lame.example");
        zone.AddServFail("stxsel2._domainkey.lame.example");
        zone.AddServFail("_dmarc.lame.example");
        var report = await new DomainChecker(new ZoneDnsResolver(zone)).CheckAsync("lame.example", CheckFixtures.LoadProfile(CheckFixtures.Profile), "mosa", TestContext.Current.CancellationToken);
        Assert.Equal(
            ["Dkim Error dns-unreachable temporary", "Dkim Error dns-unreachable temporary", "Dmarc Error dns-unreachable temporary", "Spf Error dns-unreachable temporary"],
            CheckFixtures.Describe(report));
        Assert.False(report.HasErrors);
        Assert.True(report.DnsIncomplete);
        Assert.Equal(AreaVerdict.Unknown, report.Verdict(CheckArea.Dkim));
        Assert.Empty(report.Records);
    }

    [Fact]
    public async Task Check_Good_VerdictsOkAndNothingToPublish()
    {
        var report = await new DomainChecker(new ZoneDnsResolver(Zone)).CheckAsync("GOOD.example.", CheckFixtures.LoadProfile(CheckFixtures.Profile), "mosa", TestContext.Current.CancellationToken);
        Assert.Equal("good.example", report.Domain);
        Assert.Equal([AreaVerdict.Ok, AreaVerdict.Ok, AreaVerdict.Ok, AreaVerdict.Ok], new[] { CheckArea.Spf, CheckArea.Dkim, CheckArea.Dmarc, CheckArea.MailFrom }.Select(report.Verdict));
        Assert.Empty(report.Records);
        Assert.False(report.HasErrors);
    }

    [Theory]
    [InlineData("twice.example", "stxsel1._domainkey.twice.example. 3600 IN CNAME sel1-mosa._domainkey.dkim.ticketing.example.")]
    [InlineData("swapped.example", "stxsel2._domainkey.swapped.example. 3600 IN CNAME sel2-mosa._domainkey.dkim.ticketing.example.")]
    [InlineData("noinclude.example", "noinclude.example. 3600 IN TXT \"v=spf1 ip4:198.51.100.0/24 include:spf.ticketing.example -all\"")]
    [InlineData("type99.example", "type99.example. 3600 IN TXT \"v=spf1 include:spf.ticketing.example ~all\"")]
    [InlineData("twospf.example", "twospf.example. 3600 IN TXT \"v=spf1 include:spf.ticketing.example mx ~all\"")]
    [InlineData("nodmarc.example", "_dmarc.nodmarc.example. 3600 IN TXT \"v=DMARC1; p=none; rua=mailto:mosa@rua.ticketing.example\"")]
    [InlineData("ruanotours.example", "_dmarc.ruanotours.example. 3600 IN TXT \"v=DMARC1; p=quarantine; rua=mailto:mosa@rua.ticketing.example,mailto:dmarc@ruanotours.example\"")]
    public async Task Check_Diagnosis_PrintsTheRecordToPublish(string domain, string line)
    {
        var report = await new DomainChecker(new ZoneDnsResolver(Zone)).CheckAsync(domain, CheckFixtures.LoadProfile(CheckFixtures.Profile), "mosa", TestContext.Current.CancellationToken);
        Assert.Contains(line, report.Records.Select(r => r.ZoneLine));
    }

    [Fact]
    public async Task Check_Findings_CarryObservedExpectedAndAdvice()
    {
        var report = await new DomainChecker(new ZoneDnsResolver(Zone)).CheckAsync("twice.example", CheckFixtures.LoadProfile(CheckFixtures.Profile), "mosa", TestContext.Current.CancellationToken);
        var f = Assert.Single(report.Findings, x => x.Code == "dkim-zone-appended-twice");
        Assert.Equal("stxsel1._domainkey.twice.example.twice.example", f.Observed);
        Assert.Equal("stxsel1._domainkey.twice.example CNAME sel1-mosa._domainkey.dkim.ticketing.example", f.Expected);
        Assert.Contains("\"stxsel1._domainkey\"", f.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", AreaVerdict.Ok)]
    [InlineData("info", AreaVerdict.Ok)]
    [InlineData("info warning", AreaVerdict.Warning)]
    [InlineData("warning temporary", AreaVerdict.Unknown)]
    [InlineData("temporary error", AreaVerdict.Error)]     // an answered error wins over "could not check"
    [InlineData("temporary", AreaVerdict.Unknown)]         // a temporary error alone is never "error"
    public void VerdictOf_Findings_ErrorThenUnknownThenWarning(string findings, AreaVerdict expected)
    {
        var list = findings.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w switch
        {
            "info" => new CheckFinding(CheckArea.Spf, FindingSeverity.Info, "spf-softfail-all", "move to -all"),
            "warning" => new CheckFinding(CheckArea.Spf, FindingSeverity.Warning, "spf-ptr", "replace ptr"),
            "error" => new CheckFinding(CheckArea.Spf, FindingSeverity.Error, "spf-missing", "publish it"),
            _ => new CheckFinding(CheckArea.Spf, FindingSeverity.Error, "dns-unreachable", "check again") { Temporary = true },
        }).ToList();
        Assert.Equal(expected, DomainCheckReport.VerdictOf(list));
        Assert.Equal(expected, new DomainCheckReport("mosa.example", "mosa", list, []).Verdict(CheckArea.Spf));
        Assert.Equal(AreaVerdict.Ok, new DomainCheckReport("mosa.example", "mosa", list, []).Verdict(CheckArea.Dkim));
    }

    [Fact]
    public async Task Check_InvalidDomain_Throws()
    {
        var checker = new DomainChecker(new ZoneDnsResolver(Zone));
        await Assert.ThrowsAsync<ArgumentException>(() => checker.CheckAsync("localhost", CheckFixtures.LoadProfile(CheckFixtures.Profile), "mosa", TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("v=spf1 mx -all", "v=spf1 mx include:spf.t.example -all")]
    [InlineData("v=spf1 mx ~all", "v=spf1 mx include:spf.t.example ~all")]
    [InlineData("v=spf1 mx", "v=spf1 mx include:spf.t.example ~all")]
    [InlineData("v=spf1 a redirect=_spf.x.example", "v=spf1 a include:spf.t.example redirect=_spf.x.example")]
    [InlineData("v=spf1 include:spf.t.example -all", "v=spf1 include:spf.t.example -all")]
    [InlineData("v=spf1  ip4:192.0.2.1   ?all", "v=spf1 ip4:192.0.2.1 include:spf.t.example ?all")]
    [InlineData("v=spf1", "v=spf1 include:spf.t.example ~all")]
    public void MergeInclude_AddsOnceBeforeAllOrRedirect(string record, string expected) =>
        Assert.Equal(expected, SpfMerge.MergeInclude(record, "spf.t.example"));
}
