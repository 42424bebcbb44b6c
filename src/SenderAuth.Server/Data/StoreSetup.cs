using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Data;

/// <summary>The store: SQLite in the data folder (the default) or PostgreSQL, through one EF Core model.</summary>
public static partial class StoreSetup
{
    /// <summary>Both contexts are registered; <see cref="SenderAuthDb"/> resolves to the configured one.</summary>
    public static IServiceCollection AddStore(this IServiceCollection services)
    {
        services.AddDbContextPool<PostgresSenderAuthDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<IOptions<ServerOptions>>().Value.ConnectionString));
        services.AddDbContextPool<SqliteSenderAuthDb>((sp, o) =>
        {
            var data = sp.GetRequiredService<IOptions<ServerOptions>>().Value.DataDirectory;
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
        services.AddScoped<SenderAuthDb>(sp => sp.GetRequiredService<IOptions<ServerOptions>>().Value.Database == DatabaseKind.Postgres
            ? sp.GetRequiredService<PostgresSenderAuthDb>()
            : sp.GetRequiredService<SqliteSenderAuthDb>());
        return services;
    }

    [LoggerMessage(EventId = LogEvents.Data + 1, Level = LogLevel.Warning, Message = "Data folder permissions tightened, only the server's user may read it: {What}")]
    private static partial void LogTightened(ILogger logger, string what);
}
