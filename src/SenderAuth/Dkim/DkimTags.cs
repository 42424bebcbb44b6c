using SenderAuth.Parsing;

namespace SenderAuth.Dkim;

/// <summary>
/// DKIM's strict reading of a tag list (RFC 6376 §3.2): the first malformed, invalid or duplicated tag rejects the
/// whole DKIM-Signature field or key record, and the error names its column.
/// </summary>
internal static class DkimTags
{
    /// <summary>The tags, or null with <paramref name="error"/> set to the first problem and its column.</summary>
    public static TagList? Parse(string text, out string? error)
    {
        var tags = TagList.Parse(text, TagListRules.Dkim);
        if (tags.Errors.Count == 0)
        {
            error = null;
            return tags;
        }
        var first = tags.Errors[0];
        error = first.Kind switch
        {
            TagListErrorKind.MissingEquals => $"column {first.SpecColumn}: tag \"{first.Text}\" has no '='",
            TagListErrorKind.InvalidName => $"column {first.SpecColumn}: invalid tag name \"{first.Text}\"",
            _ => $"column {first.SpecColumn}: tag \"{first.Text}\" appears twice (RFC 6376 §3.2)",
        };
        return null;
    }
}
