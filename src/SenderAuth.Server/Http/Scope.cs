using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Server.Http;

/// <summary>Loads what a caller may see; anything else is not found, the same answer as for what does not exist.</summary>
public static class Scope
{
    public static async Task<Result<Institution>> InstitutionAsync(SenderAuthDb db, Caller caller, string code, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        var institution = await db.Institutions.FirstOrDefaultAsync(i => i.Code == code, ct).ConfigureAwait(false);
        return institution is not null && caller.CanSee(institution.Id)
            ? institution
            : new ServiceError.NotFound($"no institution \"{code}\"");
    }

    public static async Task<Result<(Institution Institution, SenderDomain Domain)>> DomainAsync(SenderAuthDb db, Caller caller, string code, string domain, CancellationToken ct)
    {
        if (!(await InstitutionAsync(db, caller, code, ct).ConfigureAwait(false)).TryGet(out var institution, out var missing))
        {
            return missing;
        }
        if (!NameRules.TryDomain(domain, out var name, out var error))
        {
            return new ServiceError.Invalid(error, "domain");
        }
        var row = await db.Domains.FirstOrDefaultAsync(d => d.InstitutionId == institution.Id && d.Name == name, ct).ConfigureAwait(false);
        return row is null ? new ServiceError.NotFound($"no domain \"{name}\" in institution \"{code}\"") : (institution, row);
    }

    /// <summary>Null when the caller holds an operator key.</summary>
    public static ServiceError? RequireOperator(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.IsOperator ? null : new ServiceError.Refused("this needs an operator key");
    }

    /// <summary>
    /// If-Match carries the version a client read (the ETag); a stale one is refused, not a lost update. Null when it
    /// matches. The refusals never name the current version: the client must read the resource to get it.
    /// </summary>
    public static ServiceError? CheckIfMatch(HttpRequest request, long version)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ifMatch = request.Headers.IfMatch.ToString();
        return ifMatch.Length > 0 && ifMatch != "*" && ifMatch.Trim('"', ' ', 'W', '/') != version.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ? new ServiceError.Stale("the resource changed since you read it: read it again (GET, for its ETag) and retry")
            : null;
    }

    /// <summary>
    /// As <see cref="CheckIfMatch"/>, but If-Match must be there and name the version (not *): a delete is never
    /// blind, so a script replaying an old request, or a leaked key guessing, cannot delete what it did not read.
    /// </summary>
    public static ServiceError? RequireIfMatch(HttpRequest request, long version)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ifMatch = request.Headers.IfMatch.ToString().Trim();
        if (ifMatch.Length == 0 || ifMatch == "*")
        {
            return new ServiceError.PreconditionRequired("send If-Match with the ETag you read (GET it first): deletes are never blind");
        }
        return CheckIfMatch(request, version);
    }

    public static void SetETag(HttpResponse response, long version)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.ETag = $"\"{version}\"";
    }
}
