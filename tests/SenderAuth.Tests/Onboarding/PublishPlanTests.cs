using SenderAuth.Json;
using System.Text.Json;
using SenderAuth.Check;
using SenderAuth.Dns;
using SenderAuth.Onboarding;
using SenderAuth.Server.Http;
using SenderAuth.Tests.Check;

namespace SenderAuth.Tests.Onboarding;

/// <summary>The one decision of what an institution publishes: the plan alone, and the check and the plan agreeing.</summary>
[Trait("Layer", "engine")]
public class PublishPlanTests
{
    private static readonly ProviderProfile Profile = CheckFixtures.LoadProfile(CheckFixtures.Profile);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DnsZone ZoneOf(string text)
    {
        var zone = new DnsZone();
        ZoneFileParser.ParseInto(zone, text);
        return zone;
    }

    [Fact]
    public void Spf_SeveralRecords_MergedTheSameWhateverTheRrsetOrder()
    {
        string[] records = ["v=spf1 mx -all", "v=spf1 ip4:192.0.2.0/24 include:_spf.other.example ~all", "v=spf1 a ~all"];
        var values = new[] { records, records.Reverse().ToArray(), [records[1], records[0], records[2]] }
            .Select(r => PublishPlan.Spf("mosa.example", Profile, r)).ToList();
        Assert.All(values, v => Assert.Equal(values[0], v));
        Assert.Equal("v=spf1 a ip4:192.0.2.0/24 include:_spf.other.example mx include:spf.ticketing.example ~all", values[0].Value);
        Assert.Equal(RecordAction.Replace, values[0].Action);
        Assert.Equal("v=spf1 a ~all", values[0].Current);
    }

    [Theory]
    [InlineData("v=spf1 include:spf.ticketing.example -all", RecordAction.Keep, "v=spf1 include:spf.ticketing.example -all")]
    [InlineData("v=spf1 mx -all", RecordAction.Replace, "v=spf1 mx include:spf.ticketing.example -all")]
    public void Spf_OneRecord_KeptWhenItIncludesUsElseMerged(string current, RecordAction action, string value)
    {
        var record = PublishPlan.Spf("mosa.example", Profile, [current]);
        Assert.Equal((action, value, current), (record.Action, record.Value, record.Current));
    }

    [Fact]
    public void Spf_NoneOrOnlyType99_AddsTheStartingOrTheMovedRecord()
    {
        Assert.Equal("v=spf1 include:spf.ticketing.example ~all", PublishPlan.Spf("mosa.example", Profile, []).Value);
        var moved = PublishPlan.Spf("mosa.example", Profile, [], "v=spf1 mx -all");
        Assert.Equal((RecordAction.Add, "v=spf1 mx include:spf.ticketing.example -all"), (moved.Action, moved.Value));
    }

    [Fact]
    public async Task DecideAsync_SeveralSpfRecords_OneMergedRecordWithAWarningAndItsLookups()
    {
        var zone = ZoneOf("""
            $ORIGIN multi.example.
            @ 300 IN TXT "v=spf1 mx -all"
            @ 300 IN TXT "v=spf1 ip4:192.0.2.1 ~all"
            @ 300 IN TXT "google-site-verification=abc"
            """);
        var plan = await PublishPlan.DecideAsync(new ZoneDnsResolver(zone), "multi.example", "mosa", Profile, Ct);
        var spf = Assert.Single(plan.Records, r => r.Purpose == RecordPurpose.Spf);
        Assert.Equal("v=spf1 ip4:192.0.2.1 mx include:spf.ticketing.example ~all", spf.Value);
        Assert.Equal(RecordAction.Replace, spf.Action);
        Assert.NotNull(spf.DnsLookups);
        Assert.Contains(plan.Warnings, w => w.Contains("2 SPF records", StringComparison.Ordinal));
    }

