using SenderAuth.Reports;
using SenderAuth.Reports.Failure;

namespace SenderAuth.Fuzz;

/// <summary>DMARC failure reports (RFC 9991): ARF mails, plain-text reports, and anything else an importer might be handed.</summary>
internal static class FailureReportTargets
{
    /// <summary>
    /// <see cref="FailureReportParser.TryRead"/> with the default limits, as the importer calls it on every file: null
    /// for what is not a failure report, a <see cref="DmarcReportException"/> for one that is refused. The kept headers
    /// must stay within MaxHeaderBytes. MimeKit parses the whole mail once (its buffers and the decoded parts), so
    /// the bound is the text readers' with room for that copy.
    /// </summary>
    public static FuzzTarget FailureReport { get; } = new("failure-report", input =>
    {
        var parser = new FailureReportParser();
        using var stream = new MemoryStream(input, writable: false);
        if (parser.TryRead(stream, "fuzz") is { } report
            && System.Text.Encoding.UTF8.GetByteCount(report.Headers) > parser.Limits.MaxHeaderBytes)
        {
            throw new InvalidOperationException($"kept {report.Headers.Length} characters of headers, more than MaxHeaderBytes");
        }
    }, [typeof(DmarcReportException)], FuzzBudget.Text);
}
