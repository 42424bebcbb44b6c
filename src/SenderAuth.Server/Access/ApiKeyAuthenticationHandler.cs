using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Access;

/// <summary>
/// Authenticates "Authorization: Bearer sa_…" against the hashed keys. Lookups are cached for a few seconds
/// (signing runs thousands of requests a second per key); a revoked key stops working within that time.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IServiceScopeFactory scopes, IMemoryCache cache, SecurityAudit audit) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await audit.RecordAsync(Context, AuditActions.AuthRefused, "API key", $"Authorization is not Bearer, on {Request.Method} {Request.Path}", throttle: true).ConfigureAwait(false);
            return AuthenticateResult.Fail("use Authorization: Bearer <API key>");
        }
        var key = header[7..].Trim();
        var hash = Convert.ToHexString(ApiKeyFormat.Hash(key));
        if (!cache.TryGetValue(hash, out Caller? caller) || caller is null)
        {
            using var scope = scopes.CreateScope();
            caller = await FindAsync(scope.ServiceProvider.GetRequiredService<SenderAuthDb>(), key, Context.RequestAborted).ConfigureAwait(false);
            if (caller is null)
            {
                // Misses are not cached: random keys must not fill the cache. The audit names the key by its visible
                // prefix only (what lists show of real keys), never the rest; one subject, so a scanner trying many
                // paths from one address is throttled as one (SecurityAudit).
                await audit.RecordAsync(Context, AuditActions.AuthRefused, "API key", $"unknown or revoked API key {ApiKeyFormat.Visible(key)}… on {Request.Method} {Request.Path}", throttle: true).ConfigureAwait(false);
                return AuthenticateResult.Fail("unknown or revoked API key");
            }
            cache.Set(hash, caller, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = CacheFor, Size = 1 });
        }
        return AuthenticateResult.Success(new AuthenticationTicket(Principal(caller, SchemeName), SchemeName));
    }

    /// <summary>The caller an API key stands for, or null when it is unknown or revoked (the dashboard's sign-in uses this too).</summary>
    internal static async Task<Caller?> FindAsync(SenderAuthDb db, string key, CancellationToken ct)
    {
        var bytes = ApiKeyFormat.Hash(key);
        var row = await db.ApiKeys.AsNoTracking().Where(k => k.Hash == bytes && k.RevokedAt == null)
            .Select(k => new { k.Id, k.Name, k.InstitutionId, k.Scopes, Code = db.Institutions.Where(i => i.Id == k.InstitutionId).Select(i => i.Code).FirstOrDefault() })
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        // An institution key whose institution is soft-deleted (the query filter hides it) does not authenticate.
        if (row is null || (row.InstitutionId is not null && row.Code is null))
        {
            return null;
        }
        return new Caller(row.Id, row.InstitutionId is null ? $"operator:{row.Name}" : $"institution:{row.Code}:{row.Name}", row.InstitutionId, ApiScopes.Load(row.Scopes));
    }

    /// <summary>The claims <see cref="Caller.From(System.Security.Claims.ClaimsPrincipal)"/> reads back: the same for an API request and a dashboard session.</summary>
    internal static ClaimsPrincipal Principal(Caller caller, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, caller.Actor),
            new(Caller.KeyIdClaim, caller.KeyId.ToString(CultureInfo.InvariantCulture)),
        };
        claims.AddRange(caller.Scopes.Select(s => new Claim(Caller.ScopeClaim, ApiScopes.Token(s))));
        if (caller.InstitutionId is { } id)
        {
            claims.Add(new Claim(Caller.InstitutionClaim, id.ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            claims.Add(new Claim(ClaimTypes.Role, "operator"));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    // Both answers are typed errors through ErrorResponses, so a refused request has the same problem body
    // (title, detail, traceId) whether the scheme, the scope check or an endpoint refuses it.
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return ErrorResponses.Problem(new ServiceError.Unauthenticated("a valid API key is required: Authorization: Bearer <key>"), Context).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorResponses.Problem(new ServiceError.Refused("this needs an operator key"), Context).ExecuteAsync(Context);
}
