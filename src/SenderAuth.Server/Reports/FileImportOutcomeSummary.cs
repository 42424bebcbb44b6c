using SenderAuth.Json;

namespace SenderAuth.Server.Reports;

/// <summary>
/// One word for a whole file or mailed message, as the pollers' folders, logs and IMAP poll results write it:
/// <c>imported</c>, <c>duplicate</c>, <c>foreign</c>, <c>quarantined</c>, <c>rejected</c>, or <c>too-large</c> for a
/// message the IMAP poller would not download. An enum so its words are the contract's (kebab-case), not strings.
/// </summary>
public enum FileImportSummary
{
    /// <summary>At least one report of the file was new.</summary>
    Imported,
    /// <summary>Read whole, every report already stored.</summary>
    Duplicate,
    /// <summary>Read whole, its reports about domains of no (or another) institution.</summary>
    Foreign,
    /// <summary>Unreadable or hostile (<see cref="FileImportStatus.Quarantined"/>).</summary>
    Quarantined,
    /// <summary>Refused (<see cref="FileImportStatus.Rejected"/>).</summary>
    Rejected,
    /// <summary>Larger than the mailbox's MaxMessageBytes: not read.</summary>
    TooLarge,
}

/// <summary>The summary of a <see cref="FileImportOutcome"/>.</summary>
public static class FileImportOutcomeSummary
{
    /// <summary><c>imported</c> when any report was new, else <c>duplicate</c>, else <c>foreign</c>; otherwise the file's status.</summary>
    public static FileImportSummary SummaryStatus(this FileImportOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Status switch
        {
            FileImportStatus.Quarantined => FileImportSummary.Quarantined,
            FileImportStatus.Rejected => FileImportSummary.Rejected,
            _ => outcome.Imported > 0 ? FileImportSummary.Imported : outcome.Duplicates > 0 ? FileImportSummary.Duplicate
                : outcome.Foreign > 0 ? FileImportSummary.Foreign : FileImportSummary.Imported,
        };
    }

    /// <summary>The word of <see cref="SummaryStatus"/>, through the contract.</summary>
    public static string Summary(this FileImportOutcome outcome) => SenderAuthJson.Token(outcome.SummaryStatus());
}
