using System.Threading.RateLimiting;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
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
        services.AddAuthorization(ScopeEndpoints.AddScopePolicies);
        services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ScopeRefusalHandler>();
        services.AddSingleton<SecurityAudit>();
        services.Configure<OpenApiOptions>("v1", o => o.AddOperationTransformer((operation, context, _) =>
        {
            // Every operation names the scope it needs, in words (description) and for tools (x-senderauth-scope).
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ScopeRequirement>().LastOrDefault() is { } required)
            {
                var token = ApiScopes.Token(required.Scope);
                operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : "") + $"Needs an API key with the scope `{token}` (or one that grants it).";
                operation.Extensions ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiExtension>();
                operation.Extensions["x-senderauth-scope"] = new Microsoft.OpenApi.JsonNodeExtension(JsonValue.Create(token));
            }
            return Task.CompletedTask;
        }));
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
        AuditEndpoints.Map(api);
        return api;
    }
}
