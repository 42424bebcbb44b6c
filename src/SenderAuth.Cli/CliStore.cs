using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Store.Data;
using SenderAuth.Store.Hosting;

namespace SenderAuth.Cli;

/// <summary>The server's configuration switches the database commands take (the names <c>serve</c> takes).</summary>
internal sealed record StoreTarget(string? Data, string? Database, string? ConnectionString);

/// <summary>
/// The server's database for <c>report --db</c> and <c>report summary</c>: the store's services (SenderAuth.Store)
/// on a plain service provider, configured as the server is (the switches, then <c>SenderAuth__…</c> environment
/// variables), migrated; no web host, no API, no background work.
/// </summary>
internal static class CliStore
{
    /// <summary>
    /// The store, migrated; or exit 3 with one line when the database cannot be opened, exit 70 with one line when a
    /// migration failed (rolled back). Invalid settings are bad usage (exit 2), with every problem listed.
    /// </summary>
    public static async Task<(ServiceProvider? Services, int Exit)> OpenAsync(StoreTarget target, CancellationToken ct)
    {
        var configuration = Configuration(target);
        var services = new ServiceCollection()
            .AddLogging(b => b
                // The CLI's own output is the table or the JSON: the store's logs go to stderr, and only when they matter.
                .AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace)
                .SetMinimumLevel(LogLevel.Warning)
                .AddFilter("SenderAuth.Store.Reports", LogLevel.Error)
                .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None))
            .AddStoreOptions(configuration)
            .AddSingleton(_ => PublicSuffixList.LoadOrBuiltIn(configuration["SenderAuth:Domains:PublicSuffixList"] ?? ""))
            .AddSingleton<IDnsResolver>(_ => Resolver(configuration))
            .AddSenderAuthStore()
            .BuildServiceProvider();
        try
        {
            _ = Validated(services);
        }
        catch (UsageException)
        {
            await services.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        try
        {
            using var scope = services.CreateScope();
            // An upgrade is told, one line per step on stderr: these commands' stdout is the table or the JSON.
            await StoreMigrations.MigrateAsync(scope.ServiceProvider.GetRequiredService<SenderAuthDb>(), new MigrationLog(), ct).ConfigureAwait(false);
            return (services, ExitCodes.Ok);
        }
        catch (DatabaseTooNewException e)
        {
            // Refused before any migration ran: bad usage (the wrong release for this database), exit 2.
            await services.DisposeAsync().ConfigureAwait(false);
            throw new UsageException(e.Message);
        }
        catch (MigrationFailedException e) when (e.InnerException is Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
        {
            // The database refused a migration's statement: not an outage that trying again fixes (exit 3) but a fault
            // to remove first, so exit 70 as `serve` does, with the same one line naming the migration.
            CliOutput.Error(OneLine(e.Message));
            await services.DisposeAsync().ConfigureAwait(false);
            return (null, ExitCodes.Internal);
        }
        catch (ArgumentException e)
        {
            // A connection string Npgsql cannot read: the operator's typo, not an outage.
            await services.DisposeAsync().ConfigureAwait(false);
            throw new UsageException($"the connection string is not valid: {OneLine(e.Message)}");
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException or IOException)
        {
            CliOutput.Error($"cannot open the database: {OneLine(e.Message)}");
            await services.DisposeAsync().ConfigureAwait(false);
            return (null, ExitCodes.Unavailable);
        }
    }

    /// <summary>
    /// The store's settings as <see cref="OpenAsync"/> reads them (the switches over <c>SenderAuth__…</c> environment
    /// variables; <c>--database</c> in any case), checked, without opening the database: for commands that reach the
    /// database their own way (<c>backup</c>). Invalid settings are bad usage (exit 2), every problem listed.
    /// </summary>
    public static StoreOptions Options(StoreTarget target)
    {
        using var services = new ServiceCollection().AddStoreOptions(Configuration(target)).BuildServiceProvider();
        return Validated(services);
    }

    private static StoreOptions Validated(ServiceProvider services)
    {
        try
        {
            return services.GetRequiredService<IOptions<StoreOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            throw new UsageException("the server configuration is not valid: " + string.Join("; ", e.Failures));
        }
        catch (InvalidOperationException e)
        {
            // The binder's refusal of a word it cannot convert (--database mysql).
            throw new UsageException("the server configuration is not valid: " + OneLine(e.Message));
        }
    }

    private static IConfiguration Configuration(StoreTarget t)
    {
        var switches = new Dictionary<string, string?>();
        if (t.Data is not null) { switches["SenderAuth:DataDirectory"] = t.Data; }
        if (t.Database is not null) { switches["SenderAuth:Database"] = t.Database; }
        if (t.ConnectionString is not null) { switches["SenderAuth:ConnectionString"] = t.ConnectionString; }
        // As the server reads them: environment first, the command line over it; enum settings in the same words
        // (the JSON token or the member name), an unknown one a usage error naming the setting.
        var raw = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(switches).Build();
        var enums = EnumSettings.Check(raw, typeof(StoreOptions), StoreOptions.Section);
        if (enums.Problems.Count > 0)
        {
            throw new UsageException("the server configuration is not valid: " + string.Join("; ", enums.Problems));
        }
        return new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(switches).AddInMemoryCollection(enums.Overrides).Build();
    }

    /// <summary>The server's resolvers (<c>SenderAuth:Resolver:Servers</c>), else the system's: the analysis reads DMARC and SPF records.</summary>
    private static NetworkDnsResolver Resolver(IConfiguration configuration)
    {
        var servers = configuration.GetSection("SenderAuth:Resolver:Servers").GetChildren().Select(s => s.Value).OfType<string>().ToList();
        try
        {
            return new NetworkDnsResolver(new NetworkDnsResolverOptions
            {
                Servers = [.. servers.Select(s => NetworkDnsResolverOptions.ParseEndpoint(s))],
                Timeout = TimeSpan.FromSeconds(3),
            });
        }
        catch (FormatException e)
        {
            throw new UsageException($"SenderAuth:Resolver:Servers: {e.Message}");
        }
    }

    private static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>
/// The schema upgrade's log for the database commands: the upgrade announced, each migration applied and the total,
/// one line each on stderr ("senderauth: Migration … applied (1 of 2) in 41 ms"), so an operator sees that the
/// database changed and stdout keeps only the table or the JSON. "Schema is current" (nothing ran) is not told.
/// </summary>
internal sealed class MigrationLog : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel) && eventId.Name != SchemaUpgrade.CurrentEventName)
        {
            CliOutput.Error(formatter(state, exception));
        }
    }
}
