using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SenderAuth.Store.Data;

/// <summary>
/// Brings a database to this binary's schema, with each migration's id and time in the log;
/// and refuses, before changing anything, a database that a newer release already migrated.
/// </summary>
/// <remarks>
/// One <see cref="IMigrator.MigrateAsync"/> call to the newest migration, never one call per target: EF Core decides
/// under its migration lock what to apply, and a call aimed at an older target would roll back (run Down) whatever
/// another instance applied meanwhile. Each migration runs in its own transaction where the provider allows:
/// PostgreSQL has transactional DDL, so a migration that fails leaves nothing of itself; SQLite runs DDL in the
/// transaction too, except the statements EF must run outside one (a table rebuild's <c>PRAGMA foreign_keys</c>).
/// A failure stops the start with the database at the last migration that completed, which the next start resumes
/// from: <see cref="MigrationFailedException"/> names the migration that failed. Each migration's id and time come
/// from EF's own <c>MigrationApplying</c> event (<see cref="MigrationClock"/>).
/// </remarks>
public static partial class SchemaUpgrade
{
    /// <summary>Applies the pending migrations; throws <see cref="DatabaseTooNewException"/> before any change when
    /// the database records a migration this binary does not have.</summary>
    /// <returns>The migrations applied, in order (empty when the schema was current).</returns>
    public static async Task<IReadOnlyList<string>> RunAsync(SenderAuthDb db, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(logger);
        var (known, applied) = await RefuseNewerAsync(db, ct).ConfigureAwait(false);
        var pending = known.Except(applied, StringComparer.OrdinalIgnoreCase).ToList();
        if (pending.Count == 0)
        {
            LogCurrent(logger, applied.Count > 0 ? applied[^1] : "(none)", applied.Count);
            return pending;
        }
        LogPending(logger, pending.Count, applied.Count > 0 ? applied[^1] : "an empty database", pending[^1]);
        var migrator = db.GetService<IMigrator>();
        var total = Stopwatch.StartNew();
        var done = new List<string>();
        using (var clock = new MigrationClock(migrator, (id, ms) =>
               {
                   done.Add(id);
                   LogApplied(logger, id, done.Count, pending.Count, ms);
               }))
        {
            try
            {
                await migrator.MigrateAsync(targetMigration: null, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && clock.Current is { } failed)
            {
                // The operator needs the migration's id (EF's own error names only the statement); the migration ran
                // in its own transaction, so the database is at the last one that completed.
                var at = done.Count > 0 ? done[^1] : applied.Count > 0 ? applied[^1] : "an empty database";
                LogFailed(logger, e, failed, done.Count + 1, pending.Count, at);
                throw new MigrationFailedException(failed, at, e);
            }
            clock.Finish();
        }
        LogDone(logger, done.Count, total.ElapsedMilliseconds);
        return done;
    }

    /// <summary>
    /// Throws <see cref="DatabaseTooNewException"/> when the database records a migration this binary does not have;
    /// <c>serve</c> asks before the host starts, so a refusal is one line and nothing else ran.
    /// </summary>
    /// <returns>The migrations this binary has and those the database records.</returns>
    public static async Task<(List<string> Known, List<string> Applied)> RefuseNewerAsync(SenderAuthDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var known = db.Database.GetMigrations().ToList();
        var applied = (await db.Database.GetAppliedMigrationsAsync(ct).ConfigureAwait(false)).ToList();
        var unknown = applied.Except(known, StringComparer.OrdinalIgnoreCase).ToList();
        if (unknown.Count > 0)
        {
            throw new DatabaseTooNewException(unknown, known.Count > 0 ? known[^1] : "(none)");
        }
        return (known, applied);
    }

    /// <summary>The event name of "Database schema is current" (nothing applied): the CLI does not tell it.</summary>
    public const string CurrentEventName = nameof(LogCurrent);

    [LoggerMessage(EventId = LogEvents.Data + 2, Level = LogLevel.Information, Message = "Database schema is current: {Count} migrations, the last {Last}")]
    private static partial void LogCurrent(ILogger logger, string last, int count);

    [LoggerMessage(EventId = LogEvents.Data + 3, Level = LogLevel.Warning, Message = "Database schema upgrade: {Count} migrations to apply, from {From} to {To}")]
    private static partial void LogPending(ILogger logger, int count, string from, string to);

    [LoggerMessage(EventId = LogEvents.Data + 4, Level = LogLevel.Information, Message = "Migration {Id} applied ({Index} of {Count}) in {Milliseconds} ms")]
    private static partial void LogApplied(ILogger logger, string id, int index, int count, long milliseconds);

    [LoggerMessage(EventId = LogEvents.Data + 6, Level = LogLevel.Error, Message = "Migration {Id} failed ({Index} of {Count}) and was rolled back; the database stays at {At}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string id, int index, int count, string at);

    [LoggerMessage(EventId = LogEvents.Data + 5, Level = LogLevel.Information, Message = "Database schema upgraded: {Count} migrations in {Milliseconds} ms")]
    private static partial void LogDone(ILogger logger, int count, long milliseconds);
}

/// <summary>
/// The database was migrated by a newer SenderAuth: this binary does not know its schema and must not write to it
/// (nor migrate it: there is no down-migration to a version that never existed here). Nothing was changed.
/// </summary>
public sealed class DatabaseTooNewException(IReadOnlyList<string> unknown, string newestKnown)
    : Exception($"the database was upgraded by a newer SenderAuth: it records migration{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown)}, "
        + $"which this version does not have (its newest is {newestKnown}). Nothing was changed. Run the newer release, or restore a backup made "
        + "before the upgrade (docs/backup.md)")
{
    /// <summary>The migrations the database holds that this binary does not know.</summary>
    public IReadOnlyList<string> Unknown { get; } = unknown;
}
