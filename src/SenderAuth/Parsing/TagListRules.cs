namespace SenderAuth.Parsing;

/// <summary>
/// What differs between the readers of a tag=value list: DKIM reads it as RFC 6376 §3.2 writes it, DMARC leniently,
/// as receivers do. Both split on ';' and take the first '=' the same way (<see cref="TagList"/>).
/// </summary>
internal sealed record TagListRules
{
    /// <summary>
    /// RFC 6376 §3.2: names are case-sensitive and must be ALPHA *(ALPHA / DIGIT / "_"); only folding white space
    /// (SP, HTAB, CR, LF) is trimmed, so a no-break space or a vertical tab stays in the value and fails it.
    /// </summary>
    public static TagListRules Dkim { get; } = new() { LowerCaseNames = false, ValidateNames = true, TrimAnyWhiteSpace = false };

    /// <summary>
    /// DMARC (RFC 9989 §4.7) as receivers read it: names are case-insensitive (lower-cased), any name is kept (the
    /// record reports unknown ones), and any Unicode white space around names and values is trimmed.
    /// </summary>
    public static TagListRules Dmarc { get; } = new() { LowerCaseNames = true, ValidateNames = false, TrimAnyWhiteSpace = true };

    /// <summary>Names are lower-cased (invariant) before use and before the duplicate check.</summary>
    public bool LowerCaseNames { get; init; }

    /// <summary>Names must match RFC 6376's tag-name; others are <see cref="TagListErrorKind.InvalidName"/>.</summary>
    public bool ValidateNames { get; init; }

    /// <summary>Trim every <see cref="char.IsWhiteSpace(char)"/> character rather than folding white space only.</summary>
    public bool TrimAnyWhiteSpace { get; init; }
}
