using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Access;

/// <summary>Operator keys and their revocation (institution keys are issued under /institutions/{code}/api-keys).</summary>
public static class ApiKeyEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/api-keys").WithTags("API keys");
        g.MapGet("/", ListAsync).RequireScope(ApiScope.Admin).WithSummary("Every API key, oldest first, paged: name, visible prefix, institution, state (operator)");
        g.MapPost("/", CreateAsync).RequireScope(ApiScope.Admin).Accepts<CreateApiKeyRequest>("application/json")
            .WithSummary("Issue another operator key; shown once (operator)");
        g.MapDelete("/{id:long}", RevokeAsync).RequireScope(ApiScope.Admin).WithSummary("Revoke a key; the last operator key cannot be revoked (operator)");
    }

    private static async Task<Results<Ok<PagedList<ApiKeyDto>>, ProblemHttpResult>> ListAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, int? page, int? pageSize)
    {
        ServiceError? error;
        if ((error = Scope.RequireOperator(Caller.From(http))) is not null
            || !PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id)
            .ToPagedListAsync(paging, k => new
            {
                k.Id,
                k.Name,
                k.Prefix,
                k.Scopes,
                Institution = db.Institutions.Where(i => i.Id == k.InstitutionId).Select(i => i.Code).FirstOrDefault(),
                k.CreatedAt,
                k.RevokedAt,
            }, http.RequestAborted).ConfigureAwait(false);
        // Scopes are stored as text: read back after the query, not inside it.
        return TypedResults.Ok(keys.Map(k => new ApiKeyDto(k.Id, k.Name, k.Prefix, ApiScopes.Load(k.Scopes), k.Institution, k.CreatedAt, k.RevokedAt)));
    }

    private static async Task<Results<Created<ApiKeyCreated>, ProblemHttpResult>> CreateAsync(HttpContext http, SenderAuthDb db, TimeProvider time)
    {
        var caller = Caller.From(http);
        ServiceError? error;
        if ((error = Scope.RequireOperator(caller)) is not null
            || !(await IssueAsync(http, db, time, caller, null).ConfigureAwait(false)).TryGet(out var created, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Created("/api/v1/api-keys", created);
    }

    /// <summary>Issues a key (for the institution, or an operator key when null); only its hash is stored, the key is shown once.</summary>
    internal static async Task<Result<ApiKeyCreated>> IssueAsync(HttpContext http, SenderAuthDb db, TimeProvider time, Caller caller, Institution? institution)
    {
        if (!(await RequestBody.ReadAsync<CreateApiKeyRequest>(http.Request).ConfigureAwait(false)).TryGet(out var body, out var error))
        {
            return error;
        }
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 100)
        {
            return new ServiceError.Invalid("name is required (1 to 100 characters)", "name");
        }
        // No default: a key's powers are chosen when it is issued, so a sending application's key is not an admin key by accident.
        if (body.Scopes is not { Count: > 0 } scopes)
        {
            return new ServiceError.Invalid($"scopes is required: a list of {ApiScopes.Words} (sign for a sending application)", "scopes");
        }
        var name = body.Name.Trim();
        var key = ApiKeyFormat.Generate();
        var stored = ApiScopes.Store(scopes);
        var row = new ApiKey { Name = name, Prefix = ApiKeyFormat.Visible(key), Hash = ApiKeyFormat.Hash(key), InstitutionId = institution?.Id, Scopes = stored, CreatedAt = time.GetUtcNow().UtcDateTime };
        db.ApiKeys.Add(row);
        db.Record(time, caller, institution?.Id, AuditActions.ApiKeyCreate, institution?.Code ?? $"operator:{name}", $"{(institution is null ? "" : name + ", ")}scopes {stored}");
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return new ApiKeyCreated(row.Id, name, key, institution?.Code, ApiScopes.Load(stored), "store this key now: it is not shown again");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(HttpContext http, SenderAuthDb db, TimeProvider time, IMemoryCache cache, long id)
    {
        var caller = Caller.From(http);
        if (Scope.RequireOperator(caller) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, http.RequestAborted).ConfigureAwait(false);
        if (key is null)
        {
            return ErrorResponses.Problem(new ServiceError.NotFound($"no API key {id}"), http);
        }
        if (key.RevokedAt is null)
        {
            if (key.InstitutionId is null && !await db.ApiKeys.AnyAsync(k => k.Id != id && k.InstitutionId == null && k.RevokedAt == null, http.RequestAborted).ConfigureAwait(false))
            {
                return ErrorResponses.Problem(new ServiceError.Conflict("this is the last operator key: issue another one before revoking it"), http);
            }
            key.RevokedAt = time.GetUtcNow().UtcDateTime;
            db.Record(time, caller, key.InstitutionId, AuditActions.ApiKeyRevoke, key.Prefix + "…", key.Name);
            await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
            // At once on this instance; other instances' caches let it work for at most 10 s more.
            cache.Remove(Convert.ToHexString(key.Hash));
        }
        return TypedResults.NoContent();
    }
}
