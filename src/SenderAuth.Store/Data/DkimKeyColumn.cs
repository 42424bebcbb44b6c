using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using SenderAuth.Dkim;

namespace SenderAuth.Store.Data;

/// <summary>
/// The column of <see cref="DkimKey.Algorithm"/>: the engine's <see cref="DkimKeyType"/> stored as its k= token, the
/// same words the column held when it was a string (<c>rsa</c>, <c>ed25519</c>), so existing rows read back and no
/// migration is needed. Queries compare the enum; EF turns the constant into the word, so the SQL is unchanged.
/// </summary>
public static class DkimKeyColumn
{
    /// <summary>The conversion EF applies to the column.</summary>
    public static ValueConverter<DkimKeyType, string> Converter { get; } = new(type => DkimTokens.Token(type), word => FromColumn(word));

    /// <summary>
    /// The key type a stored word names. Any other word fails the read: unlike a claim's resolution there is no
    /// harmless default, since a key read as the wrong algorithm would be published and signed with as that one.
    /// </summary>
    public static DkimKeyType FromColumn(string word) =>
        DkimTokens.TryParseKeyType(word, out var type) ? type : throw new InvalidDataException($"a DKIM key row has the algorithm \"{word}\"; only rsa and ed25519 exist");
}
