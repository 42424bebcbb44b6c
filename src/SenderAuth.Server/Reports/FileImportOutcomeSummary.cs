using SenderAuth.Json;

namespace SenderAuth.Server.Reports;

/// <summary>One word for a whole file, for the folders the pollers file it in and their logs.</summary>
public static class FileImportOutcomeSummary
{
    /// <summary><c>imported</c> when any report was new, else <c>duplicate</c>, else <c>foreign</c>; otherwise the file's status.</summary>
    public static string Summary(this FileImportOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Status != FileImportStatus.Imported ? SenderAuthJson.Token(outcome.Status)
            : outcome.Imported > 0 ? SenderAuthJson.Token(ReportImportStatus.Imported) : outcome.Duplicates > 0 ? SenderAuthJson.Token(ReportImportStatus.Duplicate)
            : outcome.Foreign > 0 ? SenderAuthJson.Token(ReportImportStatus.Foreign) : SenderAuthJson.Token(outcome.Status);
    }
}
