using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Check;
using SenderAuth.Onboarding;
using SenderAuth.Server.Data;
using SenderAuth.Server.Hosting;
using SenderAuth.Server.Onboarding;

namespace SenderAuth.Server.Api;

public static class DomainEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/institutions/{code}/domains").WithTags("Domains");
        g.MapGet("/", ListAsync).WithSummary("The institution's sender domains, paged");
        g.MapPost("/", CreateAsync).Accepts<CreateDomainRequest>("application/json").Produces(201)
            .WithSummary("Register a sender domain: generates and publishes its keys, answers with the records to publish");
        g.MapGet("/{domain}", GetAsync).Produces<DomainDto>();
        g.MapPatch("/{domain}", UpdateAsync).Accepts<UpdateDomainRequest>("application/json").Produces<DomainDto>();
        g.MapDelete("/{domain}", DeleteAsync).Produces(204).WithSummary("Delete: revokes keys no other domain uses and unpublishes");
        g.MapGet("/{domain}/records", RecordsAsync).Produces<PublishPlan>()
            .WithSummary("What the institution must publish; ?format=zone for a zone-file fragment");
        g.MapPost("/{domain}/check", CheckAsync).Produces<CheckDto>().WithSummary("Run the domain check now");
        g.MapGet("/{domain}/checks", ChecksAsync).Produces<PagedList<CheckDto>>().WithSummary("Check history, newest first");
        g.MapPost("/{domain}/signing", SigningAsync).Accepts<SigningRequest>("application/json")
            .WithSummary("Enable or disable signing; enabling needs a passing DKIM delegation check");
        g.MapGet("/{domain}/keys", KeysAsync).Produces<List<KeyDto>>().WithSummary("The domain's DKIM keys (public parts only)");
        g.MapPut("/{domain}/keys/{selector}", ImportKeyAsync).Accepts<ImportKeyRequest>("application/json").Produces<KeyDto>(201)
            .WithSummary("Bring your own key (PEM, RSA ≥ 1024 or Ed25519) for a selector that is not signing");
    }

    private static async Task<IResult> ListAsync(HttpContext http, SenderAuthDb db, IOptions<ServerOptions> options, string code, int? page, int? pageSize)
    {
        var institution = await Scope.InstitutionAsync(db, Caller.From(http.User), code, http.RequestAborted).ConfigureAwait(false);
        var (p, size) = Scope.Paging(page, pageSize, options.Value.Limits.MaxPageSize);
        var query = db.Domains.AsNoTracking().Where(d => d.InstitutionId == institution.Id);
        var total = await query.CountAsync(http.RequestAborted).ConfigureAwait(false);
        var rows = await query.OrderBy(d => d.Name).Skip((p - 1) * size).Take(size).ToListAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.Ok(new PagedList<DomainDto>(rows.Select(d => DomainDto.From(d, code)).ToList(), p, size, total));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, SenderAuthDb db, DomainService domains, string code)
    {
        var caller = Caller.From(http.User);
        var institution = await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false);
        var body = await RequestBody.ReadAsync<CreateDomainRequest>(http.Request).ConfigureAwait(false);
        var (domain, records) = await domains.CreateAsync(institution, caller, body.Name ?? "", body.CustomMailFrom ?? false, http.RequestAborted).ConfigureAwait(false);
        Scope.SetETag(http.Response, domain.Version);
        return Results.Created($"/api/v1/institutions/{code}/domains/{domain.Name}", new { domain = DomainDto.From(domain, code), records });
    }

    private static async Task<IResult> GetAsync(HttpContext http, SenderAuthDb db, string code, string domain)
    {
        var (_, row) = await Scope.DomainAsync(db, Caller.From(http.User), code, domain, http.RequestAborted).ConfigureAwait(false);
        Scope.SetETag(http.Response, row.Version);
        return Results.Ok(DomainDto.From(row, code));
    }

    private static async Task<IResult> UpdateAsync(HttpContext http, SenderAuthDb db, TimeProvider time, string code, string domain)
    {
        var caller = Caller.From(http.User);
        var (institution, row) = await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false);
        Scope.CheckIfMatch(http.Request, row.Version);
        var body = await RequestBody.ReadAsync<UpdateDomainRequest>(http.Request).ConfigureAwait(false);
        if (body.CustomMailFrom is { } mailFrom && mailFrom != row.CustomMailFrom)
        {
            row.CustomMailFrom = mailFrom;
            db.Record(time, caller, institution.Id, "domain.update", row.Name, $"custom MAIL FROM {(mailFrom ? "on" : "off")}");
            await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        }
        Scope.SetETag(http.Response, row.Version);
        return Results.Ok(DomainDto.From(row, code));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, SenderAuthDb db, DomainService domains, string code, string domain)
    {
        var caller = Caller.From(http.User);
        var (institution, row) = await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false);
        Scope.CheckIfMatch(http.Request, row.Version);
        await domains.DeleteAsync(institution, row, caller, http.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> RecordsAsync(HttpContext http, SenderAuthDb db, DomainService domains, string code, string domain, string? format)
    {
        var (institution, row) = await Scope.DomainAsync(db, Caller.From(http.User), code, domain, http.RequestAborted).ConfigureAwait(false);
        var records = await domains.RecordsAsync(institution, row, http.RequestAborted).ConfigureAwait(false);
        return format switch
        {
            null or "json" => Results.Ok(records),
            "zone" => Results.Text(records.ZoneFragment, "text/dns; charset=utf-8"),
            _ => throw new ApiException(400, "format is json or zone", "format"),
        };
    }

    private static async Task<IResult> CheckAsync(HttpContext http, SenderAuthDb db, DomainService domains, string code, string domain)
    {
        var (institution, row) = await Scope.DomainAsync(db, Caller.From(http.User), code, domain, http.RequestAborted).ConfigureAwait(false);
        var (run, report) = await domains.CheckAsync(institution, row, http.RequestAborted).ConfigureAwait(false);
        return Results.Ok(new CheckDto(run.At, run.Passed, run.DkimDelegated, run.Incomplete, report.Findings));
    }

    private static async Task<IResult> ChecksAsync(HttpContext http, SenderAuthDb db, IOptions<ServerOptions> options, string code, string domain, int? page, int? pageSize)
    {
        var (_, row) = await Scope.DomainAsync(db, Caller.From(http.User), code, domain, http.RequestAborted).ConfigureAwait(false);
        var (p, size) = Scope.Paging(page, pageSize, options.Value.Limits.MaxPageSize);
        var query = db.CheckRuns.AsNoTracking().Where(c => c.DomainId == row.Id);
        var total = await query.CountAsync(http.RequestAborted).ConfigureAwait(false);
        var runs = await query.OrderByDescending(c => c.Id).Skip((p - 1) * size).Take(size).ToListAsync(http.RequestAborted).ConfigureAwait(false);
        var items = runs.Select(r => new CheckDto(r.At, r.Passed, r.DkimDelegated, r.Incomplete,
            JsonSerializer.Deserialize<List<CheckFinding>>(r.FindingsJson, ApiJson.Options) ?? [])).ToList();
        return Results.Ok(new PagedList<CheckDto>(items, p, size, total));
    }

    private static async Task<IResult> SigningAsync(HttpContext http, SenderAuthDb db, DomainService domains, string code, string domain)
    {
        var caller = Caller.From(http.User);
        var (institution, row) = await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false);
        var body = await RequestBody.ReadAsync<SigningRequest>(http.Request).ConfigureAwait(false);
        var enable = body.Enabled ?? throw new ApiException(400, "enabled (true or false) is required", "enabled");
        var (enabled, blocking) = await domains.SetSigningAsync(institution, row, caller, enable, http.RequestAborted).ConfigureAwait(false);
        if (enable && !enabled)
        {
            return Results.Problem(statusCode: 409, title: "The DKIM delegation is not correct",
                detail: $"signing stays off for {row.Name}: {string.Join("; ", blocking.Select(b => b.Advice))}",
                extensions: new Dictionary<string, object?> { ["findings"] = blocking });
        }
        return Results.Ok(DomainDto.From(row, code));
    }

    private static async Task<IResult> KeysAsync(HttpContext http, SenderAuthDb db, IOptions<ServerOptions> options, string code, string domain)
    {
        var (institution, row) = await Scope.DomainAsync(db, Caller.From(http.User), code, domain, http.RequestAborted).ConfigureAwait(false);
        var provider = options.Value.Provider;
        var targets = provider.KeyTargets(institution.Code, row.Name).Select(t => t.Target).ToList();
        var keys = await db.Keys.AsNoTracking().Where(k => k.InstitutionId == institution.Id && targets.Contains(k.TargetName))
            .OrderBy(k => k.Id).ToListAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.Ok(keys.Select(KeyDto.From).ToList());
    }

    private static async Task<IResult> ImportKeyAsync(HttpContext http, SenderAuthDb db, DomainService domains, string code, string domain, string selector)
    {
        var caller = Caller.From(http.User);
        var (institution, row) = await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false);
        var body = await RequestBody.ReadAsync<ImportKeyRequest>(http.Request).ConfigureAwait(false);
        var key = await domains.ImportKeyAsync(institution, row, caller, selector, body.Pem ?? throw new ApiException(400, "pem is required", "pem"), http.RequestAborted).ConfigureAwait(false);
        return Results.Created($"/api/v1/institutions/{code}/domains/{row.Name}/keys", KeyDto.From(key));
    }
}
