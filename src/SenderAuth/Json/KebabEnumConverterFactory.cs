using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SenderAuth.Json;

/// <summary>
/// Enums without a protocol token (states, areas, modes, policies) in kebab-case: <c>MailFrom</c> is
/// <c>mail-from</c>. Not System.Text.Json's string-enum converter: that one reads <c>"a, b"</c> as the two values
/// OR-ed together, which for an enum that is not a set of flags stores a value with no name (a stored institution
/// policy of 3 made every listing fail), and its error message names a .NET type instead of the words accepted.
/// A member marked <see cref="JsonStringEnumMemberNameAttribute"/> is written with that name instead (a word fixed
/// before this contract, such as the publishing mode <c>builtin</c>), so the token is still defined once, on the enum.
/// </summary>
internal sealed class KebabEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reached only through SenderAuthJson, which is marked RequiresDynamicCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2071", Justification = "The converter is an internal type with a parameterless constructor; reached only through SenderAuthJson.")]
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(KebabEnumConverter<>).MakeGenericType(typeToConvert))!;
}

/// <summary>
/// One enum in kebab-case (<see cref="KebabEnumConverterFactory"/>), made by the factory on demand or named by a
/// program without reflection (<see cref="SenderAuthJson.KebabCaseEnum{T}"/>); its public fields are kept for the
/// member names (<see cref="JsonStringEnumMemberNameAttribute"/>) when the program is trimmed.
/// </summary>
internal sealed class KebabEnumConverter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] T> : JsonConverter<T>
    where T : struct, Enum
{
    private readonly TokenEnumConverter<T> _inner = new(v => MemberName(v) ?? JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()));

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => _inner.Read(ref reader, typeToConvert, options);

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => _inner.Write(writer, value, options);

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => _inner.ReadAsPropertyName(ref reader, typeToConvert, options);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => _inner.WriteAsPropertyName(writer, value, options);

    private static string? MemberName(T value) =>
        typeof(T).GetField(value.ToString())?.GetCustomAttributes(typeof(JsonStringEnumMemberNameAttribute), false)
            .OfType<JsonStringEnumMemberNameAttribute>().FirstOrDefault()?.Name;
}
