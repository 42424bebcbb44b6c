using System.Reflection;
using System.Text.Json.Serialization.Metadata;

namespace SenderAuth;

/// <summary>
/// Writes every <see cref="Finding"/>, whatever type derives from it, with the same five names first:
/// <c>severity</c>, <c>code</c>, <c>message</c>, <c>subject</c>, <c>position</c> (nulls written), then the derived
/// type's own fields in their declared order (a check finding's <c>area</c>, <c>observed</c>, <c>expected</c>,
/// <c>temporary</c>; a report finding's <c>title</c>, <c>observed</c>, <c>messages</c>, <c>sources</c>);
/// <c>code</c> and <c>message</c> are required when reading. A modifier of the one contract
/// (<see cref="Json.SenderAuthJson"/>), so the serializer and the server's OpenAPI document, which reads the same
/// contract, show the same names. docs/json.md.
/// </summary>
/// <remarks>
/// Not attributes: System.Text.Json would write the base's members after or before the derived type's depending on
/// the type. Not a converter: the OpenAPI document cannot see through one and shows no properties. Check findings
/// stored before this release (<c>name</c>, <c>advice</c>) are read by the store, not by this contract, so the
/// contract and the OpenAPI document know one spelling only.
/// </remarks>
internal static class FindingContract
{
    /// <summary>The base members, in the order they are written.</summary>
    private static readonly string[] Shape =
        [nameof(Finding.Severity), nameof(Finding.Code), nameof(Finding.Message), nameof(Finding.Subject), nameof(Finding.Position)];

    /// <summary>Applies the shape when <paramref name="info"/> is the contract of a <see cref="Finding"/>; leaves every other type alone.</summary>
    public static void Modify(JsonTypeInfo info)
    {
        if (!typeof(Finding).IsAssignableFrom(info.Type) || info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }
        var properties = info.Properties.ToList();
        var ordered = Shape.Select(member => properties.Single(p => Member(p) == member))
            .Concat(properties.Where(p => !Shape.Contains(Member(p))))
            .ToList();
        info.Properties.Clear();
        foreach (var p in ordered)
        {
            p.IsRequired = Member(p) is nameof(Finding.Code) or nameof(Finding.Message);
            info.Properties.Add(p);
        }
    }

    private static string Member(JsonPropertyInfo p) => (p.AttributeProvider as MemberInfo)?.Name ?? p.Name;
}
