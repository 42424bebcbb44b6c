namespace SenderAuth.Dmarc;

/// <summary>
/// The Mozilla Public Suffix List (https://publicsuffix.org/list/), for RFC 7489's organizational domain:
/// rules, wildcards (<c>*.ck</c>) and exceptions (<c>!www.ck</c>). Debian ships it as package publicsuffix
/// (/usr/share/publicsuffix/public_suffix_list.dat).
/// </summary>
public sealed class PublicSuffixList
{
    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);

    /// <summary>Where Debian's package publicsuffix installs the list; kept current by the system's updates.</summary>
    public const string DebianPath = "/usr/share/publicsuffix/public_suffix_list.dat";

    /// <summary>Reads the list from a file in publicsuffix.org format (UTF-8, one rule a line).</summary>
    public static PublicSuffixList Load(string path) => Parse(File.ReadLines(path));

    /// <summary>
    /// The copy built into this assembly (Debian's, from when this version was built): the list when the system has
    /// none, so a fresh machine needs no setup. The system's copy is preferred where it exists: it is newer.
    /// </summary>
    public static PublicSuffixList BuiltIn()
    {
        using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream("SenderAuth.Dmarc.public_suffix_list.dat")
            ?? throw new InvalidOperationException("the built-in public suffix list is missing from the assembly");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }
        return Parse(lines);
    }

    /// <summary>The list at <paramref name="path"/>; with no path, Debian's copy when installed, else <see cref="BuiltIn"/>.</summary>
    public static PublicSuffixList LoadOrBuiltIn(string? path) =>
        !string.IsNullOrWhiteSpace(path) ? Load(path) : File.Exists(DebianPath) ? Load(DebianPath) : BuiltIn();

    /// <summary>Reads the list from its lines: comments (<c>//</c>) and blank lines skipped, wildcard and exception rules kept.</summary>
    public static PublicSuffixList Parse(IEnumerable<string> lines)
    {
        var list = new PublicSuffixList();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            var space = line.IndexOfAny([' ', '\t']);
            if (space >= 0)
            {
                line = line[..space];
            }
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }
            line = line.ToLowerInvariant();
            if (line.StartsWith("!", StringComparison.Ordinal))
            {
                list._exceptions.Add(line[1..]);
            }
            else if (line.StartsWith("*.", StringComparison.Ordinal))
            {
                list._wildcards.Add(line[2..]);
            }
            else
            {
                list._rules.Add(line);
            }
        }
        return list;
    }

    /// <summary>The public suffix plus one label (the registrable domain); the name itself when it is a suffix.</summary>
    public string OrganizationalDomain(string domain)
    {
        var labels = Labels(domain);
        var take = Math.Min(labels.Length, SuffixLabels(labels) + 1);
        return string.Join('.', labels[^take..]);
    }

    /// <summary>
    /// Whether the name is itself a public suffix (<c>co.uk</c>, <c>github.io</c>, any name under a wildcard rule,
    /// a bare TLD): nobody can prove to own it, so the server refuses it as a sender domain.
    /// </summary>
    public bool IsPublicSuffix(string domain)
    {
        var labels = Labels(domain);
        return SuffixLabels(labels) >= labels.Length;
    }

    private static string[] Labels(string domain) => domain.ToLowerInvariant().TrimEnd('.').Split('.');

    /// <summary>How many labels from the right the public suffix of the name has (the algorithm of publicsuffix.org/list).</summary>
    private int SuffixLabels(string[] labels)
    {
        // The longest matching rule wins; the implicit rule "*" makes the last label a suffix.
        var suffixLabels = 1;
        for (var i = 0; i < labels.Length; i++)
        {
            var candidate = string.Join('.', labels[i..]);
            var count = labels.Length - i;
            if (_exceptions.Contains(candidate))
            {
                suffixLabels = count - 1;
                break;
            }
            if (_rules.Contains(candidate) && count > suffixLabels)
            {
                suffixLabels = count;
            }
            if (i + 1 < labels.Length && _wildcards.Contains(string.Join('.', labels[(i + 1)..])) && count > suffixLabels)
            {
                suffixLabels = count;
            }
        }
        return suffixLabels;
    }
}
