namespace SenderAuth.Server.Reports;

/// <summary>One word for a whole file, for the folders the pollers file it in and their logs.</summary>
public static class FileImportOutcomeSummary
{
    /// <summary><c>imported</c> when any report was new, else <c>duplicate</c>, else <c>foreign</c>; otherwise the file's status.</summary>
    public static string Summary(this FileImportOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Status != "imported" ? outcome.Status
            : outcome.Imported > 0 ? "imported" : outcome.Duplicates > 0 ? "duplicate" : outcome.Foreign > 0 ? "foreign" : outcome.Status;
    }
}
