using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Data;

/// <summary>The store: SQLite in the data folder (the default) or PostgreSQL, through one EF Core model.</summary>
public static class StoreSetup
{
    /// <summary>Both contexts are registered; <see cref="SenderAuthDb"/> resolves to the configured one.</summary>
    public static IServiceCollection AddStore(this IServiceCollection services)
    {
        services.AddDbContextPool<PostgresSenderAuthDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<IOptions<ServerOptions>>().Value.ConnectionString));
        services.AddDbContextPool<SqliteSenderAuthDb>((sp, o) =>
        {
            var data = sp.GetRequiredService<IOptions<ServerOptions>>().Value.DataDirectory;
            Directory.CreateDirectory(data);
            o.UseSqlite($"Data Source={Path.Combine(data, "senderauth.db")};Pooling=True;Default Timeout=30");
        });
        services.AddScoped<SenderAuthDb>(sp => sp.GetRequiredService<IOptions<ServerOptions>>().Value.Database == DatabaseKind.Postgres
            ? sp.GetRequiredService<PostgresSenderAuthDb>()
            : sp.GetRequiredService<SqliteSenderAuthDb>());
        return services;
    }
}
