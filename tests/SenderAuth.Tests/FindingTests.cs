using System.Text.Json;
using SenderAuth.Check;
using SenderAuth.Dmarc;
using SenderAuth.Json;
using SenderAuth.Dns;
using SenderAuth.Store.Data;
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
    public void CheckFinding_Json_IsTheFindingShapeThenTheCheckFields()
    {
        var f = new CheckFinding(CheckArea.MailFrom, FindingSeverity.Error, "mail-from-mx-missing", "publish the MX")
        {
            Subject = "bounce.mosa.example", Expected = "bounce.mosa.example MX 10 mx.ticketing.example", Temporary = false,
        };
        Assert.Equal("""{"severity":"error","code":"mail-from-mx-missing","message":"publish the MX","subject":"bounce.mosa.example","position":null,"area":"mail-from","observed":null,"expected":"bounce.mosa.example MX 10 mx.ticketing.example","temporary":false}""",
            JsonSerializer.Serialize(f, SenderAuthJson.Options));
        Assert.Equal(f, JsonSerializer.Deserialize<CheckFinding>(JsonSerializer.Serialize(f, SenderAuthJson.Options), SenderAuthJson.Options));
    }

    [Fact]
    public void ReportFinding_Json_IsTheFindingShapeThenTheReportFields()
    {
        var f = new ReportFinding("spoofing", FindingSeverity.Warning, "title", "observed", "move to quarantine", 12, ["192.0.2.1"]);
        Assert.Equal("""{"severity":"warning","code":"spoofing","message":"move to quarantine","subject":null,"position":null,"title":"title","observed":"observed","messages":12,"sources":["192.0.2.1"]}""",
            JsonSerializer.Serialize(f, SenderAuthJson.Options));
    }

    [Fact]
    public void Finding_Json_IsTheFiveFields()
    {
        var f = new Finding(FindingSeverity.Warning, "ptr", "ptr is slow", "mosa.example", 8);
        Assert.Equal("""{"severity":"warning","code":"ptr","message":"ptr is slow","subject":"mosa.example","position":8}""", JsonSerializer.Serialize(f, SenderAuthJson.Options));
        Assert.Equal(f, JsonSerializer.Deserialize<Finding>(JsonSerializer.Serialize(f, SenderAuthJson.Options), SenderAuthJson.Options));
    }

    [Fact]
    public void CheckFinding_Json_ReadsARowStoredBeforeTheContract()
    {
        // What the server stored before: camelCase enum names, the record's own property order, "advice" and "name".
        const string stored = """[{"area":"mailFrom","severity":"warning","code":"dns-unreachable","advice":"check again","name":"mosa.example","observed":"Timeout","expected":null,"temporary":true}]""";
        var f = Assert.Single(StoredFindings.Read(stored));
        Assert.Equal(new CheckFinding(CheckArea.MailFrom, FindingSeverity.Warning, "dns-unreachable", "check again") { Subject = "mosa.example", Observed = "Timeout", Temporary = true }, f);
    }

    [Fact]
    public void CheckFinding_Json_ReadsARowStoredWithTheOneShape()
    {
        var f = new CheckFinding(CheckArea.Dkim, FindingSeverity.Error, "dkim-cname-missing", "publish the CNAME") { Subject = "s1._domainkey.mosa.example" };
        Assert.Equal([f], StoredFindings.Read(JsonSerializer.Serialize(new[] { f }, SenderAuthJson.Options)));
        Assert.Empty(StoredFindings.Read(null));
    }

    [Theory]
    [InlineData("""[{"area":"spf","severity":"error","code":"spf-missing","advice":"x","message":"x","temporary":false}]""")]    // both spellings of the message
    [InlineData("""[{"area":"spf","severity":"error","code":"spf-missing","message":"x","name":"a","subject":"a"}]""")]          // both spellings of the subject
    [InlineData("""[{"area":"spf","severity":"error","code":"spf-missing","name":null,"temporary":false}]""")]                   // no message
    [InlineData("""{"area":"spf","severity":"error","code":"spf-missing","message":"x"}""")]                                     // not a list
    public void StoredFindings_OutsideBothShapes_AreRefused(string json) =>
        Assert.ThrowsAny<JsonException>(() => StoredFindings.Read(json));

    [Theory]
    [InlineData("""{"area":"spf","severity":"error","code":"spf-missing","subject":null,"observed":null,"expected":null,"temporary":false}""")]      // no message
    [InlineData("""{"area":"spf","severity":"error","subject":null,"message":"x","temporary":false}""")]                                            // no code
    [InlineData("""{"area":"spf","severity":"error","code":"spf-missing","advice":"x","temporary":false}""")]                                        // the old name, outside the store
    [InlineData("""{"area":"spf","severity":"error","code":"spf-missing","message":"x","name":"mosa.example"}""")]
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
