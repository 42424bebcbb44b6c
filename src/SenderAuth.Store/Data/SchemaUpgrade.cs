using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SenderAuth.Store.Data;

/// <summary>
/// Brings a database to this binary's schema, one migration at a time, with each migration's id and time in the log;
/// and refuses, before changing anything, a database that a newer release already migrated.
/// </summary>
/// <remarks>
/// Each migration is applied by its own <see cref="IMigrator.MigrateAsync"/> call, which EF Core runs under its
/// migration lock and in one transaction where the provider allows: PostgreSQL has transactional DDL, so a
/// migration that fails leaves nothing of itself; SQLite runs DDL in the transaction too, except the statements EF
/// must run outside one (a table rebuild's <c>PRAGMA foreign_keys</c>). A failure stops the start with the
/// database at the last migration that completed, which this binary resumes from on the next start. Not one
/// call for all: the log could not say what each migration cost, and a long upgrade could not tell where it stands.
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
        foreach (var (id, index) in pending.Select((id, i) => (id, i + 1)))
        {
            var clock = Stopwatch.StartNew();
            await migrator.MigrateAsync(id, ct).ConfigureAwait(false);
            LogApplied(logger, id, index, pending.Count, clock.ElapsedMilliseconds);
        }
        LogDone(logger, pending.Count, total.ElapsedMilliseconds);
        return pending;
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

    /// <summary>The event of "Database schema is current" (nothing applied): the CLI does not tell it.</summary>
    public const int CurrentEventId = 1001;

    [LoggerMessage(EventId = CurrentEventId, Level = LogLevel.Information, Message = "Database schema is current: {Count} migrations, the last {Last}")]
    private static partial void LogCurrent(ILogger logger, string last, int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Database schema upgrade: {Count} migrations to apply, from {From} to {To}")]
    private static partial void LogPending(ILogger logger, int count, string from, string to);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Migration {Id} applied ({Index} of {Count}) in {Milliseconds} ms")]
    private static partial void LogApplied(ILogger logger, string id, int index, int count, long milliseconds);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Database schema upgraded: {Count} migrations in {Milliseconds} ms")]
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
