using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Tests.Reports;

[Trait("Layer", "server")]
public class FailureReportFindingsTests
{
    private static readonly SourceAttribution Platform = new(["203.0.113.0/24"], []);

    [Fact]
    public void Build_ReportSignedWithOurSelector_IsAnErrorEvenFromAnotherIp()
    {
        var findings = FailureReportFindings.Build("museum.example",
            [new("198.51.100.9", "museum.example", "stx2026a", "r@receiver.example", "signature"), new("198.51.100.10", "other.example", "stx2026a", "r@receiver.example", "dmarc")],
            Platform, ["stx2026a"]);
        var own = Assert.Single(findings, f => f.Code == "failure-report-own-mail");
        Assert.Equal(FindingSeverity.Error, own.Severity);
        Assert.Equal(["198.51.100.9"], own.Sources);
        Assert.Contains("signed with our selector stx2026a", own.Observed, StringComparison.Ordinal);
        // The same selector name under someone else's d= is not ours.
        Assert.Equal(["198.51.100.10"], Assert.Single(findings, f => f.Code == "failure-reports").Sources);
    }

    [Fact]
    public void Build_NoReports_NoFindings() =>
        Assert.Empty(FailureReportFindings.Build("museum.example", [], Platform, []));
}
