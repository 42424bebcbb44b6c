using System.Text.Json;
using SenderAuth.Dns;
using SenderAuth.Json;
using SenderAuth.Onboarding;
using SenderAuth.Server.Dashboard;
using SenderAuth.Server.Publishing;
using SenderAuth.Store.Data;
using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Tests.Json;

/// <summary>
/// Closed sets that were strings (a record's type, the publisher's kind, a source's category) are enums now: the
/// contract must write the words they had, byte for byte, and read back what was stored before.
/// </summary>
[Trait("Layer", "engine")]
public sealed class ClosedSetTokenTests
{
    [Theory]
    [InlineData(DnsRecordType.Txt, "TXT")]
    [InlineData(DnsRecordType.Cname, "CNAME")]
    [InlineData(DnsRecordType.Mx, "MX")]
    public void RecordType_Token_IsTheMnemonic(DnsRecordType type, string token)
    {
        Assert.Equal($"\"{token}\"", JsonSerializer.Serialize(type, SenderAuthJson.Options));
        Assert.Equal(token, SenderAuthJson.Token(type));
        Assert.Equal(type, JsonSerializer.Deserialize<DnsRecordType>($"\"{token}\"", SenderAuthJson.Options));
    }

    [Fact]
    public void RecordToPublish_StoredBeforeTheEnum_ReadsBack()
    {
        // ExpectedRecordsJson rows written while Type was a string.
        const string stored = """[{"purpose":"mail-from","name":"bounce.mosa.example","type":"MX","value":"10 mx.ticketing.example.","action":"add","zoneLine":"bounce.mosa.example. 3600 IN MX 10 mx.ticketing.example.","current":null,"note":null,"dnsLookups":null}]""";
        var record = Assert.Single(JsonSerializer.Deserialize<List<RecordToPublish>>(stored, SenderAuthJson.Options)!);
        Assert.Equal(DnsRecordType.Mx, record.Type);
        Assert.Equal("bounce.mosa.example. 3600 IN MX 10 mx.ticketing.example.", record.ZoneLine);
    }

    [Theory]
    [InlineData(PublishingMode.BuiltIn, "builtin")]
    [InlineData(PublishingMode.Rfc2136, "rfc2136")]
    [InlineData(PublishingMode.ZoneFile, "zonefile")]
    public void PublisherKind_Token_IsTheConfigurationWord(PublishingMode kind, string token)
    {
        Assert.Equal(token, SenderAuthJson.Token(kind));
        Assert.Equal($$"""{"publisher":"{{token}}"}""", JsonSerializer.Serialize(new { publisher = kind }, SenderAuthJson.Options));
        Assert.Equal(kind, JsonSerializer.Deserialize<PublishingMode>($"\"{token}\"", SenderAuthJson.Options));
    }

    [Fact]
    public void SourceCategory_Tokens_AreTheWordsTheApiWrote()
    {
        Assert.Equal(["platform", "declared", "forwarder", "third-party", "unknown"], Enum.GetValues<SourceCategory>().Select(SenderAuthJson.Token));
        var counts = Enum.GetValues<SourceCategory>().ToDictionary(k => k, k => (long)k);
        Assert.Equal("""{"platform":0,"declared":1,"forwarder":2,"third-party":3,"unknown":4}""", JsonSerializer.Serialize(counts, SenderAuthJson.Options));
    }

    [Fact]
    public void DashboardStates_AreTheContractsTokens()
    {
        foreach (var state in Enum.GetValues<DomainState>())
        {
            Assert.Equal(SenderAuthJson.Token(state), DashboardFormat.Token(state));
        }
        foreach (var step in Enum.GetValues<RotationStep>())
        {
            Assert.Equal(SenderAuthJson.Token(step), DashboardFormat.Token(step));
        }
        Assert.Equal(["pending", "verified", "degraded", "failed"], Enum.GetValues<DomainState>().Select(DashboardFormat.Token));
        Assert.Equal("signing", DashboardFormat.Token(DkimKeyState.Active));
        Assert.Equal("revoked", DashboardFormat.Token(DkimKeyState.Revoked));
    }
    [Fact]
    public void TimelineEventKind_Tokens_AreTheWordsTheApiWrote()
    {
        Assert.Equal(["dns", "key", "config"], Enum.GetValues<TimelineEventKind>().Select(SenderAuthJson.Token));
        var at = new DateTime(2026, 10, 1, 12, 0, 0, DateTimeKind.Utc);
        Assert.Equal("""{"at":"2026-10-01T12:00:00Z","kind":"key","what":"key at selector s1 revoked"}""",
            JsonSerializer.Serialize(new TimelineEvent(at, TimelineEventKind.Key, "key at selector s1 revoked"), SenderAuthJson.Options));
    }

    [Fact]
    public void AdviceArea_And_ThirdPartyIntegration_Tokens_AreTheWordsTheApiWrote()
    {
        Assert.Equal(["dmarc", "spf"], Enum.GetValues<AdviceArea>().Select(SenderAuthJson.Token));
        Assert.Equal(["own-subdomain", "relay", "own-domain-from"], Enum.GetValues<ThirdPartyIntegration>().Select(SenderAuthJson.Token));
        var step = new StepAdvice(AdviceArea.Spf, "~all", "-all", true, "mosa.example", "v=spf1 -all", [], []);
        Assert.StartsWith("""{"area":"spf","current":"~all",""", JsonSerializer.Serialize(step, SenderAuthJson.Options), StringComparison.Ordinal);
        var third = new ThirdPartyAdvice("mailtool.example", SourceCategory.ThirdParty, 5, ["192.0.2.1"], ThirdPartyIntegration.OwnDomainFrom, "why", []);
        Assert.Contains(""","integration":"own-domain-from","why":"why",""", JsonSerializer.Serialize(third, SenderAuthJson.Options), StringComparison.Ordinal);
        Assert.Equal(AdviceArea.Dmarc, JsonSerializer.Deserialize<AdviceArea>("\"dmarc\"", SenderAuthJson.Options));
    }
}
