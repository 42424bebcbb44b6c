using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SenderAuth.Json;

namespace SenderAuth.Server.Hosting;

/// <summary>
/// What every feature stands on: the validated options, the clock, caches, ASP.NET's own key ring, metrics, the one
/// JSON contract, problem details for every error, the OpenAPI document, health and readiness.
/// </summary>
public static class HostingSetup
{
    public static IServiceCollection AddServerHosting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServerOptions>().Bind(configuration.GetSection(ServerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        services.PostConfigure<ServerOptions>(o =>
        {
            o.DataDirectory = Path.GetFullPath(o.DataDirectory, Environment.CurrentDirectory);
            o.Provider.ApplyDefaults();
            o.Notifications.ApplyDefaults();
        });
        services.AddSingleton(TimeProvider.System);
        // Bounded: entries (authenticated API keys) have Size 1.
        services.AddMemoryCache(c => c.SizeLimit = 100_000);
        services.AddDataProtection();
        // ASP.NET's own key ring (used by the framework, never for DKIM keys) stays in the data folder, not in $HOME.
        services.AddOptions<KeyManagementOptions>().Configure(k =>
            k.XmlRepository = new Microsoft.AspNetCore.DataProtection.Repositories.FileSystemXmlRepository(
                new DirectoryInfo(Path.Combine(Path.GetFullPath(configuration[$"{ServerOptions.Section}:DataDirectory"] ?? "data", Environment.CurrentDirectory), "aspnet-keys")),
                NullLoggerFactory.Instance));
        services.AddProblemDetails();
        services.AddExceptionHandler<ErrorResponses>();
        services.ConfigureHttpJsonOptions(j => SenderAuthJson.Configure(j.SerializerOptions));
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "SenderAuth API";
            doc.Info.Description = "Institutions, sender domains, the records they publish, DKIM keys and signing. Authenticate with Authorization: Bearer <API key>.";
            return Task.CompletedTask;
        }));
        // Read from configuration, not IOptions: Kestrel resolves its options while the app is built, before validation.
        services.AddOptions<KestrelServerOptions>().Configure(k => k.Limits.MaxRequestBodySize =
            (configuration.GetValue<long?>($"{ServerOptions.Section}:Limits:MaxMessageBytes") ?? new ApiLimits().MaxMessageBytes) + 64 * 1024);
        services.AddHealthChecks().AddCheck<ReadinessCheck>("ready", tags: ["ready"]);
        services.AddSingleton<IValidateOptions<ServerOptions>, OptionRangeValidator>();
        // Every endpoint reads the request limits (Http/ApiLimits; their ranges are [Range] attributes).
        services.AddSectionOptions<ApiLimits>(o => o.Limits);
        services.AddServerMetrics(configuration);
        return services;
    }

    /// <summary>Migrations and the first publish, as a hosted service registered before every other one.</summary>
    public static IServiceCollection AddStartupTasks(this IServiceCollection services)
    {
        services.AddSingleton<StartupTasks>();
        services.AddHostedService(sp => sp.GetRequiredService<StartupTasks>());
        return services;
    }

    /// <summary>The OpenAPI document, liveness (/health) and readiness (/ready: database open, zone published).</summary>
    public static WebApplication MapServerHosting(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthChecks("/health", new() { Predicate = _ => false });
        app.MapHealthChecks("/ready", new()
        {
            Predicate = c => c.Tags.Contains("ready"),
            // "Healthy" alone when ready (what probes compare); otherwise the status and why, so an operator
            // reading /ready sees what is wrong (a provider zone that does not publish, a database that is down).
            ResponseWriter = (http, report) => http.Response.WriteAsync(report.Status == HealthStatus.Healthy
                ? "Healthy"
                : $"{report.Status}: {string.Join("; ", report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description))}"),
        });
        return app;
    }
}
