
namespace SenderAuth.Server.Webhooks;

public sealed record CreateWebhookRequest(string? Url, string? Institution);

/// <summary>A webhook as lists show it: never the secret, which is shown once by <see cref="WebhookCreated"/>.</summary>
public sealed record WebhookDto(long Id, string Url, string? Institution, bool Enabled, DateTime CreatedAt)
{
    public static WebhookDto From(Webhook w, string? code) => new(w.Id, w.Url, code, w.Enabled, w.CreatedAt);
}

public sealed record WebhookCreated(long Id, string Url, string? Institution, DateTime CreatedAt, string Secret, string Note);

/// <summary>One entry of the delivery log.</summary>
public sealed record WebhookDeliveryDto(long Id, string Event, DateTime CreatedAt, int Attempts, int? LastStatus, string? LastError,
    DateTime? DeliveredAt, bool GaveUp, DateTime? NextAttemptAt)
{
    public static WebhookDeliveryDto From(WebhookDelivery d) =>
        new(d.Id, d.Event, d.CreatedAt, d.Attempts, d.LastStatus, d.LastError, d.DeliveredAt, d.GaveUp, d.NextAttemptAt);
}

public sealed record WebhookTestQueued(long DeliveryId, ServerEventType Event);
