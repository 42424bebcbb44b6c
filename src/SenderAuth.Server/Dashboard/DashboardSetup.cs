using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Dashboard;

/// <summary>
/// The web dashboard: Razor Pages under /dashboard over the same services and the same <see cref="Caller"/> scoping
/// as the API. Sign-in is by API key into a cookie session; the API itself still authenticates only by the
/// Authorization header, so a browser's cookie never authorizes an API call (no CSRF there), and every dashboard
/// POST carries an antiforgery token (Razor Pages validate it by default).
/// </summary>
public static class DashboardSetup
{
    public const string Scheme = "DashboardSession";
    public const string Policy = "dashboard";
    public const string SignInLimit = "dashboard-signin";
    public const string CookieName = "senderauth_session";
    private static readonly TimeSpan RevocationCacheFor = TimeSpan.FromSeconds(10);

    /// <summary>
    /// MVC finds Razor Pages only in the entry assembly and the assemblies it names as application parts. The
    /// shipped process is the CLI (<c>senderauth serve</c>), whose assembly is not a web project and names none, so
    /// the dashboard's compiled pages were never found there (only under a test host, whose entry is this
    /// assembly). The parts are added here, once, whoever hosts the server.
    /// </summary>
    private static void AddOwnPages(ApplicationPartManager manager)
    {
        var assembly = typeof(DashboardSetup).Assembly;
        if (manager.ApplicationParts.Any(p => p is AssemblyPart a && a.Assembly == assembly))
        {
            return;
        }
        foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
        {
            manager.ApplicationParts.Add(part);
        }
    }

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddSectionValidator<DashboardOptions, DashboardOptionsValidator>(o => o.Dashboard);
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Dashboard/Pages";
            o.Conventions.AuthorizeFolder("/", Policy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AllowAnonymousToPage("/Status");
            o.Conventions.AddPageApplicationModelConvention("/SignIn", m => m.EndpointMetadata.Add(new EnableRateLimitingAttribute(SignInLimit)));
        }).ConfigureApplicationPartManager(AddOwnPages);
        services.AddAntiforgery(a =>
        {
            a.Cookie.Name = "senderauth_csrf";
            a.Cookie.SameSite = SameSiteMode.Strict;
            a.Cookie.HttpOnly = true;
            a.FormFieldName = "__csrf";
        });
        services.AddOptions<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>().Configure<IOptions<DashboardOptions>>((a, o) =>
            a.Cookie.SecurePolicy = o.Value.AlwaysSecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);
        services.AddAuthentication().AddCookie(Scheme);
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<DashboardOptions>>((c, o) =>
        {
            var dashboard = o.Value;
            c.Cookie.Name = CookieName;
            c.Cookie.HttpOnly = true;
            c.Cookie.SameSite = SameSiteMode.Strict;
            c.Cookie.SecurePolicy = dashboard.AlwaysSecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            c.Cookie.Path = "/dashboard";
            c.ExpireTimeSpan = TimeSpan.FromMinutes(dashboard.SessionMinutes);
            c.SlidingExpiration = true;
            c.LoginPath = "/dashboard/signin";
            c.LogoutPath = "/dashboard/signout";
            c.AccessDeniedPath = "/dashboard/signin";
            c.Events.OnValidatePrincipal = EndIfRevokedAsync;
        });
        // A session needs the read scope: a sign-only key is refused at sign-in, and this holds if one ever got a session.
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(ApiScope.Read)));
        services.AddOptions<RateLimiterOptions>().Configure(r => r.AddPolicy(SignInLimit, http =>
            // API keys have 256 bits, so guessing is hopeless anyway; the limit keeps a script from using sign-in to
            // load the database. Per client (behind a trusted proxy, the forwarded one), so one script slows only itself.
            RateLimitPartition.GetFixedWindowLimiter("signin:" + ClientAddress.Of(http), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = http.RequestServices.GetRequiredService<IOptions<ClientLimitOptions>>().Value.SignInsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            })));
        return services;
    }

    /// <summary>
    /// A session lasts only as long as the API key it was opened with: a revoked key (or a deleted institution)
    /// ends it within <see cref="RevocationCacheFor"/>, like the API's own key cache.
    /// </summary>
    private static async Task EndIfRevokedAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal is not { } principal)
        {
            return;
        }
        var keyId = long.Parse(principal.FindFirst(Caller.KeyIdClaim)?.Value ?? "0", CultureInfo.InvariantCulture);
        var cache = context.HttpContext.RequestServices.GetRequiredService<IMemoryCache>();
        var cacheKey = "dashboard-session:" + keyId.ToString(CultureInfo.InvariantCulture);
        if (cache.TryGetValue(cacheKey, out bool live) && live)
        {
            return;
        }
        var db = context.HttpContext.RequestServices.GetRequiredService<SenderAuthDb>();
        live = await db.ApiKeys.AsNoTracking().AnyAsync(k => k.Id == keyId && k.RevokedAt == null, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (!live)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme).ConfigureAwait(false);
            return;
        }
        cache.Set(cacheKey, true, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = RevocationCacheFor, Size = 1 });
    }

    /// <summary>Static files (CSS, JS, the chart library) are embedded in the assembly, so every way of running the server serves them.</summary>
    public static void UseDashboard(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/dashboard"))
            {
                if (!http.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value.Enabled)
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                var headers = http.Response.Headers;
                // Scripts and styles only from our own files (no inline code), no framing, forms post only to us.
                headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
            }
            await next(http).ConfigureAwait(false);
        });
        // The dashboard's errors (404 for what the caller may not see, 400 for a stale form) as pages, not ProblemDetails.
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/dashboard"), b => b.UseStatusCodePagesWithReExecute("/dashboard/status/{0}"));
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(DashboardSetup).Assembly, "SenderAuth.Server.Dashboard.assets"),
            RequestPath = "/dashboard/assets",
        });
    }

    /// <summary>After authentication: the pages, the status pages for dashboard errors, and / leading to the dashboard.</summary>
    public static void MapDashboard(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapGet("/", () => Results.Redirect("/dashboard")).ExcludeFromDescription();
    }
}
