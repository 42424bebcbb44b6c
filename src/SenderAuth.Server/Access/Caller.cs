using System.Globalization;
using System.Security.Claims;

namespace SenderAuth.Server.Access;

/// <summary>
/// Who is calling: an operator key sees everything, an institution key only its own institution; the key's scopes
/// say what it may do there. <paramref name="Client"/> is the address the request came from (as the
/// forwarded-headers middleware leaves it), recorded with every audit entry the caller causes.
/// </summary>
public sealed record Caller(long KeyId, string Actor, long? InstitutionId, IReadOnlyList<ApiScope> Scopes, string? Client = null)
{
    public bool IsOperator => InstitutionId is null;

    /// <summary>Whether the caller may see the institution; others answer 404, never 403, so codes do not leak.</summary>
    public bool CanSee(long institutionId) => IsOperator || InstitutionId == institutionId;

    /// <summary>Whether the key's scopes allow what needs <paramref name="scope"/>.</summary>
    public bool Has(ApiScope scope) => ApiScopes.Grants(Scopes, scope);

    public const string KeyIdClaim = "senderauth:key";
    public const string InstitutionClaim = "senderauth:institution";
    public const string ScopeClaim = "senderauth:scope";

    /// <summary>The caller of a request, with its client address.</summary>
    public static Caller From(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return From(http.User) with { Client = ClientAddress(http) };
    }

    public static Caller From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var id = long.Parse(user.FindFirstValue(KeyIdClaim) ?? throw new InvalidOperationException("not authenticated"), CultureInfo.InvariantCulture);
        var institution = user.FindFirstValue(InstitutionClaim) is { } i ? long.Parse(i, CultureInfo.InvariantCulture) : (long?)null;
        var scopes = user.FindAll(ScopeClaim).Select(c => ApiScopes.TryParse(c.Value, out var s) ? (ApiScope?)s : null).OfType<ApiScope>().ToList();
        return new Caller(id, user.Identity?.Name ?? "unknown", institution, scopes);
    }

    /// <summary>The request's client address (RemoteIpAddress, which the forwarded-headers middleware rewrites for trusted proxies).</summary>
    public static string? ClientAddress(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var address = http.Connection.RemoteIpAddress;
        return address is null ? null : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
