using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using SenderAuth.Server.Auth;
using SenderAuth.Server.Data;
using SenderAuth.Server.Hosting;
using SenderAuth.Server.Onboarding;

namespace SenderAuth.Server.Api;

/// <summary>Operator keys and their revocation (institution keys are issued under /institutions/{code}/api-keys).</summary>
public static class ApiKeyEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/api-keys").WithTags("API keys");
        g.MapGet("/", ListAsync).WithSummary("Every API key: name, visible prefix, institution, state (operator)");
        g.MapPost("/", CreateAsync).Accepts<CreateApiKeyRequest>("application/json").Produces<ApiKeyCreated>(201)
            .WithSummary("Issue another operator key; shown once (operator)");
        g.MapDelete("/{id:long}", RevokeAsync).Produces(204).WithSummary("Revoke a key; the last operator key cannot be revoked (operator)");
    }

    private static async Task<IResult> ListAsync(HttpContext http, SenderAuthDb db)
    {
        Scope.RequireOperator(Caller.From(http.User));
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id)
            .Select(k => new
            {
                k.Id,
                k.Name,
                k.Prefix,
                Institution = db.Institutions.Where(i => i.Id == k.InstitutionId).Select(i => i.Code).FirstOrDefault(),
                k.CreatedAt,
                k.RevokedAt,
            }).ToListAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.Ok(keys);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, SenderAuthDb db, TimeProvider time)
    {
        var caller = Caller.From(http.User);
        Scope.RequireOperator(caller);
        return Results.Created("/api/v1/api-keys", await IssueAsync(http, db, time, caller, null).ConfigureAwait(false));
    }

    /// <summary>Issues a key (for the institution, or an operator key when null); only its hash is stored, the key is shown once.</summary>
    internal static async Task<ApiKeyCreated> IssueAsync(HttpContext http, SenderAuthDb db, TimeProvider time, Caller caller, Institution? institution)
    {
        var body = await RequestBody.ReadAsync<CreateApiKeyRequest>(http.Request).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 100)
        {
            throw new ApiException(400, "name is required (1 to 100 characters)", "name");
        }
        var name = body.Name.Trim();
        var key = ApiKeyFormat.Generate();
        db.ApiKeys.Add(new ApiKey { Name = name, Prefix = ApiKeyFormat.Visible(key), Hash = ApiKeyFormat.Hash(key), InstitutionId = institution?.Id, CreatedAt = time.GetUtcNow().UtcDateTime });
        db.Record(time, caller, institution?.Id, "apikey.create", institution?.Code ?? $"operator:{name}", institution is null ? null : name);
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return new ApiKeyCreated(name, key, institution?.Code, "store this key now: it is not shown again");
    }

    private static async Task<IResult> RevokeAsync(HttpContext http, SenderAuthDb db, TimeProvider time, IMemoryCache cache, long id)
    {
        var caller = Caller.From(http.User);
        Scope.RequireOperator(caller);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, http.RequestAborted).ConfigureAwait(false)
            ?? throw new ApiException(404, $"no API key {id}");
        if (key.RevokedAt is null)
        {
            if (key.InstitutionId is null && !await db.ApiKeys.AnyAsync(k => k.Id != id && k.InstitutionId == null && k.RevokedAt == null, http.RequestAborted).ConfigureAwait(false))
            {
                throw new ApiException(409, "this is the last operator key: issue another one before revoking it");
            }
            key.RevokedAt = time.GetUtcNow().UtcDateTime;
            db.Record(time, caller, key.InstitutionId, "apikey.revoke", key.Prefix + "…", key.Name);
            await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
            // At once on this instance; other instances' caches let it work for at most 10 s more.
            cache.Remove(Convert.ToHexString(key.Hash));
        }
        return Results.NoContent();
    }
}
