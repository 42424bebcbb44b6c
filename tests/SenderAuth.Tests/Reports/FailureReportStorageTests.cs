using SenderAuth.Reports;
using SenderAuth.Reports.Failure;
using SenderAuth.Store.Data;
using SenderAuth.Store.Reports;

namespace SenderAuth.Tests.Reports;

/// <summary>How a failure report's format and warnings are stored: tokens through one mapping, the aggregate reports' JSON list, bounded.</summary>
[Trait("Layer", "engine")]
public class FailureReportStorageTests
{
    [Fact]
    public void Warnings_OverTheColumn_DropWholeWarningsAndReadBack()
    {
        var many = Enumerable.Range(0, 200)
            .Select(i => new DmarcReportWarning(FailureReportWarningCodes.RepeatedField, $"field {i} appears twice: " + new string('x', 40), "report")).ToList();
        var json = ReportWarnings.ToJson(many, StoredFailureReport.MaxWarningsChars)!;
        Assert.True(json.Length <= StoredFailureReport.MaxWarningsChars, $"{json.Length} characters");
        var back = ReportWarnings.FromJson(json);
        Assert.Equal(FailureReportWarningCodes.WarningsTruncated, back[^1].Code);
        Assert.Equal(many.Take(back.Count - 1), back.Take(back.Count - 1));
        Assert.Contains($"{many.Count - (back.Count - 1)} more warning(s)", back[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_WithinTheColumn_AreStoredAsTheAggregateReportsList()
    {
        var one = new DmarcReportWarning(FailureReportWarningCodes.NoArfPart, "no message/feedback-report part: a: b", "report");
        var json = ReportWarnings.ToJson([one], StoredFailureReport.MaxWarningsChars);
        Assert.Equal(ReportWarnings.ToJson([one]), json);
        Assert.Equal([one], ReportWarnings.FromJson(json)); // a colon in the message stays in the message
        Assert.Null(ReportWarnings.ToJson([], StoredFailureReport.MaxWarningsChars));
    }

    [Theory]
    [InlineData(FailureReportFormat.Arf, "arf")]
    [InlineData(FailureReportFormat.PlainText, "plain-text")]
    public void Format_Token_RoundTrips(FailureReportFormat format, string token)
    {
        Assert.Equal(token, format.Token());
        Assert.Equal(format, FailureReportFormatTokens.Parse(token));
    }

    [Fact]
    public void Format_UnknownWord_IsRefused() =>
        Assert.Throws<FormatException>(() => FailureReportFormatTokens.Parse("ARF"));
}
