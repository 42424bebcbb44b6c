namespace SenderAuth.Server.Reports;

/// <summary>
/// <c>?untrusted=</c> on the analysis endpoints and the dashboard's reports page: count reports whose provenance is
/// not proven too (<c>include</c>) or not (<c>exclude</c>); absent, <c>Reports:IncludeUntrusted</c> decides.
/// </summary>
public enum UntrustedReports
{
    Include,
    Exclude,
}

/// <summary><c>?format=</c> of the summary and the sources: JSON (the default) or CSV for spreadsheets.</summary>
public enum ReportFormat
{
    Json,
    Csv,
}
