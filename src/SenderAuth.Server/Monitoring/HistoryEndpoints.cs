using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Monitoring;

/// <summary>A domain's state history: what the monitor's checks moved it through, and why.</summary>
public static class HistoryEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/institutions/{code}/domains/{domain}").WithTags("Rotation and history");
        g.MapGet("/history", HistoryAsync).RequireScope(ApiScope.Read).WithSummary("State transitions with the findings that caused them, newest first");
    }

    private static async Task<Results<Ok<DomainHistory>, ProblemHttpResult>> HistoryAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, string code, string domain, int? page, int? pageSize)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || !PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var row = found.Domain;
        var transitions = await db.Transitions.AsNoTracking().Where(t => t.DomainId == row.Id).OrderByDescending(t => t.Id)
            .ToPagedListAsync(paging, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new DomainHistory(row.State, row.StateReason, row.IncompleteChecks > 0, row.NextCheckAt, row.SigningSuspended,
            transitions.Items.Select(t => new DomainTransitionDto(t.At, t.From, t.To, t.Reason, t.FindingsJson is null ? null : StoredFindings.Read(t.FindingsJson))).ToList(),
            transitions.Page, transitions.PageSize, transitions.Total));
    }
}

/// <summary>GET …/history: the domain's state now, then a page of its state transitions, newest first.</summary>
public sealed record DomainHistory(DomainState State, string? Reason, bool CouldNotCheck, DateTime? NextCheckAt, bool SigningSuspended,
    IReadOnlyList<DomainTransitionDto> Items, int Page, int PageSize, int Total);

/// <summary>One state transition with the check findings that caused it (null when it had none, as a manual change).</summary>
public sealed record DomainTransitionDto(DateTime At, DomainState From, DomainState To, string Reason, IReadOnlyList<Check.CheckFinding>? Findings);
