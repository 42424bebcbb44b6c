namespace SenderAuth.Store.Data;

/// <summary>
/// A migration threw while <see cref="SchemaUpgrade"/> applied it. Each migration runs in its own transaction, so the
/// failed one was rolled back and left nothing of itself: the database is at the last migration that completed, and
/// the next start resumes from there once the cause is removed.
/// </summary>
public sealed class MigrationFailedException(string migration, string databaseAt, Exception cause)
    : Exception($"migration {migration} failed and was rolled back: {OneLine(cause.Message)}. The database stays at {databaseAt}; "
        + "remove the cause and start again, the upgrade resumes from there (docs/backup.md, \"Upgrades\")", cause)
{
    /// <summary>The id of the migration that failed.</summary>
    public string Migration { get; } = migration;

    /// <summary>The last migration the database records (or "an empty database").</summary>
    public string DatabaseAt { get; } = databaseAt;

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
}
