using SenderAuth.Check;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Onboarding;

namespace SenderAuth.Tests.Check;

/// <summary>
/// The Ed25519 selectors of a domain that signs with both (RFC 8463): listed by the one plan only when the profile
/// carries them, checked like the RSA selectors, and required to reach an Ed25519 key.
/// </summary>
[Trait("Layer", "engine")]
public sealed class Ed25519SelectorCheckTests
{
    private static readonly ProviderProfile RsaOnly = CheckFixtures.LoadProfile(CheckFixtures.Profile);

    private static readonly ProviderProfile Dual = RsaOnly with { Ed25519Selectors = [new("stxed1", "ed1-{code}"), new("stxed2", "ed2-{code}")] };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DecideAsync_Ed25519Selectors_TwoMoreCnamesAfterTheRsaOnes()
    {
        var zone = CheckFixtures.Zones();
        var rsa = await PublishPlan.DecideAsync(new ZoneDnsResolver(zone), "good.example", "mosa", RsaOnly, Ct);
        var dual = await PublishPlan.DecideAsync(new ZoneDnsResolver(zone), "good.example", "mosa", Dual, Ct);

        Assert.DoesNotContain(rsa.Records, r => r.Name.StartsWith("stxed", StringComparison.Ordinal));
        Assert.Equal(
            [
                "stxsel1._domainkey.good.example. 3600 IN CNAME sel1-mosa._domainkey.dkim.ticketing.example.",
                "stxsel2._domainkey.good.example. 3600 IN CNAME sel2-mosa._domainkey.dkim.ticketing.example.",
                "stxed1._domainkey.good.example. 3600 IN CNAME ed1-mosa._domainkey.dkim.ticketing.example.",
                "stxed2._domainkey.good.example. 3600 IN CNAME ed2-mosa._domainkey.dkim.ticketing.example.",
            ],
            dual.Records.Where(r => r.Purpose == RecordPurpose.Dkim).Select(r => r.ZoneLine));
        // Everything else is the same decision.
        Assert.Equal(rsa.Records.Where(r => r.Purpose != RecordPurpose.Dkim), dual.Records.Where(r => r.Purpose != RecordPurpose.Dkim));
    }

    [Fact]
    public async Task CheckAsync_Ed25519SelectorsDelegated_OkForEd25519AndWrongTypeForAnRsaKey()
    {
        var zone = CheckFixtures.Zones();
        using var ed = DkimPrivateKey.Generate(DkimKeyType.Ed25519);
        using var rsa = DkimPrivateKey.Generate(DkimKeyType.Rsa, 1024);
        ZoneFileParser.ParseInto(zone, string.Join('\n',
            "stxed1._domainkey.good.example. 3600 IN CNAME ed1-mosa._domainkey.dkim.ticketing.example.",
            "stxed2._domainkey.good.example. 3600 IN CNAME ed2-mosa._domainkey.dkim.ticketing.example.",
            $"ed1-mosa._domainkey.dkim.ticketing.example. 3600 IN TXT {Txt("ed25519", ed)}",
            $"ed2-mosa._domainkey.dkim.ticketing.example. 3600 IN TXT {Txt("rsa", rsa)}") + "\n");

        var report = await new DomainChecker(new ZoneDnsResolver(zone)).CheckAsync("good.example", Dual, "mosa", Ct);

        var dkim = report.Findings.Where(f => f.Area == CheckArea.Dkim).Select(f => $"{f.Code} {f.Subject}").ToList();
        Assert.Equal(
            [
                "dkim-ok stxsel1._domainkey.good.example",
                "dkim-ok stxsel2._domainkey.good.example",
                "dkim-ok stxed1._domainkey.good.example",
                "dkim-key-wrong-type ed2-mosa._domainkey.dkim.ticketing.example",
            ],
            dkim);
        Assert.Contains("delegates to our Ed25519 key", report.Findings.Single(f => f.Subject == "stxed1._domainkey.good.example").Message, StringComparison.Ordinal);
        Assert.Equal(AreaVerdict.Error, report.Verdict(CheckArea.Dkim));
        // The record to publish for the broken selector is its CNAME, from the same plan.
        Assert.Contains(report.Records, r => r.Name == "stxed2._domainkey.good.example" && r.Value == "ed2-mosa._domainkey.dkim.ticketing.example.");
    }

    [Fact]
    public async Task CheckAsync_Ed25519CnamesMissing_MissingLikeAnRsaSelector()
    {
        var report = await new DomainChecker(new ZoneDnsResolver(CheckFixtures.Zones())).CheckAsync("good.example", Dual, "mosa", Ct);
        Assert.Equal(
            ["dkim-cname-missing stxed1._domainkey.good.example", "dkim-cname-missing stxed2._domainkey.good.example"],
            report.Findings.Where(f => f.Area == CheckArea.Dkim && f.Severity == FindingSeverity.Error).Select(f => $"{f.Code} {f.Subject}"));
    }

    [Theory]
    [InlineData("stxsel1", "ed1-{code}")]
    [InlineData("stxed1", "sel1-{code}")]
    public void Validate_Ed25519SelectorClashingWithAnRsaOne_Refused(string name, string target)
    {
        var profile = RsaOnly with { Ed25519Selectors = [new(name, target), new("stxed2", "ed2-{code}")] };
        var e = Assert.Throws<FormatException>(() => profile.Validate());
        Assert.Contains("ed25519Selectors must differ", e.Message, StringComparison.Ordinal);
    }

    private static string Txt(string k, DkimPrivateKey key) =>
        string.Join(' ', DkimKeyRecord.TxtStrings($"v=DKIM1; k={k}; p={Convert.ToBase64String(key.PublicKey.PublishedBytes)}").Select(s => $"\"{s}\""));
}
