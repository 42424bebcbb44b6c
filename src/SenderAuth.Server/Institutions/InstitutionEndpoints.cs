using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Institutions;

public static class InstitutionEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/institutions").WithTags("Institutions");
        g.MapGet("/", ListAsync).RequireScope(ApiScope.Read).WithSummary("Institutions the key may see, paged");
        g.MapPost("/", CreateAsync).RequireScope(ApiScope.Admin).Accepts<CreateInstitutionRequest>("application/json").WithSummary("Register an institution (operator)");
        g.MapGet("/{code}", GetAsync).RequireScope(ApiScope.Read);
        g.MapPatch("/{code}", UpdateAsync).RequireScope(ApiScope.Admin).Accepts<UpdateInstitutionRequest>("application/json")
            .WithSummary("Change name or unsigned-mail policy (operator); If-Match with the ETag guards against lost updates");
        g.MapDelete("/{code}", DeleteAsync).RequireScope(ApiScope.Admin).WithSummary("Delete an institution (operator; If-Match required): its API keys stop, its DKIM keys are revoked and its domains stop signing at once; restorable during the retention, then purged");
        g.MapPost("/{code}/restore", RestoreAsync).RequireScope(ApiScope.Admin)
            .WithSummary("Restore a deleted institution within the retention (operator): its API keys work again, its domains start over as pending with fresh keys");
        g.MapPost("/{code}/api-keys", CreateKeyAsync).RequireScope(ApiScope.Admin).Accepts<CreateApiKeyRequest>("application/json")
            .WithSummary("Issue an API key for the institution; shown once (operator)");
    }

    private static async Task<Results<Ok<PagedList<InstitutionDto>>, ProblemHttpResult>> ListAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, int? page, int? pageSize)
    {
        var caller = Caller.From(http);
        if (!PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var query = db.Institutions.AsNoTracking();
        if (caller.InstitutionId is { } own)
        {
            query = query.Where(i => i.Id == own);
        }
        var rows = await query.OrderBy(i => i.Code)
            .ToPagedListAsync(paging, i => new { Institution = i, Domains = db.Domains.Count(d => d.InstitutionId == i.Id) }, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(rows.Map(r => InstitutionDto.From(r.Institution, r.Domains)));
    }

    private static async Task<Results<Created<InstitutionDto>, ProblemHttpResult>> CreateAsync(HttpContext http, SenderAuthDb db, TimeProvider time)
    {
        var caller = Caller.From(http);
        ServiceError? error;
        if ((error = Scope.RequireOperator(caller)) is not null
            || !(await RequestBody.ReadAsync<CreateInstitutionRequest>(http.Request).ConfigureAwait(false)).TryGet(out var body, out error)
            || !(await CreateInstitutionAsync(db, time, caller, body, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        Scope.SetETag(http.Response, institution.Version);
        return TypedResults.Created($"/api/v1/institutions/{institution.Code}", InstitutionDto.From(institution, 0));
    }

    /// <summary>Registers an institution (operator only) with its audit entry; the API and the dashboard both create through here.</summary>
    internal static async Task<Result<Institution>> CreateInstitutionAsync(SenderAuthDb db, TimeProvider time, Caller caller, CreateInstitutionRequest body, CancellationToken ct)
    {
        if (Scope.RequireOperator(caller) is { } refused)
        {
            return refused;
        }
        if (!NameRules.TryCode(body.Code, out var code, out var error))
        {
            return new ServiceError.Invalid(error, "code");
        }
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200)
        {
            return new ServiceError.Invalid("name is required (1 to 200 characters)", "name");
        }
        if (await db.Institutions.AnyAsync(i => i.Code == code, ct).ConfigureAwait(false))
        {
            return new ServiceError.Conflict($"institution \"{code}\" exists", "code");
        }
        var institution = new Institution
        {
            Code = code,
            Name = body.Name.Trim(),
            UnsignedPolicy = body.UnsignedPolicy ?? UnsignedMailPolicy.Reject,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Institutions.Add(institution);
        db.Record(time, caller, null, AuditActions.InstitutionCreate, code, $"policy {institution.UnsignedPolicy}");
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another request registered the same code between the test above and this commit.
            return new ServiceError.Conflict($"institution \"{code}\" exists", "code");
        }
        return institution;
    }

    private static async Task<Results<Ok<InstitutionDto>, ProblemHttpResult>> GetAsync(HttpContext http, SenderAuthDb db, string code)
    {
        if (!(await Scope.InstitutionAsync(db, Caller.From(http), code, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var domains = await db.Domains.CountAsync(d => d.InstitutionId == institution.Id, http.RequestAborted).ConfigureAwait(false);
        Scope.SetETag(http.Response, institution.Version);
        return TypedResults.Ok(InstitutionDto.From(institution, domains));
    }

    private static async Task<Results<Ok<InstitutionDto>, ProblemHttpResult>> UpdateAsync(HttpContext http, SenderAuthDb db, TimeProvider time, SigningService signing, string code)
    {
        var caller = Caller.From(http);
        if (!(await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out var error)
            || (error = Scope.CheckIfMatch(http.Request, institution.Version)) is not null
            || !(await RequestBody.ReadAsync<UpdateInstitutionRequest>(http.Request).ConfigureAwait(false)).TryGet(out var body, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var changes = new List<string>();
        if (body.Name is { } name)
        {
            if (Scope.RequireOperator(caller) is { } refused)
            {
                return ErrorResponses.Problem(refused, http);
            }
            if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
            {
                return ErrorResponses.Problem(new ServiceError.Invalid("name must be 1 to 200 characters", "name"), http);
            }
            changes.Add($"name \"{institution.Name}\" -> \"{name.Trim()}\"");
            institution.Name = name.Trim();
        }
        if (body.UnsignedPolicy is { } policy && policy != institution.UnsignedPolicy)
        {
            // Operator only: signWithProviderDomain puts the provider's d= on whatever the institution sends.
            if (Scope.RequireOperator(caller) is { } refused)
            {
                return ErrorResponses.Problem(refused, http);
            }
            changes.Add($"policy {institution.UnsignedPolicy} -> {policy}");
            institution.UnsignedPolicy = policy;
        }
        if (changes.Count > 0)
        {
            db.Record(time, caller, institution.Id, AuditActions.InstitutionUpdate, code, string.Join("; ", changes));
            await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
            signing.Invalidate();
        }
        var domains = await db.Domains.CountAsync(d => d.InstitutionId == institution.Id, http.RequestAborted).ConfigureAwait(false);
        Scope.SetETag(http.Response, institution.Version);
        return TypedResults.Ok(InstitutionDto.From(institution, domains));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext http, SenderAuthDb db, TimeProvider time, ZonePublishingService publishing,
        SigningService signing, IOptions<RetentionOptions> retention, Microsoft.Extensions.Caching.Memory.IMemoryCache cache, string code)
    {
        var caller = Caller.From(http);
        ServiceError? error;
        if ((error = Scope.RequireOperator(caller)) is not null
            || !(await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out error)
            || (error = Scope.RequireIfMatch(http.Request, institution.Version)) is not null)
        {
            return ErrorResponses.Problem(error, http);
        }
        var domains = await db.Domains.Where(d => d.InstitutionId == institution.Id).Select(d => d.Name).ToListAsync(http.RequestAborted).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        var revoked = new List<ApiKey>();
        // One unit of work: the soft delete, the API keys' and DKIM keys' revocation and the audit commit together.
        // The API keys are revoked at the deletion's own instant, so a restore knows exactly which ones to bring back.
        foreach (var apiKey in await db.ApiKeys.Where(k => k.InstitutionId == institution.Id && k.RevokedAt == null).ToListAsync(http.RequestAborted).ConfigureAwait(false))
        {
            apiKey.RevokedAt = now;
            revoked.Add(apiKey);
        }
        foreach (var key in await db.Keys.Where(k => k.InstitutionId == institution.Id && k.State != DkimKeyState.Revoked).ToListAsync(http.RequestAborted).ConfigureAwait(false))
        {
            key.State = DkimKeyState.Revoked;
            key.RevokedAt = now;
            db.Record(time, caller, institution.Id, AuditActions.KeyRevoke, key.TargetName, $"institution {code} deleted");
        }
        institution.DeletedAt = now;
        db.Record(time, caller, institution.Id, AuditActions.InstitutionDelete, code,
            $"restorable until {now + retention.Value.Deleted:u}{(domains.Count == 0 ? "" : $"; domains {string.Join(", ", domains)} stop signing")}; keys revoked and unpublished");
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        // At once on this instance (as a key's own revocation); other instances' caches let them work for at most 10 s more.
        foreach (var apiKey in revoked)
        {
            cache.Remove(Convert.ToHexString(apiKey.Hash));
        }
        signing.Invalidate();
        await publishing.PublishAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<InstitutionDto>, ProblemHttpResult>> RestoreAsync(HttpContext http, SenderAuthDb db, TimeProvider time, ZonePublishingService publishing,
        DomainKeys domainKeys, IOptions<RetentionOptions> retention, string code)
    {
        var caller = Caller.From(http);
        if (Scope.RequireOperator(caller) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        var institution = await db.Institutions.IgnoreQueryFilters().FirstOrDefaultAsync(i => i.Code == code && i.DeletedAt != null, http.RequestAborted).ConfigureAwait(false);
        if (institution?.DeletedAt is not { } deletedAt)
        {
            return ErrorResponses.Problem(new ServiceError.NotFound($"no deleted institution \"{code}\" (restorable for {retention.Value.DeletedDays} days after deletion)"), http);
        }
        institution.DeletedAt = null;
        foreach (var apiKey in await db.ApiKeys.Where(k => k.InstitutionId == institution.Id && k.RevokedAt == deletedAt).ToListAsync(http.RequestAborted).ConfigureAwait(false))
        {
            apiKey.RevokedAt = null;
        }
        var now = time.GetUtcNow().UtcDateTime;
        var live = await domainKeys.LiveTargetsAsync(http.RequestAborted).ConfigureAwait(false);
        // Its domains (those not deleted on their own) start over: their keys were revoked, new ones must be served first.
        var domains = await db.Domains.IgnoreQueryFilters().Where(d => d.InstitutionId == institution.Id && d.DeletedAt == null).ToListAsync(http.RequestAborted).ConfigureAwait(false);
        foreach (var domain in domains)
        {
            domain.State = DomainState.Pending;
            domain.StateReason = "restored with its institution: waiting for its records to check again";
            domain.SigningEnabled = false;
            domain.SigningSuspended = false;
            domain.SigningChangedAt = now;
            domain.DegradedSince = null;
            domain.NextCheckAt = now;
            domainKeys.GenerateMissing(institution, domain.Name, caller, live);
        }
        db.Record(time, caller, institution.Id, AuditActions.InstitutionRestore, code, $"{domains.Count} domains pending again; API keys revoked by the deletion work again");
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        await publishing.PublishAsync(http.RequestAborted).ConfigureAwait(false);
        Scope.SetETag(http.Response, institution.Version);
        return TypedResults.Ok(InstitutionDto.From(institution, domains.Count));
    }

    private static async Task<Results<Created<ApiKeyCreated>, ProblemHttpResult>> CreateKeyAsync(HttpContext http, SenderAuthDb db, TimeProvider time, string code)
    {
        var caller = Caller.From(http);
        ServiceError? error;
        if ((error = Scope.RequireOperator(caller)) is not null
            || !(await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out error)
            || !(await ApiKeyEndpoints.IssueAsync(http, db, time, caller, institution).ConfigureAwait(false)).TryGet(out var created, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Created($"/api/v1/institutions/{code}", created);
    }
}
