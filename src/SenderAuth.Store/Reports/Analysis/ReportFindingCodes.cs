namespace SenderAuth.Store.Reports.Analysis;

/// <summary>
/// Codes of report findings that the policy advisor reads back as blockers: one definition for
/// <see cref="ReportFindings"/> (which produces them) and <see cref="PolicyAdvisor"/> (which matches them).
/// </summary>
public static class ReportFindingCodes
{
    /// <summary>Mail the platform sent fails DMARC.</summary>
    public const string OwnMailFailing = "own-mail-failing";

    /// <summary>A source that is not set up sends for the domain.</summary>
    public const string NewSender = "new-sender";

    /// <summary>A declared sender sends without aligning.</summary>
    public const string DeclaredSenderUnaligned = "declared-sender-unaligned";
}
