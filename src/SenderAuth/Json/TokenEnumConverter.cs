using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SenderAuth.Json;

/// <summary>
/// Writes an enum as the token its protocol's one mapping gives (<c>SpfTokens.Token</c>, <c>DkimTokens.Code</c>…), so
/// JSON and text can never disagree; reads that token, or the member's name in any case (what camelCase JSON held
/// before this contract, and what configuration binding accepts).
/// </summary>
internal sealed class TokenEnumConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    private readonly FrozenDictionary<T, string> _write;
    private readonly FrozenDictionary<string, T> _read;

    public TokenEnumConverter(Func<T, string> token)
    {
        var values = Enum.GetValues<T>();
        _write = values.ToFrozenDictionary(v => v, token);
        var read = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        foreach (var v in values)
        {
            read.TryAdd(token(v), v);
            read.TryAdd(v.ToString(), v);
        }
        _read = read.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Parse(reader.GetString()) : throw Unknown();

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(_write.TryGetValue(value, out var token) ? token : throw new JsonException($"{typeof(T).Name} {value} has no token"));
    }

    // A key (the check's verdict map) is a property name, not a string token: read it by its text.
    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.PropertyName ? Parse(reader.GetString()) : throw Unknown();

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(_write[value]);
    }

    private T Parse(string? text) => text is not null && _read.TryGetValue(text, out var value) ? value : throw Unknown();

    private JsonException Unknown() => new($"not a {typeof(T).Name} token; expected one of {string.Join(", ", _write.Values)}");
}
