using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Store.Reports.Analysis;
using SenderAuth.Spf;

namespace SenderAuth.Tests;

/// <summary>One finding shape (severity, code, message, subject, position) from SPF lint, DMARC lint and reports.</summary>
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
}
