using System.Text.Json;
using SenderAuth.Check;
using SenderAuth.Dkim;
using SenderAuth.Json;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Json;

/// <summary>The one JSON contract (docs/json.md) that the API, the CLI, webhooks and stored JSON share.</summary>
[Trait("Layer", "engine")]
public sealed class JsonContractTests
{
    private sealed record Sample(SpfResult Spf, DkimReason Reason, CheckArea Area, FindingSeverity Severity, DateTimeOffset At, DateTime Seen, string? Missing);

    private static readonly Sample Value = new(SpfResult.SoftFail, DkimReason.Expired, CheckArea.MailFrom, FindingSeverity.Warning,
        new DateTimeOffset(2026, 11, 23, 11, 0, 0, TimeSpan.FromHours(1)), new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Unspecified), null);

    [Fact]
    public void Serialize_Sample_UsesTokensKebabCaseUtcZAndKeepsNulls()
    {
        var json = JsonSerializer.Serialize(Value, SenderAuthJson.Options);
        Assert.Equal("""{"spf":"softfail","reason":"signature-expired","area":"mail-from","severity":"warning","at":"2026-11-23T10:00:00Z","seen":"2026-11-23T10:00:00Z","missing":null}""", json);
    }

    [Fact]
    public void Deserialize_WrittenJson_RoundTrips()
    {
        var back = JsonSerializer.Deserialize<Sample>(JsonSerializer.Serialize(Value, SenderAuthJson.Options), SenderAuthJson.Options)!;
        Assert.Equal(Value with { At = Value.At.ToUniversalTime(), Seen = DateTime.SpecifyKind(Value.Seen, DateTimeKind.Utc) }, back);
        Assert.Equal(DateTimeKind.Utc, back.Seen.Kind);
    }

    [Theory]
    [InlineData("mailFrom")]   // camelCase, as the API wrote before the contract (rows stored then still read)
    [InlineData("mailfrom")]   // the lower-cased name the CLI's check --json wrote
    [InlineData("mail-from")]
    [InlineData("MailFrom")]
    public void Deserialize_EarlierSpellingsOfAnEnum_AreRead(string spelling)
    {
        var json = $$"""{"spf":"SoftFail","reason":"Expired","area":"{{spelling}}","severity":"WARNING","at":"2026-11-23T10:00:00+00:00","seen":"2026-11-23T10:00:00Z","missing":null}""";
        var back = JsonSerializer.Deserialize<Sample>(json, SenderAuthJson.Options)!;
        Assert.Equal((SpfResult.SoftFail, DkimReason.Expired, CheckArea.MailFrom, FindingSeverity.Warning), (back.Spf, back.Reason, back.Area, back.Severity));
    }

    [Theory]
    [InlineData("""{"spf":3}""")]                    // a number is not a documented value
    [InlineData("""{"spf":"very-soft"}""")]          // not a token
    [InlineData("""{"area":"mail-from","extra":1}""")] // unknown properties are refused, not ignored
    [InlineData("""{"area":"spf, dkim"}""")]          // a list would be OR-ed into a value with no name
    [InlineData("""{"area":" spf"}""")]               // no padding
    [InlineData("""{"area":2}""")]
    public void Deserialize_OutsideTheContract_IsRefused(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Sample>(json, SenderAuthJson.Options));

    [Fact]
    public void Deserialize_UnknownWord_NamesTheWordsAccepted()
    {
        var e = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Sample>("""{"area":"mailfrm"}""", SenderAuthJson.Options));
        Assert.Contains("expected one of spf, dkim, dmarc, mail-from, dnssec", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenEnums_EveryMember_WritesItsProtocolToken()
    {
        foreach (var r in Enum.GetValues<SpfResult>())
        {
            Assert.Equal($"\"{r.Token()}\"", JsonSerializer.Serialize(r, SenderAuthJson.Options));
        }
        foreach (var r in Enum.GetValues<DkimReason>())
        {
            Assert.Equal($"\"{r.Code()}\"", JsonSerializer.Serialize(r, SenderAuthJson.Options));
        }
    }
}
