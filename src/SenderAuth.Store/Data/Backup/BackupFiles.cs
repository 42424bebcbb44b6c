using System.Security.Cryptography;

namespace SenderAuth.Store.Data.Backup;

/// <summary>File work shared by backup and restore: private modes (0600 files, 0700 folders), copies, checksums.</summary>
internal static class BackupFiles
{
    /// <summary>A folder for a backup or a restore: created 0700, or an existing one that must be empty unless forced.</summary>
    public static void PrepareFolder(string folder, bool mayHoldFiles, string what)
    {
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !mayHoldFiles)
        {
            throw new BackupException(BackupError.Usage, $"{what} {folder} is not empty");
        }
        if (File.Exists(folder))
        {
            throw new BackupException(BackupError.Usage, $"{what} {folder} is a file");
        }
        DataFolder.Prepare(folder);
    }

    /// <summary>Creates (or replaces) a file with mode 0600 from its first byte: never readable by others, not even briefly.</summary>
    public static FileStream CreatePrivate(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = DataFolder.FileMode;
        }
        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            // FileMode.Create keeps the mode of a file that existed: make it 0600 whatever it was.
            File.SetUnixFileMode(path, DataFolder.FileMode);
        }
        return stream;
    }

    public static void WritePrivate(string path, byte[] bytes)
    {
        using var stream = CreatePrivate(path);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Copies a file to a 0600 file (through a temporary name, so a crash never leaves half a file under the real one).</summary>
    public static void CopyPrivate(string from, string to)
    {
        var temp = to + ".partial";
        using (var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var target = CreatePrivate(temp))
        {
            source.CopyTo(target);
            target.Flush(flushToDisk: true);
        }
        File.Move(temp, to, overwrite: true);
    }

    /// <summary>Creates the folders of a relative path under a root, each 0700.</summary>
    public static void EnsureParents(string root, string relative)
    {
        var parent = Path.GetDirectoryName(relative);
        if (string.IsNullOrEmpty(parent))
        {
            return;
        }
        var current = root;
        foreach (var part in parent.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            DataFolder.Prepare(current);
        }
    }

    public static BackupFile Describe(string root, string relative)
    {
        var full = Path.Combine(root, relative);
        return new BackupFile(relative.Replace(Path.DirectorySeparatorChar, '/'), new FileInfo(full).Length, Sha256(full));
    }

    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// A manifest path as a path under <paramref name="root"/>, or null when it would leave it (absolute, "..", empty
    /// parts): a manifest is input, and restore must not write where an altered one points.
    /// </summary>
    public static string? Resolve(string root, string relative)
    {
        if (string.IsNullOrEmpty(relative) || relative.StartsWith('/') || relative.Contains('\\', StringComparison.Ordinal)
            || relative.Split('/').Any(p => p is "" or "." or ".."))
        {
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        return full.StartsWith(Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }
}
