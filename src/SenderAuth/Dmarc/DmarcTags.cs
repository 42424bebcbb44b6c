using SenderAuth.Parsing;

namespace SenderAuth.Dmarc;

/// <summary>
/// A DMARC record as its tags, for tools that change a tag and write the record back (the publish plan adding our
/// rua=, the policy advisor's next step). Read with the same tag-list reader <see cref="DmarcRecord.Parse"/> uses, so
/// a record with white space around '=' or upper-case names is read as a receiver reads it, never by text search.
/// </summary>
public static class DmarcTags
{
    /// <summary>The tags in order, names lower-cased, values trimmed; of a duplicated name the first, as receivers keep.</summary>
    public static OrderedDictionary<string, string> Read(string record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var tags = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in TagList.Parse(record, TagListRules.Dmarc).Tags)
        {
            tags.TryAdd(tag.Name, tag.Value);
        }
        return tags;
    }

    /// <summary>The record text: v first, p second (RFC 9989 §4.7 wants v first; p next is what every example
    /// writes), the rest in their order, as <c>name=value</c> joined by <c>"; "</c>.</summary>
    public static string Write(OrderedDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var order = new[] { "v", "p" }.Where(tags.ContainsKey).Concat(tags.Keys.Where(k => k is not ("v" or "p")));
        return string.Join("; ", order.Select(k => $"{k}={tags[k]}"));
    }
}
