using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Server.Dashboard;

public sealed record DomainRow(string Code, string InstitutionName, string Domain, DomainState State, string? Reason, bool SigningEnabled,
    bool SigningSuspended, bool CouldNotCheck, DateTime? LastCheckedAt);

public sealed record InstitutionRow(string Code, string Name, int Domains, int NeedAttention);

/// <summary>
/// The overview's rows: domains the caller may see (an institution key: its own institution only, as in the API),
/// those needing attention first (failed, degraded, could not check, pending, then verified), searched by domain,
/// institution code or name, paged in the database.
/// </summary>
public static class OverviewQuery
{
    public static async Task<PagedList<DomainRow>> DomainsAsync(SenderAuthDb db, Caller caller, long? institutionId, string? search, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        var query = from d in db.Domains.AsNoTracking()
                    join i in db.Institutions.AsNoTracking() on d.InstitutionId equals i.Id
                    select new { d, i };
        if (caller.InstitutionId is { } own)
        {
            query = query.Where(x => x.i.Id == own);
        }
        if (institutionId is { } only)
        {
            query = query.Where(x => x.i.Id == only);
        }
        if (Normalize(search) is { } q)
        {
            query = query.Where(x => x.d.Name.Contains(q) || x.i.Code.Contains(q) || x.i.Name.ToLower().Contains(q));
        }
        return await query
            .OrderBy(x => x.d.State == DomainState.Failed ? 0 : x.d.State == DomainState.Degraded ? 1 : x.d.IncompleteChecks > 0 ? 2 : x.d.State == DomainState.Pending ? 3 : 4)
            .ThenBy(x => x.d.Name)
            .ToPagedListAsync(page, x => new DomainRow(x.i.Code, x.i.Name, x.d.Name, x.d.State, x.d.StateReason, x.d.SigningEnabled, x.d.SigningSuspended, x.d.IncompleteChecks > 0, x.d.LastCheckedAt), ct)
            .ConfigureAwait(false);
    }

    public static async Task<PagedList<InstitutionRow>> InstitutionsAsync(SenderAuthDb db, Caller caller, string? search, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        var query = db.Institutions.AsNoTracking();
        if (caller.InstitutionId is { } own)
        {
            query = query.Where(i => i.Id == own);
        }
        if (Normalize(search) is { } q)
        {
            query = query.Where(i => i.Code.Contains(q) || i.Name.ToLower().Contains(q) || db.Domains.Any(d => d.InstitutionId == i.Id && d.Name.Contains(q)));
        }
        return await query.OrderBy(i => i.Code)
            .ToPagedListAsync(page, i => new InstitutionRow(i.Code, i.Name,
                db.Domains.Count(d => d.InstitutionId == i.Id),
                db.Domains.Count(d => d.InstitutionId == i.Id && (d.State == DomainState.Failed || d.State == DomainState.Degraded || d.IncompleteChecks > 0))), ct)
            .ConfigureAwait(false);
    }

    /// <summary>Domains and codes are stored in lower case; a search is at most 100 characters.</summary>
    private static string? Normalize(string? search)
    {
        var q = search?.Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(q) ? null : q.Length > 100 ? q[..100] : q;
    }
}
