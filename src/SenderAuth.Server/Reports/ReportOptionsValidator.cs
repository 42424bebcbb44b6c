namespace SenderAuth.Server.Reports;

/// <summary>Report ingestion's settings (IMAP mailboxes, watched folder, advisor), checked at start.</summary>
public sealed class ReportOptionsValidator : SectionValidator
{
    protected override IEnumerable<string> Problems(ServerOptions options) => options.Reports.Problems();
}
