using SenderAuth.Json;
namespace SenderAuth.Server.Webhooks;

public sealed record CreateWebhookRequest(string? Url, string? Institution);

/// <summary>A webhook as lists show it: never the secret, which is shown once by <see cref="WebhookCreated"/>.</summary>
public sealed record WebhookDto(long Id, string Url, string? Institution, bool Enabled, DateTime CreatedAt)
{
    public static WebhookDto From(Webhook w, string? code) => new(w.Id, w.Url, code, w.Enabled, w.CreatedAt);
}

public sealed record WebhookCreated(long Id, string Url, string? Institution, DateTime CreatedAt, string Secret, string Note);

/// <summary>One entry of the delivery log.</summary>
/// <param name="Event">
/// The event, null when the stored word names no event this version knows (a row written by a newer version during a
/// rolling upgrade, or an event since retired): the entry is still listed with its attempts, and the log never writes
/// a word outside the contract's set.
/// </param>
public sealed record WebhookDeliveryDto(long Id, ServerEventType? Event, DateTime CreatedAt, int Attempts, int? LastStatus, string? LastError,
    DateTime? DeliveredAt, bool GaveUp, DateTime? NextAttemptAt)
{
    public static WebhookDeliveryDto From(WebhookDelivery d)
    {
        ArgumentNullException.ThrowIfNull(d);
        // The column stays a string (no schema change): the word is read through the contract's tokens.
        ServerEventType? type = SenderAuthJson.TryParse<ServerEventType>(d.Event, out var known) ? known : null;
        return new(d.Id, type, d.CreatedAt, d.Attempts, d.LastStatus, d.LastError, d.DeliveredAt, d.GaveUp, d.NextAttemptAt);
    }
}

public sealed record WebhookTestQueued(long DeliveryId, ServerEventType Event);
