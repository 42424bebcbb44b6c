using System.Globalization;
using System.Threading.RateLimiting;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Access;

/// <summary>
/// Who calls: forwarded headers from trusted proxies, the per-client limits ahead of authentication, API-key
/// authentication, authorization, the per-key rate limit, and the API-key endpoints.
/// </summary>
public static class AccessFeature
{
    /// <summary>The rate-limit policy every API route carries.</summary>
    public const string PerKeyLimit = "per-key";

    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddSectionValidator<ProxyOptions, ProxyOptionsValidator>(o => o.Proxies);
        services.AddSectionOptions(o => o.ClientLimits);
        services.AddSingleton<ClientThrottle>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((f, o) => TrustProxies(f, o.Value));
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(ScopeEndpoints.AddScopePolicies);
        services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ScopeRefusalHandler>();
        services.AddSingleton<SecurityAudit>();
        services.Configure<OpenApiOptions>("v1", o => o.AddOperationTransformer((operation, context, _) =>
        {
            // An endpoint that authorization guards names the API-key scheme, so clients and generators send the key.
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any() && context.Document is { } document)
            {
                ApiKeyOpenApi.Declare(document);
                operation.Security ??= [];
                operation.Security.Add(ApiKeyOpenApi.Requirement(document));
            }
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
            r.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            r.AddPolicy(PerKeyLimit, http =>
            {
                var limits = http.RequestServices.GetRequiredService<IOptions<ApiLimits>>().Value;
                return RateLimitPartition.GetTokenBucketLimiter(
                    http.User.FindFirst(Caller.KeyIdClaim)?.Value ?? "anonymous:" + ClientAddress.Of(http),
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
                var http = ctx.HttpContext;
                var limits = http.RequestServices.GetRequiredService<IOptions<ApiLimits>>().Value;
                var retry = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                var clients = http.RequestServices.GetRequiredService<IOptions<ClientLimitOptions>>().Value;
                var error = http.Request.Path.StartsWithSegments("/dashboard") ? new ServiceError.RateLimited(
                    $"more sign-in attempts per minute from your address than {ClientLimitOptions.Section}:SignInsPerMinute = {clients.SignInsPerMinute.ToString(CultureInfo.InvariantCulture)} allows: retry in {retry} s",
                    $"{ClientLimitOptions.Section}:SignInsPerMinute", clients.SignInsPerMinute, retry) : new ServiceError.RateLimited(
                    $"this API key sent more requests than SenderAuth:Limits:RequestsPerSecond = {limits.RequestsPerSecond.ToString(CultureInfo.InvariantCulture)} per second (burst {limits.Burst.ToString(CultureInfo.InvariantCulture)}) allows: retry in {retry} s",
                    "SenderAuth:Limits:RequestsPerSecond", limits.RequestsPerSecond, retry);
                await ErrorResponses.Problem(error, http).ExecuteAsync(http).ConfigureAwait(false);
            };
        });
        return services;
    }

    /// <summary>
    /// First in the pipeline: the client's address from a trusted proxy (nothing happens when none is configured),
    /// then the per-client limit on failed authentication, before any key is looked up.
    /// </summary>
    public static WebApplication UseClientLimits(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<ClientLimitMiddleware>();
        return app;
    }

    /// <summary>
    /// ASP.NET Core trusts loopback proxies by default; here only the configured ones are, and with none configured
    /// no header is read (a client could otherwise name its own address and escape its limits). Each hop is believed
    /// only while it comes from a trusted proxy, so a chain of trusted proxies works and a spoofed entry before them does not.
    /// </summary>
    private static void TrustProxies(ForwardedHeadersOptions f, ProxyOptions proxies)
    {
        f.KnownProxies.Clear();
        f.KnownIPNetworks.Clear();
        if (!proxies.Enabled)
        {
            f.ForwardedHeaders = ForwardedHeaders.None;
            return;
        }
        f.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        f.ForwardLimit = null;
        foreach (var p in proxies.KnownProxies)
        {
            f.KnownProxies.Add(System.Net.IPAddress.Parse(p));
        }
        foreach (var n in proxies.KnownNetworks)
        {
            f.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n));
        }
    }

    public static RouteGroupBuilder MapAccess(this RouteGroupBuilder api)
    {
        ApiKeyEndpoints.Map(api);
        AuditEndpoints.Map(api);
        return api;
    }
}
