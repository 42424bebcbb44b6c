using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>
/// A domain's DMARC reports: volume and pass rate over time, sources with their attribution, findings and the
/// advisor's next step, from the same <see cref="ReportAnalysis"/> as the report API, with the same scoping.
/// </summary>
public sealed class ReportsModel(SenderAuthDb db, ReportAnalysis analysis) : DashboardPage
{
    /// <summary>Sources shown (most messages first); the API and its CSV have them all.</summary>
    public const int SourceRows = 50;

    /// <summary>Reverse DNS names are looked up for the first rows only: each costs a DNS query (bounded at 3 s).</summary>
    private const int ReverseNames = 20;

    public Institution Institution { get; private set; } = null!;
    public SenderDomain Domain { get; private set; } = null!;
    public ReportPeriod Period { get; private set; } = ReportPeriod.Day;

    /// <summary>The period's word in links and the form: the JSON contract's token, as the API reads it.</summary>
    public string PeriodWord => SenderAuth.Json.SenderAuthJson.Token(Period);
    public DomainSummary Summary { get; private set; } = null!;
    public IReadOnlyList<AttributedSource> Sources { get; private set; } = [];
    public int SourceCount { get; private set; }
    public IReadOnlyList<ReportFinding> Findings { get; private set; } = [];
    public PolicyAdvice Advice { get; private set; } = null!;
    public string? Error { get; private set; }

    /// <summary>Reports in the window whose provenance is not trusted (uploads, unauthenticated mail), newest first: shown as such.</summary>
    public IReadOnlyList<StoredReport> Untrusted { get; private set; } = [];

    public int UntrustedCount { get; private set; }

    /// <summary>Reports in the window imported only after recovering from a reporter's quirk, newest first, with their warnings.</summary>
    public IReadOnlyList<(StoredReport Report, IReadOnlyList<SenderAuth.Reports.DmarcReportWarning> Warnings)> WithWarnings { get; private set; } = [];

    public int WithWarningsCount { get; private set; }

    /// <summary>Warnings listed per report on the page; the API returns them all.</summary>
    public const int WarningRows = 10;

    /// <summary>Failure reports shown (newest first); the API pages through them all.</summary>
    public const int FailureRows = 50;

    /// <summary>The domain's newest failure reports (RFC 9991), whatever the window: each is one message, read as it comes.</summary>
    public IReadOnlyList<StoredFailureReport> FailureReports { get; private set; } = [];

    public int FailureReportCount { get; private set; }

    /// <summary>The page counts untrusted reports too (?untrusted=include).</summary>
    public bool IncludeUntrusted { get; private set; }

    /// <summary>The chart data, read by reports.js from a JSON data block (no inline script: the CSP allows none).</summary>
    public string ChartJson => JsonSerializer.Serialize(new
    {
        labels = Summary.Buckets.Select(b => b.Label),
        messages = Summary.Buckets.Select(b => b.Stats.Messages),
        pass = Summary.Buckets.Select(b => b.Stats.DmarcPass),
        passRate = Summary.Buckets.Select(b => b.Stats.DmarcPassRate is { } r ? Math.Round(r * 100, 2) : (double?)null),
    });

    public static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "—";

    public static string Day(DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<IActionResult> OnGetAsync(string code, string domain, string? period, string? from, string? to, string? untrusted)
    {
        var ct = HttpContext.RequestAborted;
        // Another institution's domain, or a malformed name, is "not found", as in the API.
        if (!(await Scope.DomainAsync(db, Caller, code, domain, ct).ConfigureAwait(false)).TryGet(out var found, out _))
        {
            return NotFound();
        }
        (Institution, Domain) = found;
        Period = QueryWords.Parse(period, "period", ReportPeriod.Day).TryGet(out var bucket, out _) ? bucket : ReportPeriod.Day;
        if (QueryWords.Optional<UntrustedReports>(untrusted, "untrusted").TryGet(out var choice, out _) && choice is { } counted)
        {
            analysis.IncludeUntrusted = counted == UntrustedReports.Include;
        }
        IncludeUntrusted = analysis.IncludeUntrusted;
        var (start, end) = await analysis.WindowAsync(Domain, Parse(from), Parse(to), ct).ConfigureAwait(false);
        if (end < start || (end - start).TotalDays > 3660)
        {
            Error = "The window must start before it ends and span at most ten years; showing the default window.";
            (start, end) = await analysis.WindowAsync(Domain, null, null, ct).ConfigureAwait(false);
        }
        Summary = await analysis.SummaryAsync(Institution, Domain, start, end, Period, ct).ConfigureAwait(false);
        var (sources, findings, advice) = await analysis.ReviewAsync(Institution, Domain, start, end, ct).ConfigureAwait(false);
        SourceCount = sources.Count;
        var shown = sources.OrderByDescending(s => s.Source.Messages).Take(SourceRows).ToList();
        var named = await analysis.WithReverseNamesAsync(shown.Take(ReverseNames).ToList(), ct).ConfigureAwait(false);
        Sources = [.. named, .. shown.Skip(ReverseNames)];
        Findings = findings;
        Advice = advice;
        var untrustedInWindow = db.Reports.AsNoTracking().Where(r => r.DomainId == Domain.Id && !r.Trusted && r.Begin < end.AddDays(1) && r.End >= start);
        UntrustedCount = await untrustedInWindow.CountAsync(ct).ConfigureAwait(false);
        Untrusted = await untrustedInWindow.OrderByDescending(r => r.Id).Take(20).ToListAsync(ct).ConfigureAwait(false);
        var warnedInWindow = db.Reports.AsNoTracking().Where(r => r.DomainId == Domain.Id && r.Warnings != null && r.Begin < end.AddDays(1) && r.End >= start);
        WithWarningsCount = await warnedInWindow.CountAsync(ct).ConfigureAwait(false);
        WithWarnings = [.. (await warnedInWindow.OrderByDescending(r => r.Id).Take(20).ToListAsync(ct).ConfigureAwait(false))
            .Select(r => (r, ReportWarnings.FromJson(r.Warnings)))];

        var failures = db.FailureReports.AsNoTracking().Where(r => r.DomainId == Domain.Id);
        FailureReportCount = await failures.CountAsync(ct).ConfigureAwait(false);
        FailureReports = await failures.OrderByDescending(r => r.ReceivedAt).ThenByDescending(r => r.Id).Take(FailureRows).ToListAsync(ct).ConfigureAwait(false);
        return Page();
    }

    /// <summary>A malformed date is ignored (the default window), not an error page: the form below offers the right format.</summary>
    private static DateTime? Parse(string? value) =>
        DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? DateTime.SpecifyKind(d, DateTimeKind.Utc)
            : null;
}
