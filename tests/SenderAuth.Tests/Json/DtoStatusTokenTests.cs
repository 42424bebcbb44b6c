using System.Text.Json;
using SenderAuth.Dns;
using SenderAuth.Json;
using SenderAuth.Reports.Failure;
using SenderAuth.Server.Http;
using SenderAuth.Server.Reports;
using SenderAuth.Server.Webhooks;
using SenderAuth.Store.Data;
using SenderAuth.Store.Reports;
using SenderAuth.Store.Webhooks;

namespace SenderAuth.Tests.Json;

/// <summary>
/// DTO fields that were strings holding a closed set (a failure report's format, the challenge's record type, an IMAP
/// message's status) are enums now; the JSON must be the bytes the strings wrote.
/// </summary>
[Trait("Layer", "engine")]
public sealed class DtoStatusTokenTests
{
    [Theory]
    [InlineData(FailureReportFormat.Arf, "arf")]
    [InlineData(FailureReportFormat.PlainText, "plain-text")]
    public void FailureReportDto_Format_IsTheStoredWord(FailureReportFormat format, string token)
    {
        var dto = new FailureReportDto(1, "reporter.example", "mosa.example", "192.0.2.1", "mosa.example", null, null, null, "dmarc", null, null,
            [], null, null, format, false, [], new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), "upload", ReportProvenance.Uploaded, true, "uploaded", null, null);
        var json = JsonSerializer.Serialize(dto, SenderAuthJson.Options);
        Assert.Contains($"\"format\":\"{token}\",", json, StringComparison.Ordinal);
        Assert.Equal(format.Token(), SenderAuthJson.Token(format));
    }

    [Fact]
    public void OwnershipChallenge_Type_IsTxt() =>
        Assert.Equal("""{"name":"_senderauth.mosa.example","type":"TXT","value":"senderauth-verify=abc"}""",
            JsonSerializer.Serialize(new OwnershipChallenge("_senderauth.mosa.example", DnsRecordType.Txt, "senderauth-verify=abc"), SenderAuthJson.Options));

    [Fact]
    public void ImapMessageOutcome_Status_AreTheWordsItWrote()
    {
        Assert.Equal(["imported", "duplicate", "foreign", "quarantined", "rejected", "too-large"], Enum.GetValues<FileImportSummary>().Select(SenderAuthJson.Token));
        Assert.Equal("""{"uid":7,"subject":"Report","status":"too-large","movedTo":"Errors","reason":"big"}""",
            JsonSerializer.Serialize(new ImapMessageOutcome(7, "Report", FileImportSummary.TooLarge, "Errors", "big"), SenderAuthJson.Options));
    }

    [Fact]
    public void FileSummary_IsTheOldStatusWord()
    {
        ImportedReport Report(ReportImportStatus s) => new("org", "id", "mosa.example", s, 1, 1);
        Assert.Equal("imported", new FileImportOutcome("f", FileImportStatus.Imported, [Report(ReportImportStatus.Duplicate), Report(ReportImportStatus.Imported)]).Summary());
        Assert.Equal("duplicate", new FileImportOutcome("f", FileImportStatus.Imported, [Report(ReportImportStatus.Duplicate)]).Summary());
        Assert.Equal("foreign", new FileImportOutcome("f", FileImportStatus.Imported, [Report(ReportImportStatus.Misrouted)]).Summary());
        Assert.Equal("imported", new FileImportOutcome("f", FileImportStatus.Imported, []).Summary());
        Assert.Equal("quarantined", new FileImportOutcome("f", FileImportStatus.Quarantined, []).Summary());
        Assert.Equal("rejected", new FileImportOutcome("f", FileImportStatus.Rejected, []).Summary());
    }
    [Fact]
    public void DirectoryFileOutcome_Status_IsTheSummaryWord()
    {
        Assert.Equal("""{"file":"a.xml","status":"quarantined","movedTo":"failed/a.xml","reason":"not xml"}""",
            JsonSerializer.Serialize(new DirectoryFileOutcome("a.xml", FileImportSummary.Quarantined, "failed/a.xml", "not xml"), SenderAuthJson.Options));
    }

    private static WebhookDelivery StoredDelivery(string word) => new()
    {
        Id = 3, WebhookId = 1, Event = word, PayloadJson = "{}", CreatedAt = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), Attempts = 1,
    };

    [Theory]
    [InlineData("domain.verified", ServerEventType.DomainVerified)]
    [InlineData("rotation.blocked", ServerEventType.RotationBlocked)]
    [InlineData("webhook.test", ServerEventType.WebhookTest)]
    public void WebhookDeliveryDto_KnownStoredWord_IsTheEventAndTheSameWord(string word, ServerEventType type)
    {
        var dto = WebhookDeliveryDto.From(StoredDelivery(word));
        Assert.Equal(type, dto.Event);
        Assert.StartsWith($$"""{"id":3,"event":"{{word}}","createdAt":"2026-01-02T03:04:05Z",""", JsonSerializer.Serialize(dto, SenderAuthJson.Options), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("domain.exploded")]
    [InlineData("Domain.Verified")]
    [InlineData("")]
    public void WebhookDeliveryDto_UnknownStoredWord_IsListedWithANullEvent(string word)
    {
        // A row written by a newer version (or an event since retired): listed, never a word outside the set.
        var dto = WebhookDeliveryDto.From(StoredDelivery(word));
        Assert.Null(dto.Event);
        Assert.StartsWith("""{"id":3,"event":null,"createdAt":"2026-01-02T03:04:05Z","attempts":1,""", JsonSerializer.Serialize(dto, SenderAuthJson.Options), StringComparison.Ordinal);
    }
}
