namespace SenderAuth.Parsing;

/// <summary>One tag taken from a tag=value list.</summary>
/// <param name="Name">The name, trimmed (and lower-cased when the rules say so).</param>
/// <param name="Value">The value, trimmed; inner folding white space is kept.</param>
/// <param name="Column">1-based column of the tag's first character that is not white space.</param>
/// <param name="SpecColumn">1-based column where the tag's text starts, just after the previous ';'.</param>
internal readonly record struct Tag(string Name, string Value, int Column, int SpecColumn);
