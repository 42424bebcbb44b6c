using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using SenderAuth.Server.Api;
using SenderAuth.Server.Auth;
using SenderAuth.Server.Data;
using SenderAuth.Server.Hosting;
using SenderAuth.Server.Keys;
using SenderAuth.Server.Onboarding;
using SenderAuth.Server.Publishing;
using SenderAuth.Server.Signing;

namespace SenderAuth.Server;

/// <summary>Builds and runs the server; the CLI's <c>serve</c> command and the tests start it from here.</summary>
public static partial class ServerApp
{
    /// <summary>Short command-line switches (the rest take the configuration path, e.g. --SenderAuth:Database=postgres).</summary>
    public static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--data"] = "SenderAuth:DataDirectory",
        ["--dns"] = "SenderAuth:Publishing:Dns",
        ["--database"] = "SenderAuth:Database",
        ["--connection-string"] = "SenderAuth:ConnectionString",
        ["--publish"] = "SenderAuth:Publishing:Mode",
        ["--resolver"] = "SenderAuth:Resolver:Servers:0",
    };

    public static async Task<int> RunAsync(string[] args, TextWriter? console = null)
    {
        console ??= Console.Out;
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("senderauth serve: the configuration is not valid:\n  " + string.Join("\n  ", e.Failures)).ConfigureAwait(false);
            return 2;
        }
        await using (app.ConfigureAwait(false))
        {
            string? operatorKey;
            try
            {
                operatorKey = await StartAsync(app, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync("senderauth serve: the configuration is not valid:\n  " + string.Join("\n  ", e.Failures)).ConfigureAwait(false);
                return 2;
            }
            await app.StartAsync().ConfigureAwait(false);
            PrintBanner(app, operatorKey, console);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>Validates options, migrates, publishes: everything before the first request.</summary>
    public static async Task<string?> StartAsync(WebApplication app, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        if (app.Services.GetService<BuiltInDnsServer>() is { } dns)
        {
            await dns.StartAsync(ct).ConfigureAwait(false);
        }
        return await StartupTasks.RunAsync(app.Services, ct).ConfigureAwait(false);
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(FromEnvironment());
        builder.Configuration.AddCommandLine(args, Switches);
        if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8080");
        }
        if (builder.Configuration["Logging:Format"] == "json")
        {
            builder.Logging.ClearProviders().AddJsonConsole();
        }
        configure?.Invoke(builder);
        AddServices(builder);
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

    private static void AddServices(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        options.Provider.ApplyDefaults();
        var validation = new ServerOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), validation.Failures);
        }
        var data = Path.GetFullPath(options.DataDirectory, Environment.CurrentDirectory);
        services.PostConfigure<ServerOptions>(o =>
        {
            o.DataDirectory = data;
            o.Provider.ApplyDefaults();
        });
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        // ASP.NET's own key ring (used by the framework, never for DKIM keys) stays in the data folder, not in $HOME.
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(data, "aspnet-keys")));
        AddDatabase(services, options, data);
        services.AddSingleton(sp => new KeyProtector(MasterKeySource.Load(options.MasterKey, data, sp.GetRequiredService<ILoggerFactory>().CreateLogger("SenderAuth.MasterKey"))));
        services.AddSingleton<KeyStore>();
        services.AddSingleton<ServerMetrics>();
        PublisherSetup.Add(services, options, data);
        services.AddSingleton<ZonePublishingService>();
        services.AddSingleton<SigningService>();
        services.AddSingleton(sp => ResolverSetup.Create(options, sp.GetRequiredService<IZonePublisher>()));
        services.AddScoped<DomainService>();

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddRateLimiter(r =>
        {
            r.RejectionStatusCode = 429;
            r.AddPolicy("per-key", http => RateLimitPartition.GetTokenBucketLimiter(
                http.User.FindFirst(Caller.KeyIdClaim)?.Value ?? "anonymous:" + http.Connection.RemoteIpAddress,
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.Limits.Burst,
                    TokensPerPeriod = options.Limits.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            r.OnRejected = async (ctx, ct) =>
            {
                ctx.HttpContext.Response.Headers.RetryAfter = "1";
                await Results.Problem(statusCode: 429, title: "Too many requests", detail: $"this API key is limited to {options.Limits.RequestsPerSecond} requests per second")
                    .ExecuteAsync(ctx.HttpContext).ConfigureAwait(false);
            };
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<ErrorResponses>();
        services.ConfigureHttpJsonOptions(j => ApiJson.Configure(j.SerializerOptions));
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "SenderAuth API";
            doc.Info.Description = "Institutions, sender domains, the records they publish, DKIM keys and signing. Authenticate with Authorization: Bearer <API key>.";
            return Task.CompletedTask;
        }));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.Limits.MaxMessageBytes + 64 * 1024);
        services.AddHealthChecks().AddCheck<ReadinessCheck>("ready", tags: ["ready"]);
        var metrics = services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ServerMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"));
        if (builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is not null)
        {
            metrics.WithMetrics(m => m.AddOtlpExporter());
        }
    }

    private static void AddDatabase(IServiceCollection services, ServerOptions options, string data)
    {
        if (options.Database.Equals("postgres", StringComparison.OrdinalIgnoreCase))
        {
            services.AddDbContextPool<PostgresSenderAuthDb>(o => o.UseNpgsql(options.ConnectionString));
            services.AddScoped<SenderAuthDb>(sp => sp.GetRequiredService<PostgresSenderAuthDb>());
        }
        else
        {
            Directory.CreateDirectory(data);
            var file = Path.Combine(data, "senderauth.db");
            services.AddDbContextPool<SqliteSenderAuthDb>(o => o.UseSqlite($"Data Source={file};Pooling=True;Default Timeout=30"));
            services.AddScoped<SenderAuthDb>(sp => sp.GetRequiredService<SqliteSenderAuthDb>());
        }
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
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
    }

    private static void PrintBanner(WebApplication app, string? operatorKey, TextWriter console)
    {
        var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var publisher = app.Services.GetRequiredService<IZonePublisher>();
        console.WriteLine("SenderAuth server");
        console.WriteLine($"  API        {string.Join(", ", app.Urls)}/api/v1   (OpenAPI: /openapi/v1.json, health: /health, /ready)");
        console.WriteLine($"  database   {(options.Database == "postgres" ? "PostgreSQL" : Path.Combine(options.DataDirectory, "senderauth.db"))}");
        console.WriteLine($"  data       {options.DataDirectory}");
        console.WriteLine($"  zone       {options.Provider.Zone} published by {publisher.Kind}{(publisher.AuthoritativeServer is { } s ? $" (DNS at {s})" : "")}");
        if (operatorKey is not null)
        {
            console.WriteLine();
            console.WriteLine($"  operator key (shown once, store it now): {operatorKey}");
            console.WriteLine("  use it as: Authorization: Bearer <key>");
        }
        console.Flush();
    }
}
