using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Store.Data;

/// <summary>Brings a database to this build's schema: the server at start, the CLI before it reads or imports.</summary>
public static class StoreMigrations
{
    public static async Task MigrateAsync(SenderAuthDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.Database.MigrateAsync(ct).ConfigureAwait(false);
        if (db.Database.IsSqlite())
        {
            // WAL: readers never wait for the writer, and a killed process loses no committed transaction.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct).ConfigureAwait(false);
        }
    }
}
