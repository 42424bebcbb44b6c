using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Keys;

/// <summary>A domain's DKIM keys: the list (public parts only) and bringing one's own key for a selector.</summary>
public static class KeyEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        // The same routes and tag as when these lived with the domain endpoints: clients and the document see no move.
        var g = api.MapGroup("/institutions/{code}/domains").WithTags("Domains");
        g.MapGet("/{domain}/keys", KeysAsync).RequireScope(ApiScope.Read).WithSummary("The domain's DKIM keys (public parts only)");
        g.MapPut("/{domain}/keys/{selector}", ImportKeyAsync).RequireScope(ApiScope.ManageDomains).Accepts<ImportKeyRequest>("application/json")
            .WithSummary("Bring your own key (PEM, RSA ≥ 1024 or Ed25519) for a selector that is not signing");
    }

    private static async Task<Results<Ok<PagedList<KeyDto>>, ProblemHttpResult>> KeysAsync(HttpContext http, SenderAuthDb db, IOptions<ProviderOptions> provider, IOptions<ApiLimits> limits,
        string code, string domain, int? page, int? pageSize)
    {
        // Paged like every list: revoked keys stay as rows, so the list grows with each rotation.
        if (!PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out var error)
            || !(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var (institution, row) = found;
        // The Ed25519 pair's keys too, whenever it has some (also after the domain turned it off: they stay published).
        var targets = provider.Value.DomainKeyTargets(institution.Code, row.Name, ed25519: true).ToList();
        var keys = await db.Keys.AsNoTracking().Where(k => k.InstitutionId == institution.Id && targets.Contains(k.TargetName))
            .OrderBy(k => k.Id).ToPagedListAsync(paging, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(keys.Map(KeyDto.From));
    }

    private static async Task<Results<Created<KeyDto>, ProblemHttpResult>> ImportKeyAsync(HttpContext http, SenderAuthDb db, DomainSigning domains, string code, string domain, string selector)
    {
        var caller = Caller.From(http);
        if (!(await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || !(await RequestBody.ReadAsync<ImportKeyRequest>(http.Request).ConfigureAwait(false)).TryGet(out var body, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        if (body.Pem is not { } pem)
        {
            return ErrorResponses.Problem(new ServiceError.Invalid("pem is required", "pem"), http);
        }
        if (!(await domains.ImportKeyAsync(found.Institution, found.Domain, caller, selector, pem, http.RequestAborted).ConfigureAwait(false)).TryGet(out var key, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Created($"/api/v1/institutions/{code}/domains/{found.Domain.Name}/keys", KeyDto.From(key));
    }
}
