using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Access;

/// <summary>One audit entry as the API serves it: who (key id, name, client address), where (institution), what, when.</summary>
public sealed record AuditEntryDto(long Id, DateTime At, string Actor, long? KeyId, string? Client, string? Institution, string Action, string Subject, string? Detail);

/// <summary>
/// The audit log, newest first: the operator sees every entry and filters by institution, kind and time; an
/// institution key sees its own institution's entries only (another institution's code is 404, as everywhere).
/// </summary>
public static class AuditEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/audit", ListAsync).RequireScope(ApiScope.Admin).WithTags("Audit")
            .WithSummary("The audit log, newest first; ?institution=CODE, ?kind=auth or auth.refused (a dotted prefix), ?from=, ?to= (UTC); institution keys see their own entries");
    }

    private static async Task<Results<Ok<PagedList<AuditEntryDto>>, ProblemHttpResult>> ListAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits,
        string? institution, string? kind, DateTimeOffset? from, DateTimeOffset? to, int? page, int? pageSize)
    {
        var caller = Caller.From(http);
        if (!PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var query = db.Audit.AsNoTracking();
        if (caller.InstitutionId is { } own)
        {
            query = query.Where(a => a.InstitutionId == own);
        }
        if (institution is not null)
        {
            // Deleted institutions keep their history: the code is looked up past the soft-delete filter.
            var id = await db.Institutions.IgnoreQueryFilters().Where(i => i.Code == institution).Select(i => (long?)i.Id).FirstOrDefaultAsync(http.RequestAborted).ConfigureAwait(false);
            if (id is null || !caller.CanSee(id.Value))
            {
                return ErrorResponses.Problem(new ServiceError.NotFound($"no institution \"{institution}\""), http);
            }
            query = query.Where(a => a.InstitutionId == id);
        }
        if (kind is not null)
        {
            if (kind.Length is 0 or > 64 || !kind.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
            {
                return ErrorResponses.Problem(new ServiceError.Invalid("kind is an action such as domain.delete, or its first part such as auth", "kind"), http);
            }
            var prefix = kind + ".";
            query = query.Where(a => a.Action == kind || a.Action.StartsWith(prefix));
        }
        if (from is { } f)
        {
            var since = f.UtcDateTime;
            query = query.Where(a => a.At >= since);
        }
        if (to is { } t)
        {
            var until = t.UtcDateTime;
            query = query.Where(a => a.At < until);
        }
        var items = await query.OrderByDescending(a => a.Id)
            .ToPagedListAsync(paging, a => new AuditEntryDto(a.Id, a.At, a.Actor, a.KeyId, a.Client,
                db.Institutions.IgnoreQueryFilters().Where(i => i.Id == a.InstitutionId).Select(i => i.Code).FirstOrDefault(),
                a.Action, a.Subject, a.Detail), http.RequestAborted)
            .ConfigureAwait(false);
        return TypedResults.Ok(items);
    }
}
