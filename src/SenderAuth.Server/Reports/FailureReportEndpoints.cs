using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Store.Reports;

namespace SenderAuth.Server.Reports;

/// <summary>
/// The failure reports (RFC 9991) stored for a domain, newest first: the list (paged, without the headers) and one
/// report with the reported message's headers. Scoped like every domain endpoint: an institution sees its own.
/// </summary>
public static class FailureReportEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/institutions/{code}/domains/{domain}/failure-reports").WithTags("DMARC reports");
        g.MapGet("", ListAsync).RequireScope(ApiScope.Read)
            .WithSummary("Failure reports about the domain, newest first, paged: source IP, From, MAIL FROM, DKIM domain and selector, Auth-Failure, Authentication-Results, arrival date, provenance");
        g.MapGet("/{id:long}", OneAsync).RequireScope(ApiScope.Read)
            .WithSummary("One failure report with the reported message's header fields (never its body)");
        api.MapGet("/reports/failure-reports/foreign", ForeignAsync).RequireScope(ApiScope.Read).WithTags("DMARC reports")
            .WithSummary("Failure reports about domains that are not ours, or mailed to one institution's address about another's (operators), newest first, paged, with the warning");
    }

    /// <summary>
    /// The rows stored without a domain (foreign, misrouted, not yet verified): no institution may see them, so the
    /// operator does, as with aggregate reports' /reports/foreign.
    /// </summary>
    private static async Task<Results<Ok<PagedList<FailureReportDto>>, ProblemHttpResult>> ForeignAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, int? page, int? pageSize)
    {
        if (Scope.RequireOperator(Caller.From(http)) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        if (!PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var rows = await db.FailureReports.AsNoTracking().Where(r => r.DomainId == null).OrderByDescending(r => r.ReceivedAt).ThenByDescending(r => r.Id)
            .ToPagedListAsync(paging, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(rows.Map(r => FailureReportDto.From(r, withHeaders: false)));
    }

    private static async Task<Results<Ok<PagedList<FailureReportDto>>, ProblemHttpResult>> ListAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, string code, string domain,
        int? page, int? pageSize)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || !PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var domainId = found.Domain.Id;
        var rows = await db.FailureReports.AsNoTracking().Where(r => r.DomainId == domainId).OrderByDescending(r => r.ReceivedAt).ThenByDescending(r => r.Id)
            .ToPagedListAsync(paging, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(rows.Map(r => FailureReportDto.From(r, withHeaders: false)));
    }

    private static async Task<Results<Ok<FailureReportDto>, ProblemHttpResult>> OneAsync(HttpContext http, SenderAuthDb db, string code, string domain, long id)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var row = await db.FailureReports.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id && r.DomainId == found.Domain.Id, http.RequestAborted).ConfigureAwait(false);
        return row is null
            ? ErrorResponses.Problem(new ServiceError.NotFound($"no failure report {id} for {found.Domain.Name}"), http)
            : TypedResults.Ok(FailureReportDto.From(row, withHeaders: true));
    }
}
