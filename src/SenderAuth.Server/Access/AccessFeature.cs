using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Access;

/// <summary>Who calls: API-key authentication, authorization, the per-key rate limit, and the API-key endpoints.</summary>
public static class AccessFeature
{
    /// <summary>The rate-limit policy every API route carries.</summary>
    public const string PerKeyLimit = "per-key";

    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddRateLimiter(r =>
        {
            r.RejectionStatusCode = 429;
            r.AddPolicy(PerKeyLimit, http =>
            {
                var limits = http.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.Limits;
                return RateLimitPartition.GetTokenBucketLimiter(
                    http.User.FindFirst(Caller.KeyIdClaim)?.Value ?? "anonymous:" + http.Connection.RemoteIpAddress,
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limits.Burst,
                        TokensPerPeriod = limits.RequestsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            r.OnRejected = async (ctx, ct) =>
            {
                ctx.HttpContext.Response.Headers.RetryAfter = "1";
                await Results.Problem(statusCode: 429, title: "Too many requests", detail: "this API key sent more requests per second than SenderAuth:Limits:RequestsPerSecond allows")
                    .ExecuteAsync(ctx.HttpContext).ConfigureAwait(false);
            };
        });
        return services;
    }

    public static RouteGroupBuilder MapAccess(this RouteGroupBuilder api)
    {
        ApiKeyEndpoints.Map(api);
        return api;
    }
}
