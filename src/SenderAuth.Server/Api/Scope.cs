using Microsoft.EntityFrameworkCore;
using SenderAuth.Server.Data;
using SenderAuth.Server.Hosting;
using SenderAuth.Server.Onboarding;

namespace SenderAuth.Server.Api;

/// <summary>Loads what a caller may see; anything else is 404, the same answer as for what does not exist.</summary>
public static class Scope
{
    public static async Task<Institution> InstitutionAsync(SenderAuthDb db, Caller caller, string code, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        var institution = await db.Institutions.FirstOrDefaultAsync(i => i.Code == code, ct).ConfigureAwait(false);
        return institution is not null && caller.CanSee(institution.Id)
            ? institution
            : throw new ApiException(404, $"no institution \"{code}\"");
    }

    public static async Task<(Institution, SenderDomain)> DomainAsync(SenderAuthDb db, Caller caller, string code, string domain, CancellationToken ct)
    {
        var institution = await InstitutionAsync(db, caller, code, ct).ConfigureAwait(false);
        if (!NameRules.TryDomain(domain, out var name, out var error))
        {
            throw new ApiException(400, error, "domain");
        }
        var row = await db.Domains.FirstOrDefaultAsync(d => d.InstitutionId == institution.Id && d.Name == name, ct).ConfigureAwait(false)
            ?? throw new ApiException(404, $"no domain \"{name}\" in institution \"{code}\"");
        return (institution, row);
    }

    public static void RequireOperator(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsOperator)
        {
            throw new ApiException(403, "this needs an operator key");
        }
    }

    /// <summary>If-Match carries the version a client read (the ETag); a stale one is 412, not a lost update.</summary>
    public static void CheckIfMatch(HttpRequest request, long version)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ifMatch = request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*" && ifMatch.Trim('"', ' ', 'W', '/') != version.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new ApiException(412, $"the resource changed since you read it (version {version} now): read it again and retry");
        }
    }

    public static void SetETag(HttpResponse response, long version)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.ETag = $"\"{version}\"";
    }

    public static (int Page, int Size) Paging(int? page, int? pageSize, int max)
    {
        var p = page ?? 1;
        var s = pageSize ?? 50;
        if (p < 1)
        {
            throw new ApiException(400, "page starts at 1", "page");
        }
        if (s < 1 || s > max)
        {
            throw new ApiException(400, $"pageSize must be between 1 and {max}", "pageSize");
        }
        return (p, s);
    }
}
