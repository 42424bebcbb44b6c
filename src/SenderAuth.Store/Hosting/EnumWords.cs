using System.Text.Json;
using SenderAuth.Json;

namespace SenderAuth.Store.Hosting;

/// <summary>
/// The words configuration takes for an enum setting: the JSON contract's token (<c>pass-unsigned</c>, through
/// <see cref="SenderAuthJson"/>, the one mapping), and, so that no existing configuration breaks, the member name in
/// any case (<c>passunsigned</c>, <c>PassUnsigned</c>), which is what the binder reads.
/// </summary>
public static class EnumWords
{
    /// <summary>The tokens of <paramref name="type"/>, in declaration order, as messages and docs list them.</summary>
    public static IReadOnlyList<string> Tokens(Type type) => [.. Members(type).Select(m => m.Token)];

    /// <summary>The token of one value (the default column of docs/configuration.md).</summary>
    public static string Token(Enum value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // Serialized as SenderAuthJson.Token<T> does; this takes the runtime type, which that generic cannot.
        return JsonSerializer.Deserialize<string>(JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), SenderAuthJson.Options))!;
    }

    /// <summary>
    /// The member name the binder needs for <paramref name="word"/>: the member whose token it is, or whose name it
    /// is in any case (the older configuration word); null when it is neither.
    /// </summary>
    public static string? MemberName(Type type, string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var trimmed = word.Trim();
        var members = Members(type);
        return members.FirstOrDefault(m => m.Token.Equals(trimmed, StringComparison.OrdinalIgnoreCase)).Name
            ?? members.FirstOrDefault(m => m.Name.Equals(trimmed, StringComparison.OrdinalIgnoreCase)).Name;
    }

    private static List<(string Token, string Name)> Members(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return [.. Enum.GetValues(type).Cast<Enum>().Select(v => (Token(v), v.ToString()))];
    }
}
