using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Domains;

/// <summary>
/// The operator's view of domain conflicts: registrations refused because another institution holds the domain,
/// and their resolution (transfer to a claimant who proved control, or dismissal). Operator keys only.
/// </summary>
public static class DomainClaimEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/domain-claims").WithTags("Domain claims");
        g.MapGet("/", ListAsync).RequireScope(ApiScope.Admin).WithSummary("Refused duplicate registrations, newest first, paged; ?open=false includes resolved ones (operator)");
        g.MapPost("/{id:long}/transfer", TransferAsync).RequireScope(ApiScope.Admin)
            .WithSummary("Give the domain to the claimant once TXT _senderauth-challenge.<domain> holds the claim's token (operator)");
        g.MapPost("/{id:long}/dismiss", DismissAsync).RequireScope(ApiScope.Admin).WithSummary("Close the claim; the holder keeps the domain (operator)");
    }

    /// <summary>A refused duplicate registration: who claims the domain, who holds it, and the TXT record that proves control.</summary>
    public sealed record DomainClaimDto(long Id, string Domain, string Claimant, string? Holder, DateTime At, int Attempts,
        string ChallengeName, string ChallengeValue, DateTime? ResolvedAt, ClaimResolution? Resolution);

    /// <summary>A claim closed by dismissal (the holder keeps the domain).</summary>
    public sealed record ClaimResolved(long Claim, ClaimResolution? Resolution);

    /// <summary>A claim closed by transfer, with the domain as its new institution now holds it.</summary>
    public sealed record ClaimTransferred(long Claim, ClaimResolution? Resolution, DomainDto Domain);

    private static async Task<Results<Ok<PagedList<DomainClaimDto>>, ProblemHttpResult>> ListAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits,
        bool? open, int? page, int? pageSize)
    {
        if (Scope.RequireOperator(Caller.From(http)) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        if (!PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var query = db.DomainClaims.AsNoTracking();
        if (open ?? true)
        {
            query = query.Where(c => c.ResolvedAt == null);
        }
        var claims = await query.OrderByDescending(c => c.Id).ToPagedListAsync(paging, http.RequestAborted).ConfigureAwait(false);
        var names = claims.Items.Select(c => c.DomainName).Distinct().ToList();
        var holders = await db.Domains.AsNoTracking().Where(d => names.Contains(d.Name))
            .Select(d => new { d.Name, d.Institution!.Code }).ToDictionaryAsync(d => d.Name, d => d.Code, http.RequestAborted).ConfigureAwait(false);
        var claimants = claims.Items.Select(c => c.ClaimantInstitutionId).Distinct().ToList();
        var codes = await db.Institutions.AsNoTracking().Where(i => claimants.Contains(i.Id))
            .ToDictionaryAsync(i => i.Id, i => i.Code, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(claims.Map(c => new DomainClaimDto(c.Id, c.DomainName, codes.GetValueOrDefault(c.ClaimantInstitutionId, "?"), holders.GetValueOrDefault(c.DomainName),
            c.At, c.Attempts, DomainVerification.ChallengeName(c.DomainName), DomainVerification.ChallengeValue(c.ChallengeToken), c.ResolvedAt, c.Resolution)));
    }

    private static async Task<Results<Ok<ClaimTransferred>, ProblemHttpResult>> TransferAsync(HttpContext http, SenderAuthDb db, DomainTransfer domains, long id)
    {
        var caller = Caller.From(http);
        if (Scope.RequireOperator(caller) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        if (await db.DomainClaims.FirstOrDefaultAsync(c => c.Id == id, http.RequestAborted).ConfigureAwait(false) is not { } claim)
        {
            return ErrorResponses.Problem(new ServiceError.NotFound($"no domain claim {id}"), http);
        }
        if (!(await domains.TransferAsync(claim, caller, http.RequestAborted).ConfigureAwait(false)).TryGet(out var domain, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var code = await db.Institutions.Where(i => i.Id == domain.InstitutionId).Select(i => i.Code).FirstAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ClaimTransferred(claim.Id, claim.Resolution, DomainDto.From(domain, code)));
    }

    private static async Task<Results<Ok<ClaimResolved>, ProblemHttpResult>> DismissAsync(HttpContext http, SenderAuthDb db, TimeProvider time, long id)
    {
        var caller = Caller.From(http);
        if (Scope.RequireOperator(caller) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        if (await db.DomainClaims.FirstOrDefaultAsync(c => c.Id == id, http.RequestAborted).ConfigureAwait(false) is not { } claim)
        {
            return ErrorResponses.Problem(new ServiceError.NotFound($"no domain claim {id}"), http);
        }
        if (claim.ResolvedAt is null)
        {
            claim.ResolvedAt = time.GetUtcNow().UtcDateTime;
            claim.Resolution = ClaimResolution.Dismissed;
            db.Record(time, caller, claim.ClaimantInstitutionId, AuditActions.DomainClaimDismiss, claim.DomainName, $"claim {claim.Id}");
            await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        }
        return TypedResults.Ok(new ClaimResolved(claim.Id, claim.Resolution));
    }
}
