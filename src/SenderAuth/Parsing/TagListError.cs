namespace SenderAuth.Parsing;

/// <summary>Why one tag of a tag=value list was not taken.</summary>
internal enum TagListErrorKind
{
    /// <summary>The tag has no '='; <see cref="TagListError.Text"/> is the tag as written, trimmed.</summary>
    MissingEquals,

    /// <summary>The name is not a tag-name (<see cref="TagListRules.ValidateNames"/>); the text is the name.</summary>
    InvalidName,

    /// <summary>The name appeared before; the first is kept. The text is the name.</summary>
    Duplicate,
}

/// <summary>One tag that was not taken, with where it is.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Text">The name, or the whole tag when it has no '='.</param>
/// <param name="Column">1-based column of the tag's first character that is not white space.</param>
/// <param name="SpecColumn">1-based column where the tag's text starts, just after the previous ';'.</param>
internal readonly record struct TagListError(TagListErrorKind Kind, string Text, int Column, int SpecColumn);
