namespace SenderAuth.Dns;

/// <summary>
/// RFC 1035 §5 master-file reader, all of §5.1: <c>$ORIGIN</c>, <c>$TTL</c> (seconds or BIND units such as
/// <c>1h30m</c>, RFC 2308), <c>$INCLUDE</c> (only below a base folder, see <see cref="ParseFile"/>), <c>@</c>,
/// relative names, blank owners, optional TTL and class in either order, comments, parentheses, quoted strings,
/// and <c>\X</c> and <c>\DDD</c> escapes in names and character-strings. Names keep their labels as octets: a label
/// may hold a dot or a space (<see cref="DnsLabels"/> for their text form). A, AAAA, MX, PTR, CNAME, NS, SOA, TXT and
/// SPF are stored; other common types and RFC 3597 <c>TYPEnnn</c> types are read (their <c>\# len hex</c> data
/// checked) but not stored, and listed in <see cref="DnsZone.SkippedTypes"/>. Any type may be written in the RFC 3597
/// generic form, a stored type's data is then decoded from its wire form.
/// </summary>
/// <remarks>Hand-written: no maintained .NET library reads master files (DnsClient and ARSoft only speak the wire).
/// Linear in the input and bounded by <see cref="ZoneFileLimits"/>; every error is a <see cref="ZoneFileException"/>
/// with the file, line and column, and the zone is left unchanged by a file with an error.</remarks>
public static class ZoneFileParser
{
    /// <summary>
    /// Reads a zone file. Names must be absolute or follow a <c>$ORIGIN</c>; errors name the file. <c>$INCLUDE</c>
    /// reads files below <paramref name="includeBase"/> (the zone file's own folder when null), never outside it
    /// (symbolic links are resolved first), at most <see cref="ZoneFileLimits.MaxIncludeDepth"/> deep, and never a
    /// file that is already being read.
    /// </summary>
    /// <exception cref="ZoneFileException">The file cannot be read or does not parse.</exception>
    public static DnsZone ParseFile(string path, string? includeBase = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full, real;
        try
        {
            full = Path.GetFullPath(path);
            // The real path, so that an $INCLUDE of this same file through a link is seen as a loop. The file itself is
            // opened by the path given: /dev/fd/63 (a shell's <(…)) resolves to no file.
            real = IncludePath.Real(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ZoneFileException(path, 1, 1, $"cannot read {path}: {e.Message}");
        }
        var zone = new DnsZone();
        var reader = new ZoneReader(path, null, 3600, includeBase ?? Path.GetDirectoryName(full));
        reader.ReadFile(full, real, path, depth: 0, at: null);
        reader.CopyTo(zone);
        return zone;
    }

    /// <summary>Reads master-file text into a new zone; <c>$INCLUDE</c> is refused (no base folder).</summary>
    /// <param name="text">The text of one or more zones in RFC 1035 §5 syntax.</param>
    /// <param name="origin">Initial origin for relative names and <c>@</c>; null until a <c>$ORIGIN</c>.</param>
    /// <param name="defaultTtl">TTL of records without one, until a <c>$TTL</c> line.</param>
    /// <exception cref="ZoneFileException">The text does not parse.</exception>
    public static DnsZone Parse(string text, string? origin = null, uint defaultTtl = 3600)
    {
        var zone = new DnsZone();
        ParseInto(zone, text, origin, defaultTtl);
        return zone;
    }

    /// <summary>Adds the records of master-file text to <paramref name="zone"/>; nothing is added if the text has
    /// an error. <paramref name="fileName"/> only prefixes error messages. <c>$INCLUDE</c> reads files below
    /// <paramref name="includeBase"/> and is refused when it is null.</summary>
    /// <exception cref="ZoneFileException">The text does not parse, or an included file cannot be read.</exception>
    public static void ParseInto(DnsZone zone, string text, string? origin = null, uint defaultTtl = 3600,
        string? fileName = null, string? includeBase = null)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(text);
        var reader = new ZoneReader(fileName, origin, defaultTtl, includeBase);
        reader.ReadText(text, fileName, depth: 0);
        reader.CopyTo(zone);
    }

    /// <summary>Seconds, or BIND's unit form: <c>1w</c>, <c>2d</c>, <c>1h30m</c>, <c>90s</c> (case-insensitive).
    /// At most 2^31-1, the RFC 2181 §8 limit.</summary>
    internal static bool TryParseTtl(string text, out uint value)
    {
        ulong total = 0, current = 0;
        var digits = 0;
        value = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                current = current * 10 + (ulong)(c - '0');
                if (++digits > 10)
                {
                    return false;
                }
                continue;
            }
            ulong unit = char.ToLowerInvariant(c) switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, 'w' => 604800, _ => 0 };
            if (unit == 0 || digits == 0)
            {
                return false;
            }
            total += current * unit;
            (current, digits) = (0, 0);
            if (total > int.MaxValue)
            {
                return false;
            }
        }
        total += current;
        if (text.Length == 0 || total > int.MaxValue)
        {
            return false;
        }
        value = (uint)total;
        return true;
    }
}
