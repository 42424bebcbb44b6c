using System.Buffers;

namespace SenderAuth.Parsing;

/// <summary>
/// The tag=value list of RFC 6376 §3.2, which DKIM-Signature fields, DKIM key records and DMARC records (RFC 9989
/// §4.7) all use: tags separated by ';', each split at its first '='. One reader for all three; what differs is in
/// <see cref="TagListRules"/>.
/// </summary>
/// <remarks>
/// Linear in the input: one pass, no backtracking. Every problem is collected rather than thrown, in the order met,
/// so a strict reader (DKIM) rejects on the first and a lenient one (DMARC) reports them all and keeps going; of a
/// duplicated name the first is kept, as RFC 9989 receivers do (DKIM rejects the list instead).
/// </remarks>
internal sealed class TagList
{
    private static readonly SearchValues<char> FoldingWhiteSpace = SearchValues.Create(" \t\r\n");

    private readonly Dictionary<string, Tag> _byName;

    private TagList(Dictionary<string, Tag> byName, List<Tag> tags, List<TagListError> errors)
    {
        _byName = byName;
        Tags = tags;
        Errors = errors;
    }

    /// <summary>The tags taken, in the order they appear (of a duplicated name, the first).</summary>
    public IReadOnlyList<Tag> Tags { get; }

    /// <summary>The tags not taken, in the order they appear; empty when the list is well formed.</summary>
    public IReadOnlyList<TagListError> Errors { get; }

    /// <summary>The value of tag <paramref name="name"/>, or null when absent.</summary>
    public string? this[string name] => _byName.TryGetValue(name, out var tag) ? tag.Value : null;

    /// <summary>Whether tag <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Tag <paramref name="name"/> with its column, when present.</summary>
    public bool TryGet(string name, out Tag tag) => _byName.TryGetValue(name, out tag);

    /// <summary>Reads <paramref name="text"/> under <paramref name="rules"/>; never throws on malformed input.</summary>
    public static TagList Parse(string text, TagListRules rules)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(rules);
        var byName = new Dictionary<string, Tag>(StringComparer.Ordinal);
        var tags = new List<Tag>();
        var errors = new List<TagListError>();
        var start = 0;
        while (start <= text.Length)
        {
            var end = text.IndexOf(';', start);
            if (end < 0)
            {
                end = text.Length;
            }
            var spec = text.AsSpan(start, end - start);
            var specColumn = start + 1;
            start = end + 1;
            if (spec.IsWhiteSpace())
            {
                continue;
            }
            var column = specColumn + (spec.Length - spec.TrimStart().Length);
            var eq = spec.IndexOf('=');
            if (eq < 0)
            {
                errors.Add(new(TagListErrorKind.MissingEquals, spec.Trim().ToString(), column, specColumn));
                continue;
            }
            var name = Trim(spec[..eq], rules).ToString();
            if (rules.LowerCaseNames)
            {
                name = name.ToLowerInvariant();
            }
            if (rules.ValidateNames && !IsTagName(name))
            {
                errors.Add(new(TagListErrorKind.InvalidName, name, column, specColumn));
                continue;
            }
            var tag = new Tag(name, Trim(spec[(eq + 1)..], rules).ToString(), column, specColumn);
            if (!byName.TryAdd(name, tag))
            {
                errors.Add(new(TagListErrorKind.Duplicate, name, column, specColumn));
                continue;
            }
            tags.Add(tag);
        }
        return new TagList(byName, tags, errors);
    }

    /// <summary>Removes all folding white space (for base64 values such as DKIM's b=, bh= and p=).</summary>
    public static string StripWhitespace(string value)
    {
        var span = value.AsSpan();
        var first = span.IndexOfAny(FoldingWhiteSpace);
        if (first < 0)
        {
            return value;
        }
        // Counted first so the result is written once into a string of the right length (b= runs to 700 characters).
        var length = first;
        for (var i = first; i < span.Length; i++)
        {
            if (!FoldingWhiteSpace.Contains(span[i]))
            {
                length++;
            }
        }
        return string.Create(length, value, static (dest, source) =>
        {
            var n = 0;
            foreach (var c in source)
            {
                if (!FoldingWhiteSpace.Contains(c))
                {
                    dest[n++] = c;
                }
            }
        });
    }

    private static ReadOnlySpan<char> Trim(ReadOnlySpan<char> span, TagListRules rules) =>
        rules.TrimAnyWhiteSpace ? span.Trim() : span.Trim(" \t\r\n");

    // RFC 6376 §3.2: tag-name = ALPHA *ALNUMPUNC, ALNUMPUNC = ALPHA / DIGIT / "_".
    private static bool IsTagName(string name)
    {
        if (name.Length == 0 || !char.IsAsciiLetter(name[0]))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }
        return true;
    }
}
