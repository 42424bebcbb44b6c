namespace SenderAuth.Server.Reports;

/// <summary>One word for a whole file, for the folders the pollers file it in and their logs.</summary>
public static class FileImportOutcomeSummary
{
    /// <summary><c>imported</c> when any report was new, else <c>duplicate</c>, else <c>foreign</c>; otherwise the file's status.</summary>
    public static string Summary(this FileImportOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Status != FileImportStatus.Imported ? outcome.Status.Token()
            : outcome.Imported > 0 ? ReportImportStatus.Imported.Token() : outcome.Duplicates > 0 ? ReportImportStatus.Duplicate.Token()
            : outcome.Foreign > 0 ? ReportImportStatus.Foreign.Token() : outcome.Status.Token();
    }
}
