using SenderAuth.Store.Reports;
using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Cli.Commands;

/// <summary>The JSON of <c>senderauth report summary --json</c> (field names are a public contract): the API's analysis records as they are.</summary>
internal sealed record ReportSummaryView(
    DomainSummary Summary, IReadOnlyList<SummarySourceView> Sources, IReadOnlyList<ReportFinding> Findings, PolicyAdvice Advice, UntrustedReportsView Untrusted);

/// <summary>A source of the summary, by attribution; the category is written by the contract.</summary>
internal sealed record SummarySourceView(string Ip, SourceCategory Category, string? Name, long Messages, long DmarcPass, IReadOnlyList<string> Reporters)
{
    public static SummarySourceView From(AttributedSource s) => new(s.Source.Ip, s.Category, s.Name, s.Source.Messages, s.Source.DmarcPass, s.Source.Reporters);
}

/// <summary>The untrusted reports of the window, and whether they were counted (<c>--include-untrusted</c>).</summary>
internal sealed record UntrustedReportsView(bool Counted, IReadOnlyList<UntrustedReportView> Reports);

/// <summary>One untrusted report (projected by EF Core straight into this record).</summary>
internal sealed record UntrustedReportView(string Org, string ReportId, ReportProvenance Provenance, string Detail, string Origin, long Messages);
