using SenderAuth.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Store.Webhooks;

/// <summary>
/// The outbox: events become delivery rows in the same unit of work as the change that caused them, so a
/// committed state change always gets its notifications and a rolled-back one never does. WebhookSender delivers.
/// </summary>
public static class WebhookOutbox
{
    /// <summary>Adds a delivery of the event to every enabled webhook of the institution and to those of all institutions.</summary>
    public static async Task EnqueueAsync(SenderAuthDb db, long institutionId, ServerEvent e, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(e);
        var hooks = await db.Webhooks.AsNoTracking()
            .Where(w => w.Enabled && (w.InstitutionId == null || w.InstitutionId == institutionId))
            .Select(w => w.Id).ToListAsync(ct).ConfigureAwait(false);
        var payload = Payload(e);
        foreach (var id in hooks)
        {
            db.WebhookDeliveries.Add(NewDelivery(id, e, payload));
        }
    }

    /// <summary>A platform event (the provider zone failed to publish): delivered to the operator's webhooks only.</summary>
    public static async Task EnqueueOperatorAsync(SenderAuthDb db, ServerEvent e, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(e);
        var hooks = await db.Webhooks.AsNoTracking().Where(w => w.Enabled && w.InstitutionId == null).Select(w => w.Id).ToListAsync(ct).ConfigureAwait(false);
        var payload = Payload(e);
        foreach (var id in hooks)
        {
            db.WebhookDeliveries.Add(NewDelivery(id, e, payload));
        }
    }

    /// <summary>Adds a delivery of the event to one webhook only (the test event: other webhooks did not ask for it).</summary>
    public static WebhookDelivery EnqueueTo(SenderAuthDb db, long webhookId, ServerEvent e)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(e);
        var delivery = NewDelivery(webhookId, e, Payload(e));
        db.WebhookDeliveries.Add(delivery);
        return delivery;
    }

    /// <summary>The body a webhook receives for <paramref name="e"/>: the event in the JSON contract, details as their record.</summary>
    public static string Payload(ServerEvent e) => JsonSerializer.Serialize(e, SenderAuthJson.Options);

    private static WebhookDelivery NewDelivery(long webhookId, ServerEvent e, string payload) =>
        new() { WebhookId = webhookId, Event = SenderAuthJson.Token(e.Event), PayloadJson = payload, CreatedAt = e.At, NextAttemptAt = e.At };
}
