using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using SenderAuth.Json;

namespace SenderAuth.Store.Data;

/// <summary>
/// The column of <see cref="DomainClaim.Resolution"/>: the enum stored as its JSON token, the same words the column
/// held when it was a string (<c>transferred</c>, <c>dismissed</c>), so existing rows read back and no migration is
/// needed. A word this release does not know reads as <see cref="ClaimResolution.Unknown"/> rather than failing the
/// whole query (one odd row would otherwise hide every claim from the operator); the stored word itself is kept,
/// because EF writes back only the columns a change touched. Null stays null (EF does not pass nulls to a converter).
/// </summary>
public static class ClaimResolutionColumn
{
    /// <summary>The conversion EF applies to the column.</summary>
    public static ValueConverter<ClaimResolution, string> Converter { get; } = new(value => ToColumn(value), word => FromColumn(word));

    /// <summary>The stored word of <paramref name="value"/>: its JSON token.</summary>
    public static string ToColumn(ClaimResolution value) => SenderAuthJson.Token(value);

    /// <summary>The resolution a stored word names; <see cref="ClaimResolution.Unknown"/> for a word this release does not know.</summary>
    public static ClaimResolution FromColumn(string word) =>
        SenderAuthJson.TryParse<ClaimResolution>(word, out var value) ? value : ClaimResolution.Unknown;
}
