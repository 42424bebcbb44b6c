namespace SenderAuth.Dns;

/// <summary>Where a <c>$INCLUDE</c> really points: every symbolic link resolved, so that a link inside the zone
/// folder cannot lead outside it.</summary>
internal static class IncludePath
{
    /// <summary>Links followed in one path before giving up, as Linux's own limit (ELOOP).</summary>
    private const int MaxLinks = 40;

    /// <summary>The absolute path with every component that is a symbolic link replaced by its target.</summary>
    /// <exception cref="IOException">More than <see cref="MaxLinks"/> links.</exception>
    public static string Real(string path)
    {
        // Hand-written: .NET resolves only the last component of a path (ResolveLinkTarget) and has no realpath().
        var pending = new Stack<string>(Parts(Path.GetFullPath(path)).Reverse());
        var current = Path.GetPathRoot(Path.GetFullPath(path)) ?? "/";
        var links = 0;
        while (pending.Count > 0)
        {
            var next = Path.Combine(current, pending.Pop());
            if (new FileInfo(next).LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                {
                    throw new IOException($"more than {MaxLinks} symbolic links in {path}");
                }
                // current has no links left, so a relative target's ".." is resolved against real folders.
                foreach (var part in Parts(Path.GetFullPath(target, current)).Reverse())
                {
                    pending.Push(part);
                }
                current = Path.GetPathRoot(Path.GetFullPath(target, current)) ?? "/";
                continue;
            }
            current = next;
        }
        return current;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or below it (both real paths).</summary>
    public static bool IsWithin(string path, string folder)
    {
        var f = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(f, StringComparison.Ordinal) && path.Length > f.Length;
    }

    private static string[] Parts(string full) =>
        full.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
}
