using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SenderAuth.Json;

namespace SenderAuth.Server.Reports;

/// <summary>
/// Per domain and window (?from=YYYY-MM-DD&amp;to=YYYY-MM-DD, default: the advisor's window up to the newest report):
/// summary by period, sources with their attribution, findings, reconciliation, the timeline and the advice.
/// Summary and sources also come as CSV (?format=csv). Only reports with trusted provenance are counted unless
/// <c>?untrusted=include</c> (or <c>Reports:IncludeUntrusted</c>) asks for the others too.
/// </summary>
public static class ReportAnalysisEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/institutions/{code}/domains/{domain}/reports").WithTags("DMARC reports");
        g.MapGet("/summary", SummaryAsync).RequireScope(ApiScope.Read).WithSummary("Volume, DMARC pass rate, SPF/DKIM pass and alignment rates and dispositions per day, week or month (?period=), with the timeline's events");
        g.MapGet("/sources", SourcesAsync).RequireScope(ApiScope.Read).WithSummary("Sources with their attribution (?category=platform|declared|forwarder|third-party|unknown), reverse names and reporters; paged");
        g.MapGet("/findings", FindingsAsync).RequireScope(ApiScope.Read).WithSummary("What the reports show: our own mail failing, new senders, forwarding, spoofing, retired selectors, more reported than sent");
        g.MapGet("/reconciliation", ReconciliationAsync).RequireScope(ApiScope.Read).WithSummary("Report volume from our networks against the messages we signed, per reporter");
        g.MapGet("/timeline", TimelineAsync).RequireScope(ApiScope.Read).WithSummary("Key rotations, DNS changes seen by the checks, configuration changes");
        g.MapGet("/advice", AdviceAsync).RequireScope(ApiScope.Read).WithSummary("The next safe policy step for DMARC and SPF with its evidence and the exact record, and how each third-party sender should be set up");
    }

    private sealed record Context(Institution Institution, SenderDomain Domain, DateTime From, DateTime To);

    private static async Task<Result<Context>> ContextAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, string code, string domain, string? from, string? to)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || !Day(from, "from").TryGet(out var start, out error)
            || !Day(to, "to").TryGet(out var end, out error))
        {
            return error;
        }
        // Read from the query here rather than as a parameter of each of the six endpoints: every one of them takes it.
        if (!QueryWords.Optional<UntrustedReports>(http.Request.Query["untrusted"].ToString(), "untrusted").TryGet(out var untrusted, out error))
        {
            return error;
        }
        if (untrusted is { } choice)
        {
            analysis.IncludeUntrusted = choice == UntrustedReports.Include;
        }
        var (institution, row) = found;
        var (f, t) = await analysis.WindowAsync(row, start, end, http.RequestAborted).ConfigureAwait(false);
        if (t < f)
        {
            return new ServiceError.Invalid($"to ({t:yyyy-MM-dd}) is before from ({f:yyyy-MM-dd})", "to");
        }
        if ((t - f).TotalDays > 3660)
        {
            return new ServiceError.Invalid("a window is at most ten years", "from");
        }
        return new Context(institution, row, f, t);
    }

    private static Result<DateTime?> Day(string? value, string field)
    {
        if (value is null)
        {
            return (DateTime?)null;
        }
        return DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? (DateTime?)DateTime.SpecifyKind(d, DateTimeKind.Utc)
            : new ServiceError.Invalid($"{field} must be a date as YYYY-MM-DD, not \"{value}\"", field);
    }

    private static async Task<Results<Ok<DomainSummary>, FileContentHttpResult, ProblemHttpResult>> SummaryAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, string code, string domain,
        string? from, string? to, string? period, string? format)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        if (!QueryWords.Parse(period, "period", ReportPeriod.Day).TryGet(out var bucket, out error)
            || !QueryWords.Parse(format, "format", ReportFormat.Json).TryGet(out var wanted, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var summary = await analysis.SummaryAsync(c.Institution, c.Domain, c.From, c.To, bucket, http.RequestAborted).ConfigureAwait(false);
        if (wanted == ReportFormat.Csv)
        {
            var csv = new StringBuilder("period,start,messages,dmarc_pass,dmarc_pass_rate,dkim_aligned,spf_aligned,dkim_pass,spf_pass,none,quarantine,reject\n");
            foreach (var b in summary.Buckets)
            {
                var s = b.Stats;
                csv.Append(CultureInfo.InvariantCulture, $"{b.Label},{b.Start:yyyy-MM-dd},{s.Messages},{s.DmarcPass},{s.DmarcPassRate},{s.DkimAligned},{s.SpfAligned},{s.DkimPass},{s.SpfPass},{s.DispositionNone},{s.DispositionQuarantine},{s.DispositionReject}\n");
            }
            return Csv(csv, $"{c.Domain.Name}-summary-{SenderAuthJson.Token(bucket)}.csv");
        }
        return TypedResults.Ok(summary);
    }

    private static async Task<Results<Ok<ReportSourcesResponse>, FileContentHttpResult, ProblemHttpResult>> SourcesAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, IOptions<ApiLimits> limits, string code, string domain,
        string? from, string? to, string? category, int? page, int? pageSize, string? format)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var categories = Enum.GetValues<SourceCategory>();
        var wantedCategory = categories.Where(k => SenderAuthJson.Token(k) == category).Select(k => (SourceCategory?)k).FirstOrDefault();
        if (category is not null && wantedCategory is null)
        {
            return ErrorResponses.Problem(new ServiceError.Invalid($"category must be one of {string.Join(", ", categories.Select(SenderAuthJson.Token))}", "category"), http);
        }
        if (!QueryWords.Parse(format, "format", ReportFormat.Json).TryGet(out var wanted, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var all = await analysis.SourcesAsync(c.Institution, c.Domain, c.From, c.To, http.RequestAborted).ConfigureAwait(false);
        var filtered = all.Where(s => category is null || s.Category == wantedCategory).ToList();
        if (wanted == ReportFormat.Csv)
        {
            var csv = new StringBuilder("ip,category,name,messages,dmarc_pass,dkim_aligned,spf_aligned,dkim_pass,spf_pass,first_day,last_day,reporters,dkim_domains\n");
            foreach (var s in filtered)
            {
                var a = s.Source;
                csv.Append(CultureInfo.InvariantCulture, $"{a.Ip},{SenderAuthJson.Token(s.Category)},{Field(s.Name)},{a.Messages},{a.DmarcPass},{a.DkimAligned},{a.SpfAligned},{a.DkimAuthPass},{a.SpfAuthPass},{a.FirstDay:yyyy-MM-dd},{a.LastDay:yyyy-MM-dd},{Field(string.Join(' ', a.Reporters))},{Field(string.Join(' ', a.DkimDomains))}\n");
            }
            return Csv(csv, $"{c.Domain.Name}-sources.csv");
        }
        if (!PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var shown = filtered.ToPagedList(paging);
        var items = await analysis.WithReverseNamesAsync(shown.Items, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ReportSourcesResponse(c.From, c.To, shown.Total, shown.Page, shown.PageSize,
            categories.ToDictionary(k => k, k => all.Where(s => s.Category == k).Sum(s => s.Source.Messages)),
            items.Select(AttributedSourceDto.From).ToList()));
    }

    private static async Task<Results<Ok<ReportFindingsResponse>, ProblemHttpResult>> FindingsAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, string code, string domain, string? from, string? to)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var findings = await analysis.FindingsAsync(c.Institution, c.Domain, c.From, c.To, http.RequestAborted).ConfigureAwait(false);
        // Written through the contract like every finding: subject and position are null (a report finding has neither).
        return TypedResults.Ok(new ReportFindingsResponse(c.From, c.To, findings));
    }

    private static async Task<Results<Ok<ReconciliationResponse>, ProblemHttpResult>> ReconciliationAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, string code, string domain, string? from, string? to)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var r = await analysis.ReconcileAsync(c.Institution, c.Domain, c.From, c.To, http.RequestAborted).ConfigureAwait(false);
        var retired = await analysis.RetiredSelectorsAsync(c.Institution, c.Domain, c.From, c.To, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ReconciliationResponse(c.From, c.To, r.Signed, r.ReportedFromPlatform, r.Reporters, r.Excess, retired));
    }

    private static async Task<Results<Ok<ReportTimelineResponse>, ProblemHttpResult>> TimelineAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, string code, string domain, string? from, string? to)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var events = await analysis.TimelineAsync(c.Institution, c.Domain, c.From, c.To.AddDays(1), http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ReportTimelineResponse(c.From, c.To, events));
    }

    private static async Task<Results<Ok<PolicyAdvice>, ProblemHttpResult>> AdviceAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, string code, string domain, string? from, string? to)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Ok(await analysis.AdviceAsync(c.Institution, c.Domain, c.From, c.To, http.RequestAborted).ConfigureAwait(false));
    }

    private static FileContentHttpResult Csv(StringBuilder csv, string name) =>
        TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", name);

    /// <summary>
    /// RFC 4180 quoting for fields that may hold commas or quotes; names come from reports (anyone can write
    /// them), so a leading = + - @ is neutralised before a spreadsheet takes it for a formula.
    /// </summary>
    private static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
