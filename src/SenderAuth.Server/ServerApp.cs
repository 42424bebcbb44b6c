using SenderAuth.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace SenderAuth.Server;

/// <summary>
/// Builds and runs the server; the CLI's <c>serve</c> command starts it from here. Not static only so that tests
/// can name this assembly's entry point as WebApplicationFactory&lt;ServerApp&gt;.
/// </summary>
public sealed partial class ServerApp
{
    private ServerApp()
    {
    }

    /// <summary>Short command-line switches (the rest take the configuration path, e.g. --SenderAuth:Database=postgres).</summary>
    public static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--data"] = "SenderAuth:DataDirectory",
        ["--dns"] = "SenderAuth:Publishing:Dns",
        ["--database"] = "SenderAuth:Database",
        ["--connection-string"] = "SenderAuth:ConnectionString",
        ["--publish"] = "SenderAuth:Publishing:Mode",
        ["--resolver"] = "SenderAuth:Resolver:Servers:0",
        ["--milter"] = "SenderAuth:Milter:Listen",
    };

    public static async Task<int> RunAsync(string[] args, TextWriter? console = null)
    {
        console ??= Console.Out;
        var app = Build(args);
        await using (app.ConfigureAwait(false))
        {
            try
            {
                // Validate before the host starts, so a bad setting is one clear message, not a logged stack trace.
                _ = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync("senderauth serve: the configuration is not valid:\n  " + string.Join("\n  ", e.Failures)).ConfigureAwait(false);
                return 2;
            }
            PrintBanner(app, console);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }
        return 0;
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(FromEnvironment());
        builder.Configuration.AddCommandLine(args, Switches);
        if (builder.Configuration["urls"] is null && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8080");
        }
        if (builder.Configuration["Logging:Format"] == "json")
        {
            builder.Logging.ClearProviders().AddJsonConsole();
        }
        AddServices(builder.Services, builder.Configuration);
        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    /// <summary>The two secrets have short, documented environment names.</summary>
    private static Dictionary<string, string?> FromEnvironment()
    {
        var values = new Dictionary<string, string?>();
        if (Environment.GetEnvironmentVariable("SENDERAUTH_OPERATOR_KEY") is { Length: > 0 } op)
        {
            values["SenderAuth:OperatorKey"] = op;
        }
        if (Environment.GetEnvironmentVariable("SENDERAUTH_MASTER_KEY") is { Length: > 0 } mk)
        {
            values["SenderAuth:MasterKey"] = mk;
        }
        return values;
    }

    /// <summary>
    /// Registers everything from <see cref="ServerOptions"/> read at resolve time, never while building: the
    /// configuration is complete only then (tests and hosts add to it after Program runs), and it is validated
    /// at start (ValidateOnStart) so a bad setting stops the server with every problem listed.
    /// </summary>
    private static void AddServices(IServiceCollection services, IConfiguration configuration)
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
        AddDatabase(services);
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ServerOptions>>().Value;
            return new KeyProtector(MasterKeySource.Load(o.MasterKey, o.DataDirectory, sp.GetRequiredService<ILoggerFactory>().CreateLogger("SenderAuth.MasterKey")));
        });
        services.AddSingleton<KeyStore>();
        services.AddSingleton<ServerMetrics>();
        PublisherSetup.Add(services);
        services.AddSingleton<ZonePublishingService>();
        services.AddSingleton<SigningService>();
        services.AddSingleton(sp => ResolverSetup.Create(sp.GetRequiredService<IOptions<ServerOptions>>().Value, sp.GetRequiredService<IZonePublisher>()));
        services.AddSingleton(sp => ResolverSetup.Dnssec(sp.GetRequiredService<IOptions<ServerOptions>>().Value));
        services.AddScoped<DomainService>();
        services.AddScoped<SenderAuth.Server.Monitoring.KeyRotator>();
        services.AddScoped<SenderAuth.Server.Monitoring.Canary>();
        // Hosted services start in order: the start-up work (migrations, first publish) before the scheduler.
        services.AddSingleton<StartupTasks>();
        services.AddHostedService(sp => sp.GetRequiredService<StartupTasks>());
        services.AddSingleton<SenderAuth.Server.Monitoring.MonitorService>();
        services.AddHostedService(sp => sp.GetRequiredService<SenderAuth.Server.Monitoring.MonitorService>());
        AddWebhooks(services);
        Reports.ReportSetup.Add(services);
        services.AddSingleton<SenderAuth.Server.Milter.MilterListener>();
        services.AddHostedService(sp => sp.GetRequiredService<SenderAuth.Server.Milter.MilterListener>());

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        DashboardSetup.AddDashboard(services);
        services.AddRateLimiter(r =>
        {
            r.RejectionStatusCode = 429;
            r.AddPolicy("per-key", http =>
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
        var metrics = services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ServerMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"));
        if (configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is not null)
        {
            metrics.WithMetrics(m => m.AddOtlpExporter());
        }
    }

    /// <summary>The sender runs after StartupTasks (hosted services start in order), so it finds the database migrated.</summary>
    private static void AddWebhooks(IServiceCollection services)
    {
        services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigureHttpClient((sp, c) => c.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<ServerOptions>>().Value.Notifications.TimeoutSeconds))
            // Redirects are not followed: they would lead to a URL the webhook's owner did not register, and a 3xx
            // recorded as a failure shows the owner what to fix.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
    }

    /// <summary>Both contexts are registered; <see cref="SenderAuthDb"/> resolves to the configured one.</summary>
    private static void AddDatabase(IServiceCollection services)
    {
        services.AddDbContextPool<PostgresSenderAuthDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<IOptions<ServerOptions>>().Value.ConnectionString));
        services.AddDbContextPool<SqliteSenderAuthDb>((sp, o) =>
        {
            var data = sp.GetRequiredService<IOptions<ServerOptions>>().Value.DataDirectory;
            Directory.CreateDirectory(data);
            o.UseSqlite($"Data Source={Path.Combine(data, "senderauth.db")};Pooling=True;Default Timeout=30");
        });
        services.AddScoped<SenderAuthDb>(sp => sp.GetRequiredService<IOptions<ServerOptions>>().Value.Database.Equals("postgres", StringComparison.OrdinalIgnoreCase)
            ? sp.GetRequiredService<PostgresSenderAuthDb>()
            : sp.GetRequiredService<SqliteSenderAuthDb>());
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        DashboardSetup.UseDashboard(app);
        // Routing after the status-code pages, so that a dashboard error re-executed as /dashboard/status/{code} is routed anew.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthChecks("/health", new() { Predicate = _ => false });
        app.MapHealthChecks("/ready", new() { Predicate = c => c.Tags.Contains("ready") });
        var api = app.MapGroup("/api/v1").RequireAuthorization().RequireRateLimiting("per-key");
        InstitutionEndpoints.Map(api);
        DomainEndpoints.Map(api);
        MessageEndpoints.Map(api);
        OperatorEndpoints.Map(api);
        ApiKeyEndpoints.Map(api);
        RotationEndpoints.Map(api);
        WebhookEndpoints.Map(api);
        Reports.ReportUploadEndpoints.Map(api);
        Reports.ReportAnalysisEndpoints.Map(api);
        Reports.KnownSenderEndpoints.Map(api);
        DashboardSetup.MapDashboard(app);
    }

    private static void PrintBanner(WebApplication app, TextWriter console)
    {
        var operatorKey = app.Services.GetRequiredService<StartupTasks>().GeneratedOperatorKey;
        var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var publisher = app.Services.GetRequiredService<IZonePublisher>();
        console.WriteLine("SenderAuth server");
        console.WriteLine($"  API        {string.Join(", ", app.Urls)}/api/v1   (OpenAPI: /openapi/v1.json, health: /health, /ready)");
        if (options.Dashboard.Enabled)
        {
            console.WriteLine($"  dashboard  {string.Join(", ", app.Urls.Select(u => u.TrimEnd('/') + "/dashboard"))}   (sign in with an API key)");
        }
        console.WriteLine($"  database   {(options.Database == "postgres" ? "PostgreSQL" : Path.Combine(options.DataDirectory, "senderauth.db"))}");
        console.WriteLine($"  data       {options.DataDirectory}");
        console.WriteLine($"  zone       {options.Provider.Zone} published by {publisher.Kind}{(publisher.AuthoritativeServer is { } s ? $" (DNS at {s})" : "")}");
        console.WriteLine($"  milter     {app.Services.GetRequiredService<SenderAuth.Server.Milter.MilterListener>().Address ?? "off"}{(options.Milter.Enabled ? $" ({options.Milter.Mode}, on error {options.Milter.OnError})" : "")}");
        if (operatorKey is not null)
        {
            console.WriteLine();
            console.WriteLine($"  operator key (shown once, store it now): {operatorKey}");
            console.WriteLine("  use it as: Authorization: Bearer <key>");
        }
        console.Flush();
    }
}
