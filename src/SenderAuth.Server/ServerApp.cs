using Microsoft.Extensions.Options;
using SenderAuth.Json;

namespace SenderAuth.Server;

/// <summary>
/// Builds and runs the server: its own executable's entry point (Program.cs), which the CLI's <c>serve</c> runs. Not static only so that tests
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
                // Before any hosted service runs: a database from a newer release is refused with nothing started.
                using (var scope = app.Services.CreateScope())
                {
                    await SchemaUpgrade.RefuseNewerAsync(scope.ServiceProvider.GetRequiredService<SenderAuthDb>(), CancellationToken.None).ConfigureAwait(false);
                }
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync("senderauth serve: the configuration is not valid:\n  " + string.Join("\n  ", e.Failures)).ConfigureAwait(false);
                return 2;
            }
            catch (Exception e) when (Find<DatabaseTooNewException>(e) is { } tooNew)
            {
                // Refused before any migration ran: the database is as the newer release left it.
                await Console.Error.WriteLineAsync($"senderauth serve: {tooNew.Message}").ConfigureAwait(false);
                return 2;
            }
            catch (Exception e) when (Find<MigrationFailedException>(e) is { } failed)
            {
                // Rolled back: the database is at the last migration that completed (docs/backup.md, "Upgrades").
                await Console.Error.WriteLineAsync($"senderauth serve: {failed.Message}").ConfigureAwait(false);
                return 70;
            }
            catch (Exception e) when (InUse(e) is { } inUse)
            {
                // The built-in DNS server or the milter found its address taken (Kestrel's own bind failure is an
                // IOException the CLI reports the same way). A first start has already stored its operator key: it is
                // shown now, or nobody could ever sign in without SENDERAUTH_OPERATOR_KEY.
                await Console.Error.WriteLineAsync($"senderauth serve: {inUse}: is another server running? (--dns, --milter, --urls choose other addresses)").ConfigureAwait(false);
                PrintFirstRunKey(app, Console.Error);
                return 2;
            }
            PrintBanner(app, console);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }
        return 0;
    }

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
        {
            if (x is T found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>The address-in-use failure inside a start-up exception, as one sentence; null for any other failure.</summary>
    private static string? InUse(Exception e)
    {
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
        {
            if (x is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
            {
                return e is IOException ? e.Message : "an address it listens on is already in use";
            }
        }
        return null;
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(FromEnvironment());
        builder.Configuration.AddCommandLine(args, Switches);
        var enums = ServerEnumSettings.Check(builder.Configuration);
        builder.Configuration.AddInMemoryCollection(enums.Overrides);
        builder.Services.AddSingleton(enums);
        if (builder.Configuration["urls"] is null && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8080");
        }
        if (LogFormats.From(builder.Configuration) == LogFormat.Json)
        {
            // One JSON object per line (what log shippers read), UTC times, and the scopes: the request's RequestId,
            // RequestPath and the W3C TraceId/SpanId (the host's ActivityTrackingOptions), so a line is found from
            // the traceId of a problem response or a trace. Same as Logging:Console:FormatterName=json with these
            // Logging:Console:FormatterOptions, which also works; this is the one switch docs/metrics.md documents.
            builder.Logging.ClearProviders().AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }
        AddServices(builder.Services, builder.Configuration);
        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    /// <summary>The two secrets, from their documented environment names or systemd credentials (<see cref="SecretSources"/>).</summary>
    private static Dictionary<string, string?> FromEnvironment() => SecretSources.Read(Environment.GetEnvironmentVariable);

    /// <summary>
    /// One line per feature (each folder's <c>AddX</c>). Everything reads <see cref="ServerOptions"/> at resolve
    /// time, never while building: the configuration is complete only then (tests and hosts add to it after this
    /// runs), and it is validated at start so a bad setting stops the server with every problem listed. Hosted
    /// services start in registration order: the start-up work (migrations, first publish) before the rest.
    /// </summary>
    private static void AddServices(IServiceCollection services, IConfiguration configuration) => services
        .AddServerHosting(configuration)
        .AddStore()
        .AddInstitutions()
        .AddKeys()
        .AddPublishing()
        .AddSigning()
        .AddDomains()
        .AddStartupTasks()
        .AddMonitoring()
        .AddWebhooks()
        .AddReports()
        .AddMilter()
        .AddAccess()
        .AddDashboard();

    private static void MapEndpoints(WebApplication app)
    {
        app.UseClientLimits();
        app.UseMetricsEndpoint();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDashboard();
        // Routing after the status-code pages, so that a dashboard error re-executed as /dashboard/status/{code} is routed anew.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapServerHosting();
        app.MapGroup("/api/v1").RequireAuthorization().RequireRateLimiting(AccessFeature.PerKeyLimit)
            .MapInstitutions()
            .MapDomains()
            .MapKeys()
            .MapSigning()
            .MapPublishing()
            .MapAccess()
            .MapMonitoring()
            .MapWebhooks()
            .MapReports();
        app.MapDashboard();
    }

    private static void PrintFirstRunKey(WebApplication app, TextWriter console)
    {
        if (app.Services.GetRequiredService<StartupTasks>().GeneratedOperatorKey is { } operatorKey)
        {
            console.WriteLine();
            console.WriteLine($"  operator key (shown once, store it now): {operatorKey}");
            console.WriteLine("  use it as: Authorization: Bearer <key>");
        }
    }

    private static void PrintBanner(WebApplication app, TextWriter console)
    {
        var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var publisher = app.Services.GetRequiredService<IZonePublisher>();
        console.WriteLine("SenderAuth server");
        console.WriteLine($"  API        {string.Join(", ", app.Urls)}/api/v1   (OpenAPI: /openapi/v1.json, health: /health, /ready)");
        if (options.Dashboard.Enabled)
        {
            console.WriteLine($"  dashboard  {string.Join(", ", app.Urls.Select(u => u.TrimEnd('/') + "/dashboard"))}   (sign in with an API key)");
        }
        console.WriteLine($"  database   {(options.Database == DatabaseKind.Postgres ? "PostgreSQL" : Path.Combine(options.DataDirectory, "senderauth.db"))}");
        console.WriteLine($"  data       {options.DataDirectory}");
        console.WriteLine($"  zone       {options.Provider.Zone} published by {SenderAuthJson.Token(publisher.Kind)}{(publisher.AuthoritativeServer is { } s ? $" (DNS at {s})" : "")}");
        console.WriteLine($"  milter     {app.Services.GetRequiredService<SenderAuth.Server.Milter.MilterListener>().Address ?? "off"}{(options.Milter.Enabled ? $" ({SenderAuthJson.Token(options.Milter.Mode)}, on error {SenderAuthJson.Token(options.Milter.OnError)})" : "")}");
        PrintFirstRunKey(app, console);
        console.Flush();
    }
}
