using SenderAuth.Spf;

namespace SenderAuth.Cli.Commands;

/// <summary>The JSON of <c>senderauth spf lint --json</c> (field names are a public contract).</summary>
/// <param name="Findings">Through the contract: the subject is the domain whose record the finding concerns.</param>
internal sealed record SpfLintView(string? Domain, string? Record, int DnsLookups, int VoidLookups, IReadOnlyList<SpfLintTerm> Terms, IReadOnlyList<Finding> Findings)
{
    public static SpfLintView From(SpfLintReport report) =>
        new(report.Domain, report.Record, report.TotalDnsLookups, report.VoidLookups, report.Terms, report.Findings);
}
