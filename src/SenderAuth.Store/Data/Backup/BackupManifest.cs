using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using SenderAuth.Json;
using SenderAuth.Store.Hosting;

namespace SenderAuth.Store.Data.Backup;

/// <summary>
/// <c>manifest.json</c> of a backup: what made it, which schema it holds, and every file with its SHA-256. Written
/// last, so a backup without one is one that did not finish; a PostgreSQL backup whose dump was left to the operator
/// has <see cref="IncompleteFileName"/> instead, which restore refuses. <see cref="Database"/> is written
/// <c>sqlite</c> or <c>postgres</c> (the contract's kebab-case of <see cref="DatabaseKind"/>).
/// </summary>
public sealed record BackupManifest(
    int Format,
    DateTime CreatedAt,
    string SenderAuthVersion,
    [property: JsonRequired] DatabaseKind Database,
    string? Migration,
    int Migrations,
    bool MasterKeyIncluded,
    IReadOnlyList<BackupFile> Files)
{
    public const string FileName = "manifest.json";

    /// <summary>The manifest of a backup that did not finish: PostgreSQL without pg_dump, the dump left to run by hand.</summary>
    public const string IncompleteFileName = "manifest.incomplete.json";

    /// <summary>The layout this code writes and reads.</summary>
    public const int CurrentFormat = 1;

    /// <summary>The database file of an SQLite backup, and its name in the data folder.</summary>
    public const string SqliteFile = "senderauth.db";

    /// <summary>The plain-SQL dump of a PostgreSQL backup.</summary>
    public const string PostgresFile = "senderauth.sql";

    /// <summary>The data-folder files under this folder of the backup (the database files are beside it).</summary>
    public const string DataFolderName = "data";

    public static string CurrentVersion =>
        typeof(BackupManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public void Write(string path) => BackupFiles.WritePrivate(path, JsonSerializer.SerializeToUtf8Bytes(this, SenderAuthJson.Indented));

    /// <summary>Reads a manifest; a missing or unreadable one is a damaged backup.</summary>
    public static BackupManifest Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path) && File.Exists(Path.Combine(folder, IncompleteFileName)))
        {
            throw new BackupException(BackupError.Incomplete, $"the backup in {folder} did not finish: pg_dump was not run when it was made, so it holds no database "
                + $"({IncompleteFileName}, no {FileName}). Make a new backup where pg_dump is on PATH; or run the pg_dump command the backup printed "
                + $"into {Path.Combine(folder, PostgresFile)}, then rename {IncompleteFileName} to {FileName}");
        }
        if (!File.Exists(path))
        {
            throw new BackupException(BackupError.Damaged, $"{path} is missing: not a SenderAuth backup, or one that did not finish");
        }
        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BackupManifest>(File.ReadAllBytes(path), SenderAuthJson.Options);
        }
        catch (JsonException e)
        {
            throw new BackupException(BackupError.Damaged, $"{path} is not a backup manifest: {e.Message}");
        }
        if (manifest is null || manifest.Files is null || !Enum.IsDefined(manifest.Database))
        {
            throw new BackupException(BackupError.Damaged, $"{path} is not a backup manifest");
        }
        if (manifest.Format != CurrentFormat)
        {
            throw new BackupException(BackupError.Damaged, $"{path} has format {manifest.Format}; this version reads format {CurrentFormat}");
        }
        return manifest;
    }
}

/// <summary>One file of a backup: its path relative to the backup folder ('/'-separated), size and SHA-256 (hex).</summary>
public sealed record BackupFile(string Path, long Bytes, string Sha256);

public enum BackupError
{
    /// <summary>What was asked cannot be done as asked (a destination that is not empty, no database to back up).</summary>
    Usage,

    /// <summary>The backup is incomplete or altered: a file is missing, or its checksum differs.</summary>
    Damaged,

    /// <summary>The database could not be reached or read (busy beyond the retries, PostgreSQL down, pg_dump failed).</summary>
    Unavailable,

    /// <summary>The backup did not finish: its PostgreSQL dump was left to run by hand (<see cref="BackupManifest.IncompleteFileName"/>).</summary>
    Incomplete,
}

/// <summary>A backup or restore refused, with the reason for people; the CLI maps the kind to its exit code.</summary>
public sealed class BackupException(BackupError kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public BackupError Kind { get; } = kind;
}
