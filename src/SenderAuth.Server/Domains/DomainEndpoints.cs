using SenderAuth.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Check;
using SenderAuth.Onboarding;

namespace SenderAuth.Server.Domains;

public static class DomainEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/institutions/{code}/domains").WithTags("Domains");
        g.MapGet("/", ListAsync).RequireScope(ApiScope.Read).WithSummary("The institution's sender domains, paged");
        g.MapPost("/", CreateAsync).RequireScope(ApiScope.ManageDomains).Accepts<CreateDomainRequest>("application/json")
            .WithSummary("Register a sender domain: generates and publishes its keys, answers with the records to publish");
        g.MapGet("/{domain}", GetAsync).RequireScope(ApiScope.Read);
        g.MapPatch("/{domain}", UpdateAsync).RequireScope(ApiScope.ManageDomains).Accepts<UpdateDomainRequest>("application/json");
        g.MapDelete("/{domain}", DeleteAsync).RequireScope(ApiScope.ManageDomains).WithSummary("Delete (If-Match required): revokes and unpublishes keys no other domain uses, stops signing at once; restorable during the retention, then purged with its reports");
        g.MapPost("/{domain}/restore", RestoreAsync).RequireScope(ApiScope.ManageDomains)
            .WithSummary("Restore a deleted domain within the retention: pending again, with fresh keys where the old ones were revoked");
        g.MapGet("/{domain}/records", RecordsAsync).RequireScope(ApiScope.Read).WithSummary("What the institution must publish; ?format=zone for a zone-file fragment");
        g.MapPost("/{domain}/check", CheckAsync).RequireScope(ApiScope.ManageDomains).WithSummary("Run the domain check now");
        g.MapGet("/{domain}/checks", ChecksAsync).RequireScope(ApiScope.Read).WithSummary("Check history, newest first");
        g.MapPost("/{domain}/signing", SigningAsync).RequireScope(ApiScope.ManageDomains).Accepts<SigningRequest>("application/json")
            .WithSummary("Enable or disable signing; enabling needs a passing DKIM delegation check");
        g.MapPost("/{domain}/verify", VerifyAsync).RequireScope(ApiScope.ManageDomains).Accepts<VerifyDomainRequest>("application/json")
            .WithSummary("Prove ownership now (DKIM CNAMEs or the TXT challenge); the operator may vouch with {\"operatorOverride\": true, \"reason\": …}");
    }

    private static async Task<Results<Ok<PagedList<DomainDto>>, ProblemHttpResult>> ListAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, string code, int? page, int? pageSize)
    {
        if (!(await Scope.InstitutionAsync(db, Caller.From(http), code, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out var error)
            || !PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var rows = await db.Domains.AsNoTracking().Where(d => d.InstitutionId == institution.Id).OrderBy(d => d.Name)
            .ToPagedListAsync(paging, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(rows.Map(d => DomainDto.From(d, code)));
    }

    private static async Task<Results<Created<DomainCreated>, ProblemHttpResult>> CreateAsync(HttpContext http, SenderAuthDb db, DomainRegistration domains, string code)
    {
        var caller = Caller.From(http);
        if (!(await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out var error)
            || !(await RequestBody.ReadAsync<CreateDomainRequest>(http.Request).ConfigureAwait(false)).TryGet(out var body, out error)
            || !(await domains.CreateAsync(institution, caller, body.Name ?? "", body.CustomMailFrom ?? false, http.RequestAborted).ConfigureAwait(false)).TryGet(out var created, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        Scope.SetETag(http.Response, created.Domain.Version);
        return TypedResults.Created($"/api/v1/institutions/{code}/domains/{created.Domain.Name}", new DomainCreated(DomainDto.From(created.Domain, code), created.Records));
    }

    private static async Task<Results<Ok<DomainDto>, ProblemHttpResult>> GetAsync(HttpContext http, SenderAuthDb db, string code, string domain)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        Scope.SetETag(http.Response, found.Domain.Version);
        return TypedResults.Ok(DomainDto.From(found.Domain, code));
    }

    private static async Task<Results<Ok<DomainDto>, ProblemHttpResult>> UpdateAsync(HttpContext http, SenderAuthDb db, TimeProvider time, string code, string domain)
    {
        var caller = Caller.From(http);
        if (!(await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var (institution, row) = found;
        if ((error = Scope.CheckIfMatch(http.Request, row.Version)) is not null
            || !(await RequestBody.ReadAsync<UpdateDomainRequest>(http.Request).ConfigureAwait(false)).TryGet(out var body, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        if (body.CustomMailFrom is { } mailFrom && mailFrom != row.CustomMailFrom)
        {
            row.CustomMailFrom = mailFrom;
            db.Record(time, caller, institution.Id, AuditActions.DomainUpdate, row.Name, $"custom MAIL FROM {(mailFrom ? "on" : "off")}");
            await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        }
        Scope.SetETag(http.Response, row.Version);
        return TypedResults.Ok(DomainDto.From(row, code));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext http, SenderAuthDb db, DomainDeletion domains, string code, string domain)
    {
        var caller = Caller.From(http);
        if (!(await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || (error = Scope.RequireIfMatch(http.Request, found.Domain.Version)) is not null)
        {
            return ErrorResponses.Problem(error, http);
        }
        await domains.DeleteAsync(found.Institution, found.Domain, caller, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<DomainDto>, ProblemHttpResult>> RestoreAsync(HttpContext http, SenderAuthDb db, DomainDeletion domains, string code, string domain)
    {
        var caller = Caller.From(http);
        if (!(await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out var error)
            || !(await domains.RestoreAsync(institution, caller, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var restored, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        Scope.SetETag(http.Response, restored.Version);
        return TypedResults.Ok(DomainDto.From(restored, code));
    }

    private static async Task<Results<Ok<PublishPlan>, ContentHttpResult, ProblemHttpResult>> RecordsAsync(HttpContext http, SenderAuthDb db, DomainRecords domains, string code, string domain, string? format)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        if (!QueryWords.Parse(format, "format", RecordsFormat.Json).TryGet(out var wanted, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var records = await domains.RecordsAsync(found.Institution, found.Domain, http.RequestAborted).ConfigureAwait(false);
        return wanted == RecordsFormat.Zone ? TypedResults.Text(records.ZoneFragment, "text/dns; charset=utf-8") : TypedResults.Ok(records);
    }

    private static async Task<Results<Ok<CheckDto>, ProblemHttpResult>> CheckAsync(HttpContext http, SenderAuthDb db, DomainChecks domains, string code, string domain)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var (run, report) = await domains.CheckAsync(found.Institution, found.Domain, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new CheckDto(run.At, run.Passed, run.DkimDelegated, run.Incomplete, report.Findings));
    }

    private static async Task<Results<Ok<PagedList<CheckDto>>, ProblemHttpResult>> ChecksAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, string code, string domain, int? page, int? pageSize)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || !PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var runs = await db.CheckRuns.AsNoTracking().Where(c => c.DomainId == found.Domain.Id).OrderByDescending(c => c.Id)
            .ToPagedListAsync(paging, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(runs.Map(r => new CheckDto(r.At, r.Passed, r.DkimDelegated, r.Incomplete, StoredFindings.Read(r.FindingsJson))));
    }

    private static async Task<Results<Ok<DomainDto>, ProblemHttpResult>> SigningAsync(HttpContext http, SenderAuthDb db, DomainSigning domains, string code, string domain)
    {
        var caller = Caller.From(http);
        if (!(await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || !(await RequestBody.ReadAsync<SigningRequest>(http.Request).ConfigureAwait(false)).TryGet(out var body, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        if (body.Enabled is not { } enable)
        {
            return ErrorResponses.Problem(new ServiceError.Invalid("enabled (true or false) is required", "enabled"), http);
        }
        if (!(await domains.SetSigningAsync(found.Institution, found.Domain, caller, enable, http.RequestAborted).ConfigureAwait(false)).TryGet(out _, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Ok(DomainDto.From(found.Domain, code));
    }

    private static async Task<Results<Ok<DomainDto>, ProblemHttpResult>> VerifyAsync(HttpContext http, SenderAuthDb db, DomainChecks domains, string code, string domain)
    {
        var caller = Caller.From(http);
        if (!(await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var body = new VerifyDomainRequest(null, null);
        // The body is optional; one that is sent (with a length, or chunked with a type) is read and checked.
        var hasBody = http.Request.ContentLength is > 0 || (http.Request.ContentLength is null && http.Request.ContentType is not null);
        if (hasBody && !(await RequestBody.ReadAsync<VerifyDomainRequest>(http.Request).ConfigureAwait(false)).TryGet(out body, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        if (!(await domains.VerifyAsync(found.Institution, found.Domain, caller, body.OperatorOverride ?? false, body.Reason, http.RequestAborted).ConfigureAwait(false)).TryGet(out var row, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        Scope.SetETag(http.Response, row.Version);
        return TypedResults.Ok(DomainDto.From(row, code));
    }
}
