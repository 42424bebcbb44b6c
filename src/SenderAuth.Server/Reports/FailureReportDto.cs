using SenderAuth.Reports;
using SenderAuth.Reports.Failure;

namespace SenderAuth.Server.Reports;

/// <summary>
/// A stored failure report (RFC 9991) as the API names it: warnings and Authentication-Results back into lists;
/// <see cref="Headers"/> (the reported message's header fields) only on the single-report endpoint, null in lists.
/// </summary>
public sealed record FailureReportDto(long Id, string? Reporter, string Domain, string? SourceIp, string? HeaderFrom, string? MailFrom,
    string? DkimDomain, string? DkimSelector, string? AuthFailure, string? IdentityAlignment, string? DeliveryResult,
    IReadOnlyList<string> AuthenticationResults, DateTime? ArrivalDate, string? MessageId, FailureReportFormat Format, bool BodyRedacted,
    IReadOnlyList<DmarcReportWarning> Warnings, DateTime ReceivedAt, string Origin, ReportProvenance Provenance, bool Trusted,
    string ProvenanceDetail, string? Warning, string? Headers)
{
    public static FailureReportDto From(StoredFailureReport r, bool withHeaders) => new(r.Id, r.Reporter, r.ReportedDomain, r.SourceIp, r.HeaderFrom, r.MailFrom,
        r.DkimDomain, r.DkimSelector, r.AuthFailure, r.IdentityAlignment, r.DeliveryResult, Lines(r.AuthenticationResults), r.ArrivalDate, r.MessageId,
        r.Format, r.BodyRedacted, ReportWarnings.FromJson(r.Warnings), r.ReceivedAt, r.Origin, r.Provenance, r.Trusted, r.ProvenanceDetail,
        r.Warning, withHeaders ? r.Headers : null);

    private static string[] Lines(string? value) => value is null ? [] : value.Split('\n');
}
