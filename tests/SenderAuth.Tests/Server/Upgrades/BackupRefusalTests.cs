using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using SenderAuth.Store.Data.Backup;

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
        new BackupManifest(BackupManifest.CurrentFormat, DateTime.UtcNow, "test", "sqlite", null, 0, false,
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
