using SenderAuth.Dmarc;

namespace SenderAuth.Cli.Commands;

/// <summary>The JSON of <c>senderauth dmarc lint --json</c> (field names are a public contract); the record's fields are null when none was found.</summary>
internal sealed record DmarcLintView(
    string Domain, string? PolicyDomain, string? Record, DmarcPolicy? Policy, DmarcPolicy? SubdomainPolicy, DmarcPolicy? NonExistentPolicy,
    bool? Testing, IReadOnlyList<string>? Rua, IReadOnlyList<Finding> Findings)
{
    public static DmarcLintView From(DmarcLintReport report)
    {
        var r = report.Record;
        return new(report.Domain, report.PolicyDomain, r?.Text, r?.Policy, r?.SubdomainPolicy, r?.NonExistentPolicy, r?.Testing,
            r is null ? null : [.. r.AggregateReportUris.Select(u => u.ToString())], report.Findings);
    }
}
