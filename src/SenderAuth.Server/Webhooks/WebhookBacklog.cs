using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Server.Webhooks;

/// <summary>
/// Bounds each institution's undelivered outbox rows (<see cref="QuotaOptions.MaxQueuedDeliveriesPerInstitution"/>),
/// so that a tenant whose receiver is down, or a script posting test events, cannot grow the shared table without end.
/// </summary>
/// <remarks>
/// A test event is a caller's request: at the cap it is refused (409 naming the setting). A real event is a state
/// change the caller did not ask to be told about one by one: it is always enqueued, and the sender then drops that
/// institution's oldest undelivered rows over the cap with a warning, since the newest state is what a receiver that
/// comes back needs. The operator's all-institution webhooks count as one more "institution".
/// </remarks>
public static class WebhookBacklog
{
    /// <summary>Undelivered (not delivered, not given up) rows whose webhook belongs to the institution (null: the operator's).</summary>
    public static IQueryable<WebhookDelivery> Queued(SenderAuthDb db, long? institutionId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.WebhookDeliveries.Where(d => d.DeliveredAt == null && !d.GaveUp
            && db.Webhooks.Any(w => w.Id == d.WebhookId && w.InstitutionId == institutionId));
    }

    /// <summary>The refusal when the institution's queue is full, else null.</summary>
    public static async Task<ServiceError?> FullAsync(SenderAuthDb db, long? institutionId, string who, QuotaOptions quotas, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        var queued = await Queued(db, institutionId).CountAsync(ct).ConfigureAwait(false);
        return queued < quotas.MaxQueuedDeliveriesPerInstitution ? null : new ServiceError.QuotaExceeded(
            $"{who} has {queued} webhook deliveries queued, the most one institution may have ({QuotaOptions.Section}:MaxQueuedDeliveriesPerInstitution = {quotas.MaxQueuedDeliveriesPerInstitution}): "
            + "wait for them to be delivered or given up",
            $"{QuotaOptions.Section}:MaxQueuedDeliveriesPerInstitution", quotas.MaxQueuedDeliveriesPerInstitution);
    }

    /// <summary>
    /// Drops, per institution, the oldest undelivered rows over the cap, except those leased now (a send in flight
    /// records its outcome on its row). Returns the (institution, dropped) pairs, for the caller to log.
    /// </summary>
    public static async Task<List<(long? Institution, int Dropped)>> TrimAsync(SenderAuthDb db, int cap, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var over = await (from d in db.WebhookDeliveries
                          where d.DeliveredAt == null && !d.GaveUp
                          join w in db.Webhooks on d.WebhookId equals w.Id
                          group d by w.InstitutionId into g
                          where g.Count() > cap
                          select new { Institution = g.Key, Count = g.Count() }).ToListAsync(ct).ConfigureAwait(false);
        var dropped = new List<(long? Institution, int Dropped)>();
        foreach (var o in over)
        {
            var excess = o.Count - cap;
            var oldest = await Queued(db, o.Institution).Where(d => d.LeaseUntil == null || d.LeaseUntil < now).OrderBy(d => d.Id).Take(excess).Select(d => d.Id).ToListAsync(ct).ConfigureAwait(false);
            var n = await db.WebhookDeliveries.Where(d => oldest.Contains(d.Id)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            dropped.Add((o.Institution, n));
        }
        return dropped;
    }
}
