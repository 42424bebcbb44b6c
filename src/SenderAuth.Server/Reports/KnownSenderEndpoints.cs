using Microsoft.EntityFrameworkCore;
using SenderAuth.Server.Api;
using SenderAuth.Server.Data;
using SenderAuth.Server.Hosting;
using SenderAuth.Server.Onboarding;
using SenderAuth.Server.Reports.Analysis;

namespace SenderAuth.Server.Reports;

/// <summary>Third parties an institution declares as sending for it, so reports attribute them by name.</summary>
public static class KnownSenderEndpoints
{
    public sealed record KnownSenderRequest(string? Name, List<string>? Networks, List<string>? DkimDomains);

    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/institutions/{code}/senders").WithTags("DMARC reports");
        g.MapGet("", ListAsync).WithSummary("The third-party senders the institution declared");
        g.MapPost("", CreateAsync).Accepts<KnownSenderRequest>("application/json")
            .WithSummary("Declare a third-party sender: a name, its networks (CIDR) and/or the DKIM d= domains it signs with");
        g.MapDelete("/{id:long}", DeleteAsync).WithSummary("Remove a declared sender");
    }

    private static object Dto(KnownSender k) => new
    {
        id = k.Id,
        name = k.Name,
        networks = Split(k.Networks),
        dkimDomains = Split(k.DkimDomains),
        createdAt = k.CreatedAt,
    };

    private static string[] Split(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static async Task<IResult> ListAsync(HttpContext http, SenderAuthDb db, string code)
    {
        var institution = await Scope.InstitutionAsync(db, Caller.From(http.User), code, http.RequestAborted).ConfigureAwait(false);
        var rows = await db.KnownSenders.AsNoTracking().Where(k => k.InstitutionId == institution.Id).OrderBy(k => k.Name).ToListAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.Ok(new { items = rows.Select(Dto) });
    }

    private static async Task<IResult> CreateAsync(HttpContext http, SenderAuthDb db, TimeProvider time, string code)
    {
        var caller = Caller.From(http.User);
        var institution = await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false);
        var body = await RequestBody.ReadAsync<KnownSenderRequest>(http.Request).ConfigureAwait(false);
        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            throw new ApiException(400, "name is required (at most 100 characters)", "name");
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
                throw new ApiException(400, $"networks[{i}] \"{n}\" is not an IP address or CIDR network: {e.Message}", $"networks[{i}]");
            }
        }
        var domains = new List<string>();
        foreach (var (d, i) in (body.DkimDomains ?? []).Select((d, i) => (d, i)))
        {
            if (!NameRules.TryDomain(d, out var ascii, out var error))
            {
                throw new ApiException(400, $"dkimDomains[{i}]: {error}", $"dkimDomains[{i}]");
            }
            domains.Add(ascii);
        }
        if (networks.Count == 0 && domains.Count == 0)
        {
            throw new ApiException(400, "give networks, dkimDomains or both: they are how reports recognise the sender", "networks");
        }
        var joinedNetworks = string.Join(',', networks);
        var joinedDomains = string.Join(',', domains);
        if (joinedNetworks.Length > 2000 || joinedDomains.Length > 2000)
        {
            throw new ApiException(400, "too many networks or domains for one sender (2000 characters each)", "networks");
        }
        if (await db.KnownSenders.AnyAsync(k => k.InstitutionId == institution.Id && k.Name == name, http.RequestAborted).ConfigureAwait(false))
        {
            throw new ApiException(409, $"a sender named \"{name}\" is already declared");
        }
        var row = new KnownSender { InstitutionId = institution.Id, Name = name, Networks = joinedNetworks, DkimDomains = joinedDomains, CreatedAt = time.GetUtcNow().UtcDateTime };
        db.KnownSenders.Add(row);
        db.Record(time, caller, institution.Id, "sender.declare", institution.Code, $"{name}: {joinedNetworks} {joinedDomains}".Trim());
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.Created($"/api/v1/institutions/{code}/senders/{row.Id}", Dto(row));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, SenderAuthDb db, TimeProvider time, string code, long id)
    {
        var caller = Caller.From(http.User);
        var institution = await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false);
        var row = await db.KnownSenders.FirstOrDefaultAsync(k => k.Id == id && k.InstitutionId == institution.Id, http.RequestAborted).ConfigureAwait(false)
            ?? throw new ApiException(404, $"no declared sender {id} in institution \"{code}\"");
        db.KnownSenders.Remove(row);
        db.Record(time, caller, institution.Id, "sender.remove", institution.Code, row.Name);
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }
}
