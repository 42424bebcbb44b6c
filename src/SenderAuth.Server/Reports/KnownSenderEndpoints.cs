using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Reports;

/// <summary>Third parties an institution declares as sending for it, so reports attribute them by name.</summary>
public static class KnownSenderEndpoints
{
    public sealed record KnownSenderRequest(string? Name, List<string>? Networks, List<string>? DkimDomains);

    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/institutions/{code}/senders").WithTags("DMARC reports");
        g.MapGet("", ListAsync).RequireScope(ApiScope.Read).WithSummary("The third-party senders the institution declared, by name, paged");
        g.MapPost("", CreateAsync).RequireScope(ApiScope.ManageDomains).Accepts<KnownSenderRequest>("application/json")
            .WithSummary("Declare a third-party sender: a name, its networks (CIDR) and/or the DKIM d= domains it signs with");
        g.MapDelete("/{id:long}", DeleteAsync).RequireScope(ApiScope.ManageDomains).WithSummary("Remove a declared sender");
    }

    /// <summary>A declared sender as the API shows it: networks and DKIM domains as lists (stored comma-separated).</summary>
    public sealed record KnownSenderDto(long Id, string Name, IReadOnlyList<string> Networks, IReadOnlyList<string> DkimDomains, DateTime CreatedAt);

    private static KnownSenderDto Dto(KnownSender k) => new(k.Id, k.Name, Split(k.Networks), Split(k.DkimDomains), k.CreatedAt);

    private static string[] Split(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static async Task<Results<Ok<PagedList<KnownSenderDto>>, ProblemHttpResult>> ListAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, string code, int? page, int? pageSize)
    {
        if (!(await Scope.InstitutionAsync(db, Caller.From(http), code, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out var error)
            || !PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        // Names are unique within an institution (a unique index), so the order is stable across pages.
        var rows = await db.KnownSenders.AsNoTracking().Where(k => k.InstitutionId == institution.Id).OrderBy(k => k.Name)
            .ToPagedListAsync(paging, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(rows.Map(Dto));
    }

    private static async Task<Results<Created<KnownSenderDto>, ProblemHttpResult>> CreateAsync(HttpContext http, SenderAuthDb db, TimeProvider time, string code)
    {
        var caller = Caller.From(http);
        if (!(await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out var error)
            || !(await RequestBody.ReadAsync<KnownSenderRequest>(http.Request).ConfigureAwait(false)).TryGet(out var body, out error)
            || !(await DeclareAsync(db, institution, body, http.RequestAborted).ConfigureAwait(false)).TryGet(out var row, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        row.CreatedAt = time.GetUtcNow().UtcDateTime;
        db.KnownSenders.Add(row);
        db.Record(time, caller, institution.Id, AuditActions.SenderDeclare, institution.Code, $"{row.Name}: {row.Networks} {row.DkimDomains}".Trim());
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/institutions/{code}/senders/{row.Id}", Dto(row));
    }

    /// <summary>The declared sender the request describes, every value checked; not yet added to the context.</summary>
    private static async Task<Result<KnownSender>> DeclareAsync(SenderAuthDb db, Institution institution, KnownSenderRequest body, CancellationToken ct)
    {
        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            return new ServiceError.Invalid("name is required (at most 100 characters)", "name");
        }
        var networks = new List<string>();
        foreach (var (n, i) in (body.Networks ?? []).Select((n, i) => (n, i)))
        {
            try
            {
                networks.Add(SourceAttribution.Network(n.Trim()).ToString());
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                return new ServiceError.Invalid($"networks[{i}] \"{n}\" is not an IP address or CIDR network: {e.Message}", $"networks[{i}]");
            }
        }
        var domains = new List<string>();
        foreach (var (d, i) in (body.DkimDomains ?? []).Select((d, i) => (d, i)))
        {
            if (!NameRules.TryDomain(d, out var ascii, out var error))
            {
                return new ServiceError.Invalid($"dkimDomains[{i}]: {error}", $"dkimDomains[{i}]");
            }
            domains.Add(ascii);
        }
        if (networks.Count == 0 && domains.Count == 0)
        {
            return new ServiceError.Invalid("give networks, dkimDomains or both: they are how reports recognise the sender", "networks");
        }
        var joinedNetworks = string.Join(',', networks);
        var joinedDomains = string.Join(',', domains);
        if (joinedNetworks.Length > 2000 || joinedDomains.Length > 2000)
        {
            return new ServiceError.Invalid("too many networks or domains for one sender (2000 characters each)", "networks");
        }
        if (await db.KnownSenders.AnyAsync(k => k.InstitutionId == institution.Id && k.Name == name, ct).ConfigureAwait(false))
        {
            return new ServiceError.Conflict($"a sender named \"{name}\" is already declared");
        }
        return new KnownSender { InstitutionId = institution.Id, Name = name, Networks = joinedNetworks, DkimDomains = joinedDomains };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext http, SenderAuthDb db, TimeProvider time, string code, long id)
    {
        var caller = Caller.From(http);
        if (!(await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var row = await db.KnownSenders.FirstOrDefaultAsync(k => k.Id == id && k.InstitutionId == institution.Id, http.RequestAborted).ConfigureAwait(false);
        if (row is null)
        {
            return ErrorResponses.Problem(new ServiceError.NotFound($"no declared sender {id} in institution \"{code}\""), http);
        }
        db.KnownSenders.Remove(row);
        db.Record(time, caller, institution.Id, AuditActions.SenderRemove, institution.Code, row.Name);
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}
