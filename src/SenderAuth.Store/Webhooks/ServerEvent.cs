using System.Text.Json;
using System.Text.Json.Serialization;

namespace SenderAuth.Store.Webhooks;

/// <summary>An event about a domain, a rotation or the platform, as webhooks receive it (docs/server.md, "Webhooks").</summary>
/// <param name="Event">What happened; its token is the <c>SenderAuth-Event</c> header.</param>
/// <param name="Institution">The institution's code; empty for a platform event, <c>*</c> for a test to an all-institution webhook.</param>
/// <param name="Domain">The domain concerned, if one.</param>
/// <param name="At">When it happened (UTC).</param>
/// <param name="Reason">Why, for people.</param>
/// <param name="Details">The event type's own fields (<see cref="ServerEventType"/> says which record), or null.</param>
public sealed record ServerEvent(ServerEventType Event, string Institution, string? Domain, DateTime At, string Reason,
    [property: JsonConverter(typeof(EventDetailsConverter))] IEventDetails? Details = null);

/// <summary>
/// The details of one event type: a named record per type, so the fields receivers read are declared once.
/// Records of the server's own features (the publisher's) implement it where they live.
/// </summary>
#pragma warning disable CA1040 // A marker: it names what may be an event's details; the fields are each record's own.
public interface IEventDetails;
#pragma warning restore CA1040

/// <summary>
/// Writes an event's details as their own record (System.Text.Json writes an interface-typed property by the
/// interface, which has no properties). Write only: payloads are stored and sent, never read back into events.
/// </summary>
internal sealed class EventDetailsConverter : JsonConverter<IEventDetails>
{
    public override IEventDetails Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("event details are written, never read back");

    public override void Write(Utf8JsonWriter writer, IEventDetails value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        JsonSerializer.Serialize(writer, value, value.GetType(), options);
    }
}
