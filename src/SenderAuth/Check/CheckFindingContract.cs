using System.Reflection;
using System.Text.Json.Serialization.Metadata;

namespace SenderAuth.Check;

/// <summary>
/// Gives <see cref="CheckFinding"/> the JSON the check has always written: the base <see cref="Finding"/>'s
/// <c>subject</c> as <c>name</c> and <c>message</c> as <c>advice</c>, no <c>position</c> (a check finding has none),
/// <c>code</c> and <c>advice</c> required, in the order docs/check.md shows. A modifier of the one contract
/// (<see cref="Json.SenderAuthJson"/>), so the serializer and the server's OpenAPI document, which reads the same
/// contract, show the same names.
/// </summary>
/// <remarks>
/// Not attributes on overrides of <see cref="Finding"/>'s members: System.Text.Json keeps an overridden property
/// under the base's name beside the override's, so <c>message</c> and <c>advice</c> would both bind to the one
/// constructor parameter. Not a converter: the OpenAPI document cannot see through one and showed no properties.
/// Rows stored before <see cref="CheckFinding"/> derived from <see cref="Finding"/> hold exactly this shape.
/// </remarks>
internal static class CheckFindingContract
{
    /// <summary>The CLR members in the order they are written, with the names they are written under.</summary>
    private static readonly (string Member, string Json)[] Shape =
    [
        (nameof(CheckFinding.Area), "area"), (nameof(Finding.Severity), "severity"), (nameof(Finding.Code), "code"),
        (nameof(Finding.Subject), "name"), (nameof(CheckFinding.Observed), "observed"), (nameof(CheckFinding.Expected), "expected"),
        (nameof(Finding.Message), "advice"), (nameof(CheckFinding.Temporary), "temporary"),
    ];

    /// <summary>Applies the shape when <paramref name="info"/> is the contract of <see cref="CheckFinding"/>; leaves every other type alone.</summary>
    public static void Modify(JsonTypeInfo info)
    {
        if (info.Type != typeof(CheckFinding) || info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }
        var byMember = info.Properties.ToDictionary(p => (p.AttributeProvider as MemberInfo)?.Name ?? p.Name);
        info.Properties.Clear(); // Position, the one member not in the shape, goes: "position" is then refused on reading.
        foreach (var (member, json) in Shape)
        {
            var p = byMember[member];
            p.Name = json;
            p.IsRequired = member is nameof(Finding.Code) or nameof(Finding.Message);
            info.Properties.Add(p);
        }
    }
}
