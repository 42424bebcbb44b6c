namespace SenderAuth.Dkim;

/// <summary>
/// The tag=value list of RFC 6376 §3.2, shared by DKIM-Signature fields and key records. Tag names are
/// case-sensitive; values keep their inner folding whitespace, which callers strip where the RFC says so.
/// </summary>
public sealed class DkimTagList
{
    private readonly Dictionary<string, string> _tags;

    private DkimTagList(Dictionary<string, string> tags, IReadOnlyList<string> order)
    {
        _tags = tags;
        Order = order;
    }

    /// <summary>Tag names in the order they appear.</summary>
    public IReadOnlyList<string> Order { get; }

    public string? this[string name] => _tags.GetValueOrDefault(name);

    public bool Contains(string name) => _tags.ContainsKey(name);

    /// <summary>Parses a tag list; a duplicate tag, an empty or invalid name, or a missing '=' is an error with its column.</summary>
    public static DkimTagList? Parse(string text, out string? error)
    {
        error = null;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        var start = 0;
        while (start <= text.Length)
        {
            var end = text.IndexOf(';', start);
            if (end < 0)
            {
                end = text.Length;
            }
            var spec = text.AsSpan(start, end - start);
            if (!spec.IsWhiteSpace())
            {
                var eq = spec.IndexOf('=');
                if (eq < 0)
                {
                    error = $"column {start + 1}: tag \"{spec.Trim().ToString()}\" has no '='";
                    return null;
                }
                var name = spec[..eq].Trim(" \t\r\n").ToString();
                if (name.Length == 0 || !char.IsAsciiLetter(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    error = $"column {start + 1}: invalid tag name \"{name}\"";
                    return null;
                }
                if (!tags.TryAdd(name, spec[(eq + 1)..].Trim(" \t\r\n").ToString()))
                {
                    error = $"column {start + 1}: tag \"{name}\" appears twice (RFC 6376 §3.2)";
                    return null;
                }
                order.Add(name);
            }
            start = end + 1;
        }
        return new DkimTagList(tags, order);
    }

    /// <summary>Removes all folding whitespace (for base64 values such as b=, bh=, p=).</summary>
    public static string StripWhitespace(string value)
    {
        var span = value.AsSpan();
        var first = span.IndexOfAny(FoldingWhitespace);
        if (first < 0)
        {
            return value;
        }
        // Counted first so the result is written once into a string of the right length (b= runs to 700 characters).
        var length = first;
        for (var i = first; i < span.Length; i++)
        {
            if (!FoldingWhitespace.Contains(span[i]))
            {
                length++;
            }
        }
        return string.Create(length, value, static (dest, source) =>
        {
            var n = 0;
            foreach (var c in source)
            {
                if (!FoldingWhitespace.Contains(c))
                {
                    dest[n++] = c;
                }
            }
        });
    }

    private static readonly System.Buffers.SearchValues<char> FoldingWhitespace = System.Buffers.SearchValues.Create(" \t\r\n");
}
