using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using SenderAuth.Store.Hosting;

namespace SenderAuth.Store.Data.Backup;

/// <summary>Where the data to back up lives: the data folder, and the database (SQLite in it, or PostgreSQL).</summary>
/// <param name="PgDump">pg_dump to run for PostgreSQL; null finds it on PATH, and none there means the dump is left
/// to the operator (<see cref="BackupResult.PendingCommand"/>).</param>
public sealed record BackupSource(string DataDirectory, DatabaseKind Database = DatabaseKind.Sqlite, string? ConnectionString = null, string? PgDump = null);

/// <summary>What a backup did: its manifest, the command still to run (PostgreSQL without pg_dump: the manifest is
/// then written as <see cref="BackupManifest.IncompleteFileName"/>, which restore refuses), files it could not copy
/// (sockets, files removed while it ran).</summary>
public sealed record BackupResult(BackupManifest Manifest, string? PendingCommand, IReadOnlyList<string> Skipped)
{
    /// <summary>Whether the backup holds its database: false while a PostgreSQL dump is left to run by hand.</summary>
    public bool Complete => PendingCommand is null;
}

/// <summary>
/// A consistent copy of a server's data while it runs. SQLite: the online backup API (sqlite3_backup through
/// Microsoft.Data.Sqlite's <see cref="SqliteConnection.BackupDatabase(SqliteConnection)"/>), which copies one
/// snapshot in a single step while the server goes on writing (WAL: readers never block the writer), then checks the
/// copy's integrity. PostgreSQL: <c>pg_dump</c> (one repeatable-read snapshot) in plain SQL. Either way, the
/// data-folder files the database does not hold: the master key (when it is the generated <c>master.key</c>),
/// ASP.NET's key ring, quarantined report files. Everything is written 0600 in 0700 folders, the manifest last: as
/// manifest.json, the "finished" marker, only when the database is in the backup; a PostgreSQL backup whose pg_dump
/// is left to the operator gets manifest.incomplete.json instead, so nothing takes it for a finished one.
/// </summary>
public static class DataBackup
{
    private static readonly string[] DatabaseFiles = [BackupManifest.SqliteFile, BackupManifest.SqliteFile + "-wal", BackupManifest.SqliteFile + "-shm", BackupManifest.SqliteFile + "-journal"];

    public static async Task<BackupResult> CreateAsync(BackupSource source, string destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        var data = Path.GetFullPath(source.DataDirectory);
        destination = Path.GetFullPath(destination);
        if (!Directory.Exists(data))
        {
            throw new BackupException(BackupError.Usage, $"no data folder at {data}");
        }
        if ((destination + Path.DirectorySeparatorChar).StartsWith(data + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new BackupException(BackupError.Usage, $"the backup folder {destination} is inside the data folder {data}: choose another place");
        }
        var database = Path.Combine(data, BackupManifest.SqliteFile);
        var postgres = source.Database == DatabaseKind.Postgres;
        if (!postgres && !File.Exists(database))
        {
            throw new BackupException(BackupError.Usage, $"no SQLite database at {database} (--data names the server's data folder; --database postgres for PostgreSQL)");
        }
        BackupFiles.PrepareFolder(destination, mayHoldFiles: false, "the backup folder");
        string? pending = null;
        (string? Migration, int Count) schema;
        if (postgres)
        {
            (schema, pending) = await DumpPostgresAsync(source, destination, ct).ConfigureAwait(false);
        }
        else
        {
            schema = await CopySqliteAsync(database, Path.Combine(destination, BackupManifest.SqliteFile), ct).ConfigureAwait(false);
        }
        var skipped = CopyDataFolder(data, Path.Combine(destination, BackupManifest.DataFolderName));
        var files = Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(destination, f))
            .Where(f => f is not (BackupManifest.FileName or BackupManifest.IncompleteFileName))
            .Order(StringComparer.Ordinal)
            .Select(f => BackupFiles.Describe(destination, f))
            .ToList();
        var manifest = new BackupManifest(BackupManifest.CurrentFormat, DateTime.UtcNow, BackupManifest.CurrentVersion,
            source.Database, schema.Migration, schema.Count,
            File.Exists(Path.Combine(destination, BackupManifest.DataFolderName, "master.key")), files);
        manifest.Write(Path.Combine(destination, pending is null ? BackupManifest.FileName : BackupManifest.IncompleteFileName));
        return new BackupResult(manifest, pending, skipped);
    }

