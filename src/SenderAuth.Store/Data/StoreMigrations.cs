using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Store.Data;

/// <summary>
/// Brings a database to this build's schema: the server at start, the CLI before it reads or imports. Each pending
/// migration is applied and logged by <see cref="SchemaUpgrade"/>, which refuses a database from a newer release
/// (<see cref="DatabaseTooNewException"/>) before anything changes. Reports stored before the rollups existed are
/// then rolled up (<see cref="ReportRollupBackfill"/>): the analysis reads only rollups.
/// </summary>
public static class StoreMigrations
{
    public static async Task MigrateAsync(SenderAuthDb db, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await SchemaUpgrade.RunAsync(db, logger, ct).ConfigureAwait(false);
        await ReportRollupBackfill.RunAsync(db, logger, ct).ConfigureAwait(false);
        if (db.Database.IsSqlite())
        {
            // WAL: readers never wait for the writer, and a killed process loses no committed transaction.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct).ConfigureAwait(false);
        }
    }
}
