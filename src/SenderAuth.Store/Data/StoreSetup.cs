using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SenderAuth.Store.Data;

/// <summary>
/// The store: SQLite in the data folder (the default) or PostgreSQL, through one EF Core model, and the report
/// import and analysis over it. Called by the server (its options bound with the rest of ServerOptions) and by the
/// CLI (<see cref="AddStoreOptions"/>), without a web host.
/// </summary>
public static partial class StoreSetup
{
    /// <summary>
    /// Both contexts are registered; <see cref="SenderAuthDb"/> resolves to the configured one. The caller provides
    /// <c>IOptions&lt;StoreOptions&gt;</c>, an <see cref="SenderAuth.Dns.IDnsResolver"/> (report mail is verified,
    /// the analysis reads DMARC and SPF records) and a <see cref="SenderAuth.Dmarc.PublicSuffixList"/>.
    /// </summary>
    public static IServiceCollection AddSenderAuthStore(this IServiceCollection services)
    {
        services.AddDbContextPool<PostgresSenderAuthDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<IOptions<StoreOptions>>().Value.ConnectionString));
        services.AddDbContextPool<SqliteSenderAuthDb>((sp, o) =>
        {
            var data = sp.GetRequiredService<IOptions<StoreOptions>>().Value.DataDirectory;
            // Folder 0700 and database 0600 before SQLite first opens it (see DataFolder).
            var tightened = DataFolder.Prepare(data);
            var database = DataFolder.PrepareDatabase(data, "senderauth.db", tightened);
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("SenderAuth.DataFolder");
            foreach (var t in tightened)
            {
                LogTightened(log, t);
            }
            o.UseSqlite($"Data Source={database};Pooling=True;Default Timeout=30");
        });
        services.AddScoped<SenderAuthDb>(sp => sp.GetRequiredService<IOptions<StoreOptions>>().Value.Database == DatabaseKind.Postgres
            ? sp.GetRequiredService<PostgresSenderAuthDb>()
            : sp.GetRequiredService<SqliteSenderAuthDb>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ServerMetrics>();
        services.AddSingleton<ReportMailCheck>();
        services.AddScoped<ReportImporter>();
        services.AddScoped<ReportAnalysis>();
        return services;
    }

    /// <summary>
    /// <see cref="StoreOptions"/> bound from the "SenderAuth" section alone, as a process without the server binds it
    /// (the CLI): the data folder made absolute, the provider's defaults filled, <see cref="StoreOptions.StoreProblems"/>
    /// checked when the options are first read. The server binds its ServerOptions instead and serves them as these.
    /// </summary>
    public static IServiceCollection AddStoreOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.Section))
            .PostConfigure(o =>
            {
                o.DataDirectory = Path.GetFullPath(o.DataDirectory, Environment.CurrentDirectory);
                o.Provider.ApplyDefaults();
            })
            .Services.AddSingleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>();
        return services;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data folder permissions tightened, only the server's user may read it: {What}")]
    private static partial void LogTightened(ILogger logger, string what);
}

/// <summary>Lists every <see cref="StoreOptions.StoreProblems"/> at once (the message the CLI prints).</summary>
internal sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.StoreProblems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
