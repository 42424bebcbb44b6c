using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using SenderAuth.Store.Data.Backup;
using SenderAuth.Store.Hosting;

namespace SenderAuth.Tests.Server.Upgrades;

/// <summary>
/// Backup and restore refuse what they must not do, in process (the happy path runs through the real commands in
/// <see cref="BackupRestoreTests"/>): a manifest is input, so one that points outside the backup restores nothing; a
/// folder without a manifest is no backup; a backup folder inside the data folder would copy itself.
/// </summary>
[Trait("Layer", "server")]
public sealed class BackupRefusalTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("sa-backup-refusal-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Theory]
    [InlineData("../outside.key")]
    [InlineData("data/../../outside.key")]
    [InlineData("/etc/outside.key")]
    public void Restore_ManifestPathLeavingTheBackup_IsRefused_AndNothingIsWritten(string path)
    {
        var backup = Directory.CreateDirectory(Path.Combine(_temp.FullName, "backup", "inner")).FullName;
        var bytes = Encoding.ASCII.GetBytes("not a key");
        File.WriteAllBytes(Path.Combine(_temp.FullName, "backup", "outside.key"), bytes);
        File.WriteAllBytes(Path.Combine(backup, "senderauth.db"), bytes);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        new BackupManifest(BackupManifest.CurrentFormat, DateTime.UtcNow, "test", DatabaseKind.Sqlite, null, 0, false,
            [new BackupFile("senderauth.db", bytes.Length, hash), new BackupFile(path, bytes.Length, hash)]).Write(Path.Combine(backup, BackupManifest.FileName));
        var data = Path.Combine(_temp.FullName, "data");

        var refused = Assert.Throws<BackupException>(() => DataRestore.Run(backup, data, force: false));

        Assert.Equal(BackupError.Damaged, refused.Kind);
        Assert.Contains($"{path} points outside the backup", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public void Restore_FolderWithoutManifest_IsRefusedAsNoBackup()
    {
        var refused = Assert.Throws<BackupException>(() => DataRestore.Run(_temp.FullName, Path.Combine(_temp.FullName, "data"), force: false));
        Assert.Equal(BackupError.Damaged, refused.Kind);
        Assert.Contains("manifest.json is missing: not a SenderAuth backup, or one that did not finish", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A PostgreSQL backup made without pg_dump is marked unfinished (manifest.incomplete.json, no manifest.json):
    /// restore refuses it with what to do, and once marked finished by hand still refuses it while the dump is absent.
    /// </summary>
    [Fact]
    public void Restore_UnfinishedPostgresBackup_IsRefusedWithWhatToDo_AndNothingIsWritten()
    {
        var backup = Directory.CreateDirectory(Path.Combine(_temp.FullName, "backup")).FullName;
        var unfinished = new BackupManifest(BackupManifest.CurrentFormat, DateTime.UtcNow, "test", DatabaseKind.Postgres, "20261123200550_Initial", 1, true, []);
        unfinished.Write(Path.Combine(backup, BackupManifest.IncompleteFileName));
        var data = Path.Combine(_temp.FullName, "data");

        var refused = Assert.Throws<BackupException>(() => DataRestore.Run(backup, data, force: false));

        Assert.Equal(BackupError.Incomplete, refused.Kind);
        Assert.Contains($"the backup in {backup} did not finish: pg_dump was not run when it was made, so it holds no database (manifest.incomplete.json, no manifest.json)", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"rename manifest.incomplete.json to manifest.json", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data));

        // Renamed without running the dump: still no database to restore.
        File.Move(Path.Combine(backup, BackupManifest.IncompleteFileName), Path.Combine(backup, BackupManifest.FileName));
        var damaged = Assert.Throws<BackupException>(() => DataRestore.Run(backup, data, force: false));
        Assert.Equal(BackupError.Damaged, damaged.Kind);
        Assert.Contains("senderauth.sql is missing (the pg_dump this backup printed was not run into it)", damaged.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public void ManifestJson_DatabaseToken_IsTheWordAndReadsBack()
    {
        var backup = Directory.CreateDirectory(Path.Combine(_temp.FullName, "backup")).FullName;
        new BackupManifest(BackupManifest.CurrentFormat, DateTime.UtcNow, "test", DatabaseKind.Postgres, null, 0, false, []).Write(Path.Combine(backup, BackupManifest.FileName));
        Assert.Contains("\"database\": \"postgres\"", File.ReadAllText(Path.Combine(backup, BackupManifest.FileName)), StringComparison.Ordinal);
        Assert.Equal(DatabaseKind.Postgres, BackupManifest.Read(backup).Database);

        File.WriteAllText(Path.Combine(backup, BackupManifest.FileName), File.ReadAllText(Path.Combine(backup, BackupManifest.FileName)).Replace("\"postgres\"", "\"mysql\"", StringComparison.Ordinal));
        Assert.Equal(BackupError.Damaged, Assert.Throws<BackupException>(() => BackupManifest.Read(backup)).Kind);
        File.WriteAllText(Path.Combine(backup, BackupManifest.FileName), "{\"format\": 1, \"createdAt\": \"2026-12-07T00:00:00Z\", \"senderAuthVersion\": \"t\", \"migration\": null, \"migrations\": 0, \"masterKeyIncluded\": false, \"files\": []}");
        Assert.Equal(BackupError.Damaged, Assert.Throws<BackupException>(() => BackupManifest.Read(backup)).Kind);
    }

    [Fact]
    public async Task Backup_IntoTheDataFolder_IsRefused()
    {
        var data = Directory.CreateDirectory(Path.Combine(_temp.FullName, "data")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(data, "senderauth.db"), [], TestContext.Current.CancellationToken);
        var refused = await Assert.ThrowsAsync<BackupException>(() => DataBackup.CreateAsync(new BackupSource(data), Path.Combine(data, "backup"), TestContext.Current.CancellationToken));
        Assert.Equal(BackupError.Usage, refused.Kind);
        Assert.Contains("is inside the data folder", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(data, "backup")));
    }

    [Fact]
    public async Task Restore_Forced_RemovesTheOldDatabasesWal_SoItIsNeverReplayedOntoTheRestoredOne()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Path.Combine(_temp.FullName, "data");
        Directory.CreateDirectory(data);
        var database = Path.Combine(data, "senderauth.db");
        Execute(database, "CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('backed up');");
        var backup = Path.Combine(_temp.FullName, "backup");
        await DataBackup.CreateAsync(new BackupSource(data), backup, ct);
        // The folder restored onto: another database with a WAL of its own (as a server killed mid-write leaves).
        var target = Path.Combine(_temp.FullName, "target");
        Directory.CreateDirectory(target);
        await File.WriteAllBytesAsync(Path.Combine(target, "senderauth.db-wal"), new byte[4096], ct);
        await File.WriteAllTextAsync(Path.Combine(target, "senderauth.db-shm"), "stale", ct);

        Assert.Equal(BackupError.Usage, Assert.Throws<BackupException>(() => DataRestore.Run(backup, target, force: false)).Kind);
        var result = DataRestore.Run(backup, target, force: true);

        Assert.Contains("senderauth.db", result.Restored);
        Assert.False(File.Exists(Path.Combine(target, "senderauth.db-wal")));
        Assert.False(File.Exists(Path.Combine(target, "senderauth.db-shm")));
        using var connection = new SqliteConnection($"Data Source={Path.Combine(target, "senderauth.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT v FROM t";
        Assert.Equal("backed up", command.ExecuteScalar());
    }

    private static void Execute(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
