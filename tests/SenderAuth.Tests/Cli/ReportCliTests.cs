using System.Text.Json;
using SenderAuth.Tests.Reports;

namespace SenderAuth.Tests.Cli;

[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
public class ReportCliTests
{
    [Fact]
    public async Task Report_SeveralFiles_TablesAndCombinedExit0()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "report", ReportFiles.Path(ReportFiles.Google), ReportFiles.Path(ReportFiles.Outlook));
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("google.com report 9391651994964116463 for example.org", stdout, StringComparison.Ordinal);
        Assert.Contains("130 messages in 3 records: none 123, quarantine 7, reject 0; DMARC pass 123 (94.6%)", stdout, StringComparison.Ordinal);
        Assert.Contains("Combined: 2 report(s)", stdout, StringComparison.Ordinal);
        Assert.Contains("2001:db8:4860::1a", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_Json_StableShape()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "report", "--json", ReportFiles.Path(ReportFiles.Rfc9990), ReportFiles.Path(ReportFiles.Eml));
        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(stdout).RootElement;
        var reports = root.GetProperty("reports");
        Assert.Equal(2, reports.GetArrayLength());
        var r = reports[0];
        Assert.Equal("receiver.example", r.GetProperty("orgName").GetString());
        Assert.Equal("urn:ietf:params:xml:ns:dmarc-2.0", r.GetProperty("namespace").GetString());
        Assert.Equal(25, r.GetProperty("dispositions").GetProperty("pass").GetInt64());
        Assert.Equal(31, r.GetProperty("messages").GetInt64());
        Assert.Equal(0.8065, r.GetProperty("passRate").GetDouble());
        Assert.Equal("reject", r.GetProperty("policy").GetProperty("np").GetString());
        var src = r.GetProperty("sources")[0];
        Assert.Equal("198.51.100.10", src.GetProperty("ip").GetString());
        Assert.Equal(25, src.GetProperty("spfAligned").GetInt64());
        Assert.Equal(2, root.GetProperty("combined").GetProperty("reports").GetInt32());
        Assert.Equal(161, root.GetProperty("combined").GetProperty("messages").GetInt64());
        Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public async Task Report_BadFilesAmongGood_OneLineEachExit2AndOthersSummarized()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "report", "--json",
            ReportFiles.Path(ReportFiles.Yahoo), ReportFiles.Path("malformed.xml"), ReportFiles.Path("hostile-external-entity.xml"), "/nonexistent/r.xml");
        Assert.Equal(2, exit);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("malformed.xml:6:5:", lines[0], StringComparison.Ordinal);
        Assert.Contains("DOCTYPE is not allowed", lines[1], StringComparison.Ordinal);
        Assert.Contains("/nonexistent/r.xml", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(1, root.GetProperty("reports").GetArrayLength());
        var errors = root.GetProperty("errors");
        Assert.Equal("malformed-xml", errors[0].GetProperty("error").GetString());
        Assert.Equal(6, errors[0].GetProperty("line").GetInt32());
        Assert.Equal("dtd-prohibited", errors[1].GetProperty("error").GetString());
        Assert.Equal("unreadable", errors[2].GetProperty("error").GetString());
    }

    [Fact]
    public async Task Report_UnreadableEncodingBeforeGoodFile_BadReportedGoodSummarizedExit2()
    {
        // Issue 19: this 8-byte file (found by AFL++) escaped as a raw XmlException: "internal error", exit 70, and the
        // good file after it was never summarized.
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "report", "--json",
            ReportFiles.Path("utf16-bom-garbage.xml"), ReportFiles.Path(ReportFiles.Yahoo));
        Assert.Equal(2, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("utf16-bom-garbage.xml", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(1, root.GetProperty("reports").GetArrayLength());
        Assert.Equal("malformed-xml", Assert.Single(root.GetProperty("errors").EnumerateArray()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Report_NoFile_UsageExit2()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, "report");
        Assert.Equal(2, exit);
        Assert.Contains("Required argument missing", stderr, StringComparison.Ordinal);
    }
}