    /// <summary>The online backup into a fresh 0600 file, retried when the server holds a lock the backup needs at
    /// that instant (SQLITE_BUSY, SQLITE_LOCKED: a checkpoint); the copy is left in rollback-journal mode, one file.</summary>
    private static async Task<(string?, int)> CopySqliteAsync(string database, string target, CancellationToken ct)
    {
        var from = new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 }.ToString();
        var to = new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using (BackupFiles.CreatePrivate(target))
                {
                    // Empty and 0600 before SQLite opens it: SQLite takes a zero-length file as a new database.
                }
                using var source = new SqliteConnection(from);
                source.Open();
                using var copy = new SqliteConnection(to);
                copy.Open();
                source.BackupDatabase(copy);
                Execute(copy, "PRAGMA journal_mode=DELETE;");
                var integrity = Scalar(copy, "PRAGMA integrity_check;");
                if (integrity != "ok")
                {
                    throw new BackupException(BackupError.Unavailable, $"the copy of {database} fails SQLite's integrity check: {integrity}");
                }
                var hasHistory = Scalar(copy, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory';") != "0";
                return hasHistory
                    ? (Scalar(copy, "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId DESC LIMIT 1;"), int.Parse(Scalar(copy, "SELECT count(*) FROM __EFMigrationsHistory;")!, System.Globalization.CultureInfo.InvariantCulture))
                    : (null, 0);
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6 && attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), ct).ConfigureAwait(false);
            }
            catch (SqliteException e)
            {
                throw new BackupException(BackupError.Unavailable, $"cannot copy {database}: {e.Message}", e);
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// pg_dump in plain SQL into a 0600 file (its stdout, so the file never exists with the umask's mode); the
    /// password goes by PGPASSWORD, never on a command line. Without pg_dump, the command to run is returned instead.
    /// </summary>
    private static async Task<((string?, int), string?)> DumpPostgresAsync(BackupSource source, string destination, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(source.ConnectionString))
        {
            throw new BackupException(BackupError.Usage, "PostgreSQL needs --connection-string");
        }
        var cs = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        (string?, int) schema;
        try
        {
            await using var connection = new NpgsqlConnection(source.ConnectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT max(\"MigrationId\"), count(*)::int FROM \"__EFMigrationsHistory\"", connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            schema = (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt32(1));
        }
        catch (NpgsqlException e)
        {
            throw new BackupException(BackupError.Unavailable, $"cannot read the database: {e.Message}", e);
        }
        var target = Path.Combine(destination, BackupManifest.PostgresFile);
        string[] arguments = ["--no-owner", "--no-privileges", "--format=plain", "--quote-all-identifiers"];
        var pgDump = source.PgDump ?? FindOnPath("pg_dump");
        if (pgDump is null)
        {
            var environment = $"PGHOST={cs.Host} PGPORT={cs.Port} PGUSER={cs.Username} PGDATABASE={cs.Database} PGPASSWORD=…";
            return (schema, $"umask 077; {environment} pg_dump {string.Join(' ', arguments)} > {target}");
        }
        var psi = new ProcessStartInfo(pgDump) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["PGHOST"] = cs.Host;
        psi.Environment["PGPORT"] = cs.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["PGUSER"] = cs.Username;
        psi.Environment["PGDATABASE"] = cs.Database;
        psi.Environment["PGPASSWORD"] = cs.Password;
        using var process = Process.Start(psi) ?? throw new BackupException(BackupError.Unavailable, $"cannot start {pgDump}");
        var error = process.StandardError.ReadToEndAsync(ct);
        await using (var file = BackupFiles.CreatePrivate(target))
        {
            await process.StandardOutput.BaseStream.CopyToAsync(file, ct).ConfigureAwait(false);
            await file.FlushAsync(ct).ConfigureAwait(false);
        }
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new BackupException(BackupError.Unavailable, $"pg_dump exited {process.ExitCode}: {(await error.ConfigureAwait(false)).Trim()}");
        }
        return (schema, null);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Every file of the data folder but the database's own (copied above, consistently); what cannot be
    /// read as a file (a milter socket) or vanished meanwhile is listed, not fatal.</summary>
    private static List<string> CopyDataFolder(string data, string target)
    {
        var skipped = new List<string>();
        DataFolder.Prepare(target);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var file in Directory.EnumerateFiles(data, "*", options))
        {
            var relative = Path.GetRelativePath(data, file);
            if (DatabaseFiles.Contains(relative, StringComparer.Ordinal) || relative.EndsWith(".partial", StringComparison.Ordinal))
            {
                continue;
            }
            try
            {
                BackupFiles.EnsureParents(target, relative);
                BackupFiles.CopyPrivate(file, Path.Combine(target, relative));
            }
            catch (IOException e)
            {
                skipped.Add($"{relative}: {e.Message}");
                if (File.Exists(Path.Combine(target, relative) + ".partial"))
                {
                    File.Delete(Path.Combine(target, relative) + ".partial");
                }
            }
        }
        return skipped;
    }
}
