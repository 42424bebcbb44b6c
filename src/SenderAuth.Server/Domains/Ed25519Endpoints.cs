using Microsoft.AspNetCore.Http.HttpResults;

namespace SenderAuth.Server.Domains;

/// <summary>A domain's Ed25519 signature (RFC 8463) beside the RSA one: where it stands, on and off.</summary>
public static class Ed25519Endpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/institutions/{code}/domains/{domain}").WithTags("Domains");
        g.MapGet("/ed25519", GetAsync).RequireScope(ApiScope.Read).WithSummary("Whether the domain signs with Ed25519 too, and what happens next");
        g.MapPost("/ed25519", SetAsync).RequireScope(ApiScope.ManageDomains).Accepts<Ed25519Request>("application/json")
            .WithSummary("Turn the Ed25519 signature on or off: on generates its key pair and adds two CNAMEs to the records to publish; it signs from the first check that finds them");
    }

    private static async Task<Results<Ok<Ed25519Status>, ProblemHttpResult>> GetAsync(HttpContext http, SenderAuthDb db, DomainEd25519 ed25519, string code, string domain)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Ok(await ed25519.StatusAsync(found.Institution, found.Domain, http.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<Ed25519Status>, ProblemHttpResult>> SetAsync(HttpContext http, SenderAuthDb db, DomainEd25519 ed25519, string code, string domain)
    {
        var caller = Caller.From(http);
        if (!(await Scope.DomainAsync(db, caller, code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || !(await RequestBody.ReadAsync<Ed25519Request>(http.Request).ConfigureAwait(false)).TryGet(out var body, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        if (body.Enabled is not { } enable)
        {
            return ErrorResponses.Problem(new ServiceError.Invalid("enabled (true or false) is required", "enabled"), http);
        }
        if (!(await ed25519.SetAsync(found.Institution, found.Domain, caller, enable, http.RequestAborted).ConfigureAwait(false)).TryGet(out var status, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Ok(status);
    }
}
