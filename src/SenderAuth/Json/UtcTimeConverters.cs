using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SenderAuth.Json;

/// <summary>
/// Times are written in UTC with <c>Z</c> (<c>2026-11-23T10:00:00Z</c>), whatever offset the value carries:
/// System.Text.Json would write <c>+00:00</c> for a DateTimeOffset, and a consumer comparing strings or parsing
/// with a strict RFC 3339 profile should not have to care. Any ISO 8601 time with an offset is read.
/// </summary>
internal sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    internal const string Format = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// DateTime values are UTC throughout SenderAuth; EF Core's SQLite provider hands them back as Unspecified, which
/// System.Text.Json would write without a zone. Unspecified is taken as UTC, Local converted.
/// </summary>
internal sealed class UtcDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetDateTime();
        return value.Kind switch
        {
            DateTimeKind.Local => value.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
            _ => value,
        };
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);
        writer.WriteStringValue(utc.ToString(UtcDateTimeOffsetConverter.Format, CultureInfo.InvariantCulture));
    }
}
