using System.Text.Json;
using System.Text.Json.Nodes;
using SenderAuth.Check;
using SenderAuth.Json;

namespace SenderAuth.Store.Data;

/// <summary>
/// Reads the check findings the store keeps as JSON (<see cref="CheckRun.FindingsJson"/>,
/// <see cref="DomainTransition.FindingsJson"/>). They are written through the one contract (<c>subject</c>,
/// <c>message</c>); rows written before this release hold <c>name</c> and <c>advice</c> instead, which are read as
/// <c>subject</c> and <c>message</c>. Only here: the contract itself, and so the API's OpenAPI document, knows the
/// current names only. A row that holds both spellings of one field is refused (<see cref="JsonException"/>), as is
/// anything else outside the contract.
/// </summary>
public static class StoredFindings
{
    /// <summary>The names rows stored before this release used, and the contract's names for them.</summary>
    private static readonly (string Old, string New)[] Renamed = [("advice", "message"), ("name", "subject")];

    /// <summary>The findings of one stored row; an empty list for a null or empty value.</summary>
    /// <exception cref="JsonException">The row is not a list of check findings in the current or the old shape.</exception>
    public static List<CheckFinding> Read(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }
        if (JsonNode.Parse(json) is not JsonArray rows)
        {
            throw new JsonException("stored check findings are not a JSON array");
        }
        foreach (var row in rows.OfType<JsonObject>())
        {
            foreach (var (old, current) in Renamed)
            {
                if (!row.TryGetPropertyValue(old, out var value))
                {
                    continue;
                }
                if (row.ContainsKey(current))
                {
                    throw new JsonException($"a stored check finding holds both \"{old}\" and \"{current}\"");
                }
                row.Remove(old);
                row[current] = value;
            }
        }
        return rows.Deserialize<List<CheckFinding>>(SenderAuthJson.Options) ?? [];
    }
}
