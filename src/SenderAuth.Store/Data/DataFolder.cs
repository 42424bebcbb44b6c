namespace SenderAuth.Store.Data;

/// <summary>
/// The data folder holds every tenant's reports, the sealed keys and (by default) the master key: readable by the
/// server's user only. The folder is made 0700 and the SQLite database 0600 before SQLite opens it; SQLite creates
/// its -wal and -shm files with the database file's mode, so they are 0600 too. A folder or database left more
/// open by an older version is tightened at start (and said so in the log).
/// </summary>
public static class DataFolder
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The folder, created 0700 (or tightened to it). Returns what it had to tighten, for the log.</summary>
    public static List<string> Prepare(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var tightened = new List<string>();
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return tightened;
        }
        if (!Directory.Exists(folder))
        {
            // Parents the user asked for (--data a/b/c) are created with this mode too; only the last one matters.
            Directory.CreateDirectory(folder, FolderMode);
        }
        Tighten(folder, FolderMode, tightened);
        return tightened;
    }

    /// <summary>
    /// The SQLite database in the folder: created empty with mode 0600 when absent (SQLite takes a zero-length file as
    /// a new database), its journal files tightened when present. Returns the database's path.
    /// </summary>
    public static string PrepareDatabase(string folder, string name, List<string> tightened)
    {
        ArgumentNullException.ThrowIfNull(tightened);
        var path = Path.Combine(folder, name);
        if (OperatingSystem.IsWindows())
        {
            return path;
        }
        if (!File.Exists(path))
        {
            try
            {
                using var _ = new FileStream(path, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process (a second instance, `report --db`) created it first: tightened below like any other.
            }
        }
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            if (File.Exists(file))
            {
                Tighten(file, FileMode, tightened);
            }
        }
        return path;
    }

    /// <summary>Removes group and other permissions (to at most <paramref name="mode"/>); never widens.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Tighten(string path, UnixFileMode mode, List<string> tightened)
    {
        var current = File.GetUnixFileMode(path);
        var loose = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((current & loose) == 0)
        {
            return;
        }
        try
        {
            File.SetUnixFileMode(path, current & ~loose);
            tightened.Add($"{path} ({Octal(current)} → {Octal(File.GetUnixFileMode(path))})");
        }
        catch (UnauthorizedAccessException)
        {
            tightened.Add($"{path} is {Octal(current)} and not ours to change: make it {Octal(mode)}");
        }
    }

    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
