using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace SenderAuth.Server.Access;

/// <summary>The scope an endpoint needs; its policy is <see cref="ApiScopes.Policy"/>, its metadata feeds the OpenAPI document.</summary>
public sealed class ScopeRequirement(ApiScope scope) : IAuthorizationRequirement
{
    public ApiScope Scope { get; } = scope;
}

/// <summary>
/// Met when one of the caller's scope claims grants the required scope (admin grants all, manage-domains grants read).
/// A success is audited as <c>key.use</c> (key, scope, client), throttled to one entry per key, scope and client
/// per <see cref="KeyUseWindow"/>: enough to tell which key used which power from where, without a write per request.
/// </summary>
public sealed class ScopeHandler(SecurityAudit audit) : AuthorizationHandler<ScopeRequirement>
{
    public static readonly TimeSpan KeyUseWindow = TimeSpan.FromMinutes(1);

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        var held = context.User.FindAll(Caller.ScopeClaim).Select(c => ApiScopes.TryParse(c.Value, out var s) ? (ApiScope?)s : null).OfType<ApiScope>();
        if (ApiScopes.Grants(held, requirement.Scope))
        {
            context.Succeed(requirement);
            if (context.Resource is HttpContext http && http.User.FindFirst(Caller.KeyIdClaim) is not null)
            {
                // No path: only the first request of the window would be named, and one the key may not even see
                // succeed (authorization comes before the endpoint's own not-found).
                await audit.RecordAsync(http, AuditActions.KeyUse, ApiScopes.Token(requirement.Scope), null, throttle: true, window: KeyUseWindow).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>
/// Answers a scope refusal with 403 naming the missing scope, and audits it; every other outcome goes to the
/// default handler (401 challenge, the schemes' own forbid).
/// </summary>
public sealed class ScopeRefusalHandler(SecurityAudit audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().FirstOrDefault() is { } missing)
        {
            var caller = Caller.From(context);
            var needed = ApiScopes.Token(missing.Scope);
            var holds = Holds(caller);
            await audit.RecordAsync(context, AuditActions.AuthScopeRefused, $"{context.Request.Method} {context.Request.Path}", $"needs {needed}; the key holds {holds}", throttle: true).ConfigureAwait(false);
            var refusal = ErrorResponses.Problem(MissingScope(caller, missing.Scope), context);
            refusal.ProblemDetails.Extensions["missingScope"] = needed;
            await refusal.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
    }

    /// <summary>The refusal of a caller without <paramref name="scope"/>, in the words the API and the dashboard both use.</summary>
    public static ServiceError.Refused MissingScope(Caller caller, ApiScope scope)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new ServiceError.Refused($"this API key lacks the scope \"{ApiScopes.Token(scope)}\" (it holds: {Holds(caller)})");
    }

    private static string Holds(Caller caller) => caller.Scopes.Count == 0 ? "none" : ApiScopes.List(caller.Scopes);
}

/// <summary>Puts a scope on an endpoint or a group: the policy enforces it, the metadata documents it.</summary>
public static class ScopeEndpoints
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ApiScope scope) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.RequireAuthorization(ApiScopes.Policy(scope)).WithMetadata(new ScopeRequirement(scope));
    }

    /// <summary>The policies, one per scope, for the API-key scheme.</summary>
    public static void AddScopePolicies(AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var scope in ApiScopes.All)
        {
            options.AddPolicy(ApiScopes.Policy(scope), p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope)));
        }
    }
}
