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
        switch (http.Request.Query["untrusted"].ToString())
        {
            case "": break;
            case "include": analysis.IncludeUntrusted = true; break;
            case "exclude": analysis.IncludeUntrusted = false; break;
            case var other: return new ServiceError.Invalid($"untrusted must be include or exclude, not \"{other}\"", "untrusted");
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
        period ??= "day";
        if (!ReportPeriods.Names.Contains(period))
        {
            return ErrorResponses.Problem(new ServiceError.Invalid("period must be day, week or month", "period"), http);
        }
        if (!IsCsv(format).TryGet(out var csvWanted, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var summary = await analysis.SummaryAsync(c.Institution, c.Domain, c.From, c.To, period, http.RequestAborted).ConfigureAwait(false);
        if (csvWanted)
        {
            var csv = new StringBuilder("period,start,messages,dmarc_pass,dmarc_pass_rate,dkim_aligned,spf_aligned,dkim_pass,spf_pass,none,quarantine,reject\n");
            foreach (var b in summary.Buckets)
            {
                var s = b.Stats;
                csv.Append(CultureInfo.InvariantCulture, $"{b.Label},{b.Start:yyyy-MM-dd},{s.Messages},{s.DmarcPass},{s.DmarcPassRate},{s.DkimAligned},{s.SpfAligned},{s.DkimPass},{s.SpfPass},{s.DispositionNone},{s.DispositionQuarantine},{s.DispositionReject}\n");
            }
            return Csv(csv, $"{c.Domain.Name}-summary-{period}.csv");
        }
        return TypedResults.Ok(summary);
    }

    private static async Task<Results<Ok<object>, FileContentHttpResult, ProblemHttpResult>> SourcesAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, IOptions<ServerOptions> options, string code, string domain,
        string? from, string? to, string? category, int? page, int? pageSize, string? format)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var categories = Enum.GetValues<SourceCategory>();
        var wanted = categories.Where(k => SenderAuthJson.Token(k) == category).Select(k => (SourceCategory?)k).FirstOrDefault();
        if (category is not null && wanted is null)
        {
            return ErrorResponses.Problem(new ServiceError.Invalid($"category must be one of {string.Join(", ", categories.Select(SenderAuthJson.Token))}", "category"), http);
        }
        if (!IsCsv(format).TryGet(out var csvWanted, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var all = await analysis.SourcesAsync(c.Institution, c.Domain, c.From, c.To, http.RequestAborted).ConfigureAwait(false);
        var filtered = all.Where(s => wanted is null || s.Category == wanted).ToList();
        if (csvWanted)
        {
            var csv = new StringBuilder("ip,category,name,messages,dmarc_pass,dkim_aligned,spf_aligned,dkim_pass,spf_pass,first_day,last_day,reporters,dkim_domains\n");
            foreach (var s in filtered)
            {
                var a = s.Source;
                csv.Append(CultureInfo.InvariantCulture, $"{a.Ip},{SenderAuthJson.Token(s.Category)},{Field(s.Name)},{a.Messages},{a.DmarcPass},{a.DkimAligned},{a.SpfAligned},{a.DkimAuthPass},{a.SpfAuthPass},{a.FirstDay:yyyy-MM-dd},{a.LastDay:yyyy-MM-dd},{Field(string.Join(' ', a.Reporters))},{Field(string.Join(' ', a.DkimDomains))}\n");
            }
            return Csv(csv, $"{c.Domain.Name}-sources.csv");
        }
        if (!Scope.Paging(page, pageSize, options.Value.Limits.MaxPageSize).TryGet(out var paging, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var (p, size) = paging;
        var items = await analysis.WithReverseNamesAsync(filtered.Page(p, size).ToList(), http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok<object>(new
        {
            from = c.From,
            to = c.To,
            total = filtered.Count,
            page = p,
            pageSize = size,
            categories = categories.ToDictionary(k => k, k => all.Where(s => s.Category == k).Sum(s => s.Source.Messages)),
            items = items.Select(s => new
            {
                ip = s.Source.Ip, category = s.Category, name = s.Name, reverseName = s.ReverseName, messages = s.Source.Messages, dmarcPass = s.Source.DmarcPass,
                passRate = Math.Round(s.PassRate, 6), dkimAligned = s.Source.DkimAligned, spfAligned = s.Source.SpfAligned, dkimPass = s.Source.DkimAuthPass,
                spfPass = s.Source.SpfAuthPass, forwarded = s.Source.Forwarded, firstDay = s.Source.FirstDay, lastDay = s.Source.LastDay,
                reporters = s.Source.Reporters, dkimDomains = s.Source.DkimDomains, spfDomains = s.Source.SpfDomains,
            }),
        });
    }

    private static async Task<Results<Ok<object>, ProblemHttpResult>> FindingsAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, string code, string domain, string? from, string? to)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var findings = await analysis.FindingsAsync(c.Institution, c.Domain, c.From, c.To, http.RequestAborted).ConfigureAwait(false);
        // Written through the contract like every finding: subject and position are null (a report finding has neither).
        return TypedResults.Ok<object>(new { from = c.From, to = c.To, findings });
    }

    private static async Task<Results<Ok<object>, ProblemHttpResult>> ReconciliationAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, string code, string domain, string? from, string? to)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var r = await analysis.ReconcileAsync(c.Institution, c.Domain, c.From, c.To, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok<object>(new { from = c.From, to = c.To, signed = r.Signed, reportedFromPlatform = r.ReportedFromPlatform, reporters = r.Reporters, excess = r.Excess,
            retiredSelectors = await analysis.RetiredSelectorsAsync(c.Institution, c.Domain, c.From, c.To, http.RequestAborted).ConfigureAwait(false) });
    }

    private static async Task<Results<Ok<object>, ProblemHttpResult>> TimelineAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, string code, string domain, string? from, string? to)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Ok<object>(new { from = c.From, to = c.To, events = await analysis.TimelineAsync(c.Institution, c.Domain, c.From, c.To.AddDays(1), http.RequestAborted).ConfigureAwait(false) });
    }

    private static async Task<Results<Ok<PolicyAdvice>, ProblemHttpResult>> AdviceAsync(HttpContext http, SenderAuthDb db, ReportAnalysis analysis, string code, string domain, string? from, string? to)
    {
        if (!(await ContextAsync(http, db, analysis, code, domain, from, to).ConfigureAwait(false)).TryGet(out var c, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Ok(await analysis.AdviceAsync(c.Institution, c.Domain, c.From, c.To, http.RequestAborted).ConfigureAwait(false));
    }

    private static Result<bool> IsCsv(string? format) => format switch
    {
        null or "json" => false,
        "csv" => true,
        _ => new ServiceError.Invalid("format must be json or csv", "format"),
    };

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