    /// <summary>A record the old server-side calculator missed (it looked for "v=DMARC1" at the start of the text).</summary>
    [Fact]
    public async Task DecideAsync_DmarcFoundAsReceiversFindIt_IsKept()
    {
        var zone = ZoneOf("""
            $ORIGIN spaced.example.
            _dmarc 300 IN TXT "v = DMARC1; p=reject; rua=mailto:mosa@rua.ticketing.example"
            """);
        Assert.True(SenderAuth.Dmarc.DmarcRecord.IsDmarcRecord("v = DMARC1; p=reject; rua=mailto:mosa@rua.ticketing.example"));
        var plan = await PublishPlan.DecideAsync(new ZoneDnsResolver(zone), "spaced.example", "mosa", Profile, Ct);
        var dmarc = Assert.Single(plan.Records, r => r.Purpose == RecordPurpose.Dmarc);
        Assert.Equal((RecordAction.Keep, "v = DMARC1; p=reject; rua=mailto:mosa@rua.ticketing.example"), (dmarc.Action, dmarc.Value));
        Assert.DoesNotContain("_dmarc", plan.ZoneFragment, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v=DMARC1; p=quarantine", "v=DMARC1; p=quarantine; rua=mailto:mosa@rua.ticketing.example")]
    [InlineData("v=DMARC1; p=reject; rua=mailto:d@mosa.example", "v=DMARC1; p=reject; rua=mailto:mosa@rua.ticketing.example,mailto:d@mosa.example")]
    // Read as a receiver reads it (white space around '=', upper-case names), never by text search: the review found
    // "rua =" left the record unchanged while the plan said our address was added.
    [InlineData("v=DMARC1; p=none; rua =mailto:d@mosa.example", "v=DMARC1; p=none; rua=mailto:mosa@rua.ticketing.example,mailto:d@mosa.example")]
    [InlineData("v=DMARC1;P=reject;RUA=mailto:d@mosa.example;", "v=DMARC1; p=reject; rua=mailto:mosa@rua.ticketing.example,mailto:d@mosa.example")]
    public void Dmarc_ExistingWithoutOurRua_KeepsItsPolicyAndAddsOurs(string current, string merged)
    {
        var record = PublishPlan.Dmarc("mosa.example", "mosa", Profile, current);
        Assert.Equal((RecordAction.Replace, merged, current), (record.Action, record.Value, record.Current));
    }

    [Fact]
    public void Dkim_And_MailFrom_NameTheProviderTargets()
    {
        var profile = Profile with { MailFromDomain = "bounce.{domain}", MailFromMx = "feedback.ticketing.example" };
        Assert.Equal("stxsel2._domainkey.mosa.example. 3600 IN CNAME sel2-mosa._domainkey.dkim.ticketing.example.",
            PublishPlan.Dkim("mosa.example", "mosa", profile, profile.Selectors[1]).ZoneLine);
        Assert.Equal(
            ["bounce.mosa.example. 3600 IN MX 10 feedback.ticketing.example.", "bounce.mosa.example. 3600 IN TXT \"v=spf1 include:spf.ticketing.example -all\""],
            PublishPlan.MailFrom("mosa.example", "mosa", profile).Select(r => r.ZoneLine));
        Assert.Empty(PublishPlan.MailFrom("mosa.example", "mosa", Profile));
    }

    [Theory]
    [InlineData("mailto:mosa@rua.ticketing.example", "mosa.example._report._dmarc.rua.ticketing.example")]
    [InlineData("mailto:mosa@rua.ticketing.example!10m", "mosa.example._report._dmarc.rua.ticketing.example")]
    [InlineData("mailto:dmarc@reports.mosa.example", null)]
    public void ReportAuthorisation_OnlyForADestinationOutsideTheDomain(string address, string? name)
    {
        var record = PublishPlan.ReportAuthorisation("mosa.example", address);
        Assert.Equal(name, record?.Name);
        Assert.Equal(name is null ? null : "v=DMARC1", record?.Value);
    }

    [Fact]
    public void ZoneLine_LongTxt_SplitIntoStringsOf255WithQuotesEscaped()
    {
        var value = "v=spf1 " + string.Join(' ', Enumerable.Range(0, 30).Select(i => $"ip4:192.0.2.{i}")) + " exp=\"x\\y\" -all";
        var line = new RecordToPublish(RecordPurpose.Spf, "mosa.example", SenderAuth.Dns.DnsRecordType.Txt, value, RecordAction.Add).ZoneLine;
        var strings = line["mosa.example. 3600 IN TXT ".Length..];
        Assert.StartsWith("\"v=spf1 ip4:192.0.2.0 ", strings, StringComparison.Ordinal);
        Assert.Contains("\" \"", strings, StringComparison.Ordinal);
        Assert.Contains("exp=\\\"x\\\\y\\\"", strings, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every record the check asks for is the one the server shows (same value, same action) for the same DNS: the
    /// check only chooses which of the plan's records are wrong.
    /// </summary>
    [Theory]
    [MemberData(nameof(CheckFixtures.Cases), MemberType = typeof(CheckFixtures))]
    public async Task CheckAndPlan_SameDns_TheCheckAsksOnlyForThePlansRecords(string domain, string code, string profile, string[] expected)
    {
        _ = expected;
        var resolver = new ZoneDnsResolver(CheckFixtures.Zones());
        var p = CheckFixtures.LoadProfile(profile) with { MailFromMx = "feedback.ticketing.example" };
        var report = await new DomainChecker(resolver).CheckAsync(domain, p, code, Ct);
        var plan = await PublishPlan.DecideAsync(resolver, domain, code, p, Ct);
        var planned = plan.Records.Where(r => r.Action != RecordAction.Keep).Select(r => r with { DnsLookups = null }).ToList();
        Assert.All(report.Records, r => Assert.Contains(r, planned));
    }

    /// <summary>The API's records and the rows stored before the plan existed keep their JSON shape.</summary>
    [Fact]
    public void Json_SameNamesAndOrderAsBefore_AndStoredRowsStillRead()
    {
        var record = PublishPlan.Spf("mosa.example", Profile, ["v=spf1 mx -all"]) with { DnsLookups = 2 };
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(record, SenderAuthJson.Options));
        Assert.Equal(["purpose", "name", "type", "value", "action", "zoneLine", "current", "note", "dnsLookups"], json.RootElement.EnumerateObject().Select(p => p.Name));
        const string stored = """
            [{"purpose":"dkim","name":"stxsel1._domainkey.mosa.example","type":"CNAME","value":"sel1-mosa._domainkey.dkim.ticketing.example.","action":"add","zoneLine":"stxsel1._domainkey.mosa.example. 3600 IN CNAME sel1-mosa._domainkey.dkim.ticketing.example.","current":null,"note":null,"dnsLookups":null}]
            """;
        var read = Assert.Single(JsonSerializer.Deserialize<List<RecordToPublish>>(stored, SenderAuthJson.Options)!);
        Assert.Equal(PublishPlan.Dkim("mosa.example", "mosa", Profile, Profile.Selectors[0]), read);
    }
}
