using Microsoft.EntityFrameworkCore;
using SenderAuth.Store.Data;

namespace SenderAuth.Bench.Harness.Seeding;

/// <summary>
/// The server's own database model (src/SenderAuth.Store/Data), opened beside the running server to seed volumes
/// the API would take too long to build and to read what the monitor wrote: the schema is the server's, so the
/// bench cannot drift from it the way hand-written SQL did.
/// </summary>
public static class ServerDatabase
{
    /// <summary>The SQLite database in a server's data folder (WAL: the server keeps running beside us).</summary>
    public static SenderAuthDb Sqlite(string dataFolder) =>
        new SqliteSenderAuthDb(new DbContextOptionsBuilder<SqliteSenderAuthDb>()
            .UseSqlite($"Data Source={Path.Combine(dataFolder, "senderauth.db")};Default Timeout=60").Options);

    public static SenderAuthDb Postgres(string connectionString) =>
        new PostgresSenderAuthDb(new DbContextOptionsBuilder<PostgresSenderAuthDb>()
            .UseNpgsql(connectionString, o => o.CommandTimeout(600)).Options);
}
