using System.Text.Json;
using SenderAuth.Check;
using SenderAuth.Dmarc;
using SenderAuth.Json;
using SenderAuth.Dns;
using SenderAuth.Store.Reports.Analysis;
using SenderAuth.Spf;

namespace SenderAuth.Tests;

/// <summary>One finding shape (severity, code, message, subject, position) from SPF lint, DMARC lint, the domain check and reports.</summary>
[Trait("Layer", "engine")]
public class FindingTests
{
    [Fact]
    public async Task SpfLint_Finding_SubjectIsTheDomainAndPositionTheColumn()
    {
        var zone = new DnsZone();
        ZoneFileParser.ParseInto(zone, "$ORIGIN mosa.example.\n@ 300 IN TXT \"v=spf1 ptr -all\"\n");
        var report = await new SpfLinter(new ZoneDnsResolver(zone)).LintDomainAsync("mosa.example", TestContext.Current.CancellationToken);
        Finding ptr = Assert.Single(report.Findings, f => f.Code == "ptr");
        Assert.Equal(new Finding(FindingSeverity.Warning, "ptr", ptr.Message, "mosa.example", 8), ptr);
    }

    [Fact]
    public void DmarcRecord_Issue_IsAFindingWithItsColumn()
    {
        Finding issue = Assert.Single(DmarcRecord.Parse("v=DMARC1; p=maybe")!.Issues, i => i.Code == "invalid-policy");
        Assert.Equal((FindingSeverity.Error, (string?)null, (int?)11), (issue.Severity, issue.Subject, issue.Position));
    }

    [Fact]
    public void ReportFinding_IsAFinding_WhoseMessageIsTheAdvice()
    {
        Finding f = new ReportFinding("spoofing", FindingSeverity.Warning, "title", "observed", "move to quarantine", 12, ["192.0.2.1"]);
        Assert.Equal((FindingSeverity.Warning, "spoofing", "move to quarantine"), (f.Severity, f.Code, f.Message));
        Assert.Equal("warning", f.Severity.Token());
    }

    [Fact]
    public void CheckFinding_IsAFinding_WhoseMessageIsTheAdviceAndSubjectTheName()
    {
        Finding f = new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-cname-missing", "publish the CNAME") { Subject = "s1._domainkey.mosa.example" };
        Assert.Equal(new Finding(FindingSeverity.Error, "dkim-cname-missing", "publish the CNAME", "s1._domainkey.mosa.example"), new Finding(f.Severity, f.Code, f.Message, f.Subject, f.Position));
    }

    [Fact]
    public void CheckFinding_Json_KeepsTheCheckNames()
    {
        var f = new CheckFinding(CheckArea.MailFrom, FindingSeverity.Error, "mailfrom-mx-missing", "publish the MX")
        {
            Subject = "bounce.mosa.example", Expected = "bounce.mosa.example MX 10 mx.ticketing.example", Temporary = false,
        };
        Assert.Equal("""{"area":"mail-from","severity":"error","code":"mailfrom-mx-missing","name":"bounce.mosa.example","observed":null,"expected":"bounce.mosa.example MX 10 mx.ticketing.example","advice":"publish the MX","temporary":false}""",
            JsonSerializer.Serialize(f, SenderAuthJson.Options));
        Assert.Equal(f, JsonSerializer.Deserialize<CheckFinding>(JsonSerializer.Serialize(f, SenderAuthJson.Options), SenderAuthJson.Options));
    }

    [Fact]
    public void CheckFinding_Json_ReadsARowStoredBeforeTheContract()
    {
        // What the server stored before: camelCase enum names, the record's own property order.
        const string stored = """[{"area":"mailFrom","severity":"warning","code":"dns-unreachable","advice":"check again","name":"mosa.example","observed":"Timeout","expected":null,"temporary":true}]""";
        var f = Assert.Single(JsonSerializer.Deserialize<List<CheckFinding>>(stored, SenderAuthJson.Options)!);
        Assert.Equal(new CheckFinding(CheckArea.MailFrom, FindingSeverity.Warning, "dns-unreachable", "check again") { Subject = "mosa.example", Observed = "Timeout", Temporary = true }, f);
    }

    [Theory]
    [InlineData("""{"area":"spf","severity":"error","code":"spf-missing","name":null,"observed":null,"expected":null,"temporary":false}""")]          // no advice
    [InlineData("""{"area":"spf","severity":"error","name":null,"advice":"x","temporary":false}""")]                                                 // no code
    [InlineData("""{"area":"spf","severity":"error","code":"spf-missing","advice":"x","message":"x","temporary":false}""")]                         // the base's name is not the check's
    [InlineData("""{"area":"spf","severity":"error","code":"spf-missing","advice":"x","position":3}""")]
    public void CheckFinding_Json_OutsideTheShape_IsRefused(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<CheckFinding>(json, SenderAuthJson.Options));

    [Fact]
    public void AreaVerdict_Json_IsItsTokenAsValueAndAreaAsKey()
    {
        var verdicts = new Dictionary<CheckArea, AreaVerdict> { [CheckArea.MailFrom] = AreaVerdict.Unknown, [CheckArea.Spf] = AreaVerdict.Ok };
        Assert.Equal("""{"mail-from":"unknown","spf":"ok"}""", JsonSerializer.Serialize(verdicts, SenderAuthJson.Options));
        Assert.Equal(["ok", "warning", "error", "unknown"], Enum.GetValues<AreaVerdict>().Select(v => JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(v, SenderAuthJson.Options))));
        Assert.Equal(verdicts, JsonSerializer.Deserialize<Dictionary<CheckArea, AreaVerdict>>("""{"mail-from":"unknown","spf":"OK"}""", SenderAuthJson.Options));
    }
}
