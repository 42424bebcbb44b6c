using SenderAuth.Store.Hosting;

namespace SenderAuth.Store.Data.Backup;

/// <summary>What a restore did: the manifest it followed, the files it wrote, and for PostgreSQL the psql command that
/// loads the dump (the database lives on a server this code does not create).</summary>
public sealed record RestoreResult(BackupManifest Manifest, IReadOnlyList<string> Restored, string? PendingCommand);

/// <summary>
/// Puts a backup into a data folder: every file's checksum checked first (nothing is written from a damaged or
/// altered backup), then the database and the data-folder files written 0600 in 0700 folders. The folder must be new
/// or empty, unless forced; forced, the old database and its WAL go first, so a stale WAL is never replayed onto the
/// restored database. The server must not run on that folder meanwhile.
/// </summary>
public static class DataRestore
{
    public static RestoreResult Run(string source, string dataDirectory, bool force)
    {
        source = Path.GetFullPath(source);
        var data = Path.GetFullPath(dataDirectory);
        var manifest = BackupManifest.Read(source);
        var plan = Verify(source, manifest);
        BackupFiles.PrepareFolder(data, force, "the data folder");
        foreach (var stale in new[] { "", "-wal", "-shm", "-journal" }.Select(s => Path.Combine(data, BackupManifest.SqliteFile + s)))
        {
            File.Delete(stale);
        }
        var restored = new List<string>();
        var pending = manifest.Database == DatabaseKind.Postgres
            ? "psql --single-transaction -v ON_ERROR_STOP=1 --dbname 'CONNECTION' --file senderauth.sql   # the pg_dump made with this backup, into a new, empty database"
            : null;
        foreach (var (file, from) in plan)
        {
            string relative;
            if (file.Path == BackupManifest.PostgresFile)
            {
                pending = $"psql --single-transaction -v ON_ERROR_STOP=1 --dbname 'CONNECTION' --file {from}   # into a new, empty database";
                continue;
            }
            else if (file.Path == BackupManifest.SqliteFile)
            {
                relative = BackupManifest.SqliteFile;
            }
            else if (file.Path.StartsWith(BackupManifest.DataFolderName + "/", StringComparison.Ordinal))
            {
                relative = file.Path[(BackupManifest.DataFolderName.Length + 1)..].Replace('/', Path.DirectorySeparatorChar);
            }
            else
            {
                continue;
            }
            BackupFiles.EnsureParents(data, relative);
            var to = Path.Combine(data, relative);
            BackupFiles.CopyPrivate(from, to);
            if (BackupFiles.Sha256(to) != file.Sha256)
            {
                throw new BackupException(BackupError.Unavailable, $"{to} does not read back as written (checksum differs): the disk is failing");
            }
            restored.Add(relative);
        }
        return new RestoreResult(manifest, restored, pending);
    }

    /// <summary>Every file of the manifest present, inside the backup, with its size and SHA-256; the database there.</summary>
    private static List<(BackupFile File, string Full)> Verify(string source, BackupManifest manifest)
    {
        var problems = new List<string>();
        var plan = new List<(BackupFile, string)>();
        foreach (var file in manifest.Files)
        {
            if (file?.Path is null || BackupFiles.Resolve(source, file.Path) is not { } full)
            {
                problems.Add($"{file?.Path ?? "(no path)"} points outside the backup");
                continue;
            }
            if (!File.Exists(full))
            {
                problems.Add($"{file.Path} is missing");
                continue;
            }
            if (new FileInfo(full).Length != file.Bytes || BackupFiles.Sha256(full) != file.Sha256)
            {
                problems.Add($"{file.Path} differs from its checksum");
                continue;
            }
            plan.Add((file, full));
        }
        // A PostgreSQL backup made where pg_dump was not on PATH lists no dump: the operator ran the printed one into
        // the backup before marking it finished (renaming manifest.incomplete.json), so the file must be there.
        if (manifest.Database == DatabaseKind.Sqlite && manifest.Files.All(f => f?.Path != BackupManifest.SqliteFile))
        {
            problems.Add($"the manifest lists no {BackupManifest.SqliteFile}");
        }
        if (manifest.Database == DatabaseKind.Postgres && manifest.Files.All(f => f?.Path != BackupManifest.PostgresFile)
            && !File.Exists(Path.Combine(source, BackupManifest.PostgresFile)))
        {
            problems.Add($"{BackupManifest.PostgresFile} is missing (the pg_dump this backup printed was not run into it)");
        }
        if (problems.Count > 0)
        {
            throw new BackupException(BackupError.Damaged, $"the backup in {source} is damaged, nothing was restored: {string.Join("; ", problems)}");
        }
        return plan;
    }
}
