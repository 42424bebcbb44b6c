using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Webhooks;

/// <summary>
/// Delivers the outbox: due deliveries are claimed and POSTed signed (<see cref="WebhookSignature"/>), and each
/// outcome recorded; failures are retried with backoff until <see cref="NotificationOptions.MaxAttempts"/>.
/// Delivery is at least once: a receiver that answered 2xx after the lease ran out, or a crash between the POST and
/// the record, gets the delivery again (same SenderAuth-Delivery id, by which receivers de-duplicate).
/// </summary>
/// <remarks>
/// Fair between tenants: the outbox is one table, but it is served as one queue per institution, round-robin, with
/// at most <see cref="QuotaOptions.WebhookDeliveriesInFlightPerInstitution"/> POSTs of one institution and
/// <see cref="NotificationOptions.InFlightPerEndpoint"/> to one webhook in flight, each bounded by
/// <see cref="NotificationOptions.TimeoutSeconds"/>. Sends are not awaited by the loop that starts them: a slot that
/// frees wakes it, so a receiver that hangs holds only its own slots and every other tenant's deliveries go on.
/// (A FIFO batch awaited as a whole let one dead endpoint delay every tenant by its timeout, batch after batch.)
/// </remarks>
public sealed partial class WebhookSender(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    KeyProtector protector,
    TimeProvider time,
    IOptions<NotificationOptions> notifications,
    IOptions<QuotaOptions> quotas,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "SenderAuth.Webhooks";

    /// <summary>What a webhook secret is sealed to: a sealed secret copied into a row with another URL does not open.</summary>
    public static string SecretBinding(string url) => "webhook:" + url;

    // Names this instance in lease owners, so a stuck lease in the database says whose it is.
    private static readonly string Instance = $"{Environment.MachineName[..Math.Min(40, Environment.MachineName.Length)]}:{Environment.ProcessId}";

    // The webhooks of all institutions (operators') share one queue of their own.
    private const long AllInstitutions = 0;

    // What is in flight, per institution and per webhook; changed only under _gate.
    private readonly Lock _gate = new();
    private readonly Dictionary<long, int> _byInstitution = [];
    private readonly Dictionary<long, int> _byWebhook = [];
    private readonly HashSet<Task<bool>> _running = [];
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // One dispatch at a time per instance: the slots are reserved before the claim, by one writer.
    private readonly SemaphoreSlim _dispatching = new(1, 1);

    // Where the round-robin starts next time, so the first institution in id order is not always served first.
    private long _roundRobinAfter = -1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = notifications.Value;
        if (!o.SendWebhooks)
        {
            LogNotSending(logger);
            return;
        }
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await TrimBacklogAsync(stoppingToken).ConfigureAwait(false);
                    await DispatchAsync(o.BatchSize, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A database outage must not end the loop (an exception here would stop the host): the next tick retries.
                    LogPassFailed(logger, e);
                }
                Task wake;
                lock (_gate)
                {
                    wake = _wake.Task;
                }
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(o.IntervalSeconds), time, tick.Token), wake).ConfigureAwait(false);
                await tick.CancelAsync().ConfigureAwait(false);
                lock (_gate)
                {
                    if (_wake.Task.IsCompleted)
                    {
                        _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        Task<bool>[] running;
        lock (_gate)
        {
            running = [.. _running];
        }
        // The sends were started with the stopping token: they end now, unrecorded, and their leases run out. (These
        // tasks never fault: each ends with its outcome, see Start.)
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>
    /// One pass, for tests and tools: delivers what is due now (at most BatchSize), within the same per-institution
    /// and per-webhook limits as the loop, and waits for the outcomes. Returns how many it attempted.
    /// </summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var batch = notifications.Value.BatchSize;
        var mine = new List<Task<bool>>();
        while (mine.Count < batch)
        {
            var started = await DispatchAsync(batch - mine.Count, ct).ConfigureAwait(false);
            mine.AddRange(started);
            var pending = mine.Where(t => !t.IsCompleted).ToList();
            if (started.Count == 0 && pending.Count == 0)
            {
                break;
            }
            if (pending.Count > 0)
            {
                await Task.WhenAny(pending).ConfigureAwait(false);
            }
        }
        var results = await Task.WhenAll(mine).ConfigureAwait(false);
        return results.Count(r => r);
    }

    /// <summary>Drops each institution's oldest undelivered rows over the cap (<see cref="WebhookBacklog"/>), with a warning.</summary>
    public async Task TrimBacklogAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        var cap = quotas.Value.MaxQueuedDeliveriesPerInstitution;
        foreach (var (institution, dropped) in await WebhookBacklog.TrimAsync(db, cap, time.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false))
        {
            LogDropped(logger, dropped, institution?.ToString(CultureInfo.InvariantCulture) ?? "the operator", cap);
        }
    }

    [LoggerMessage(EventId = LogEvents.Webhooks + 1, Level = LogLevel.Warning, Message = "Dropped the {Dropped} oldest undelivered webhook deliveries of institution {Institution}: its queue was over SenderAuth:Quotas:MaxQueuedDeliveriesPerInstitution ({Cap})")]
    private static partial void LogDropped(ILogger logger, int dropped, string institution, int cap);

    /// <summary>Undelivered, not given up, due, and not leased by anyone (or the lease ran out).</summary>
    private static IQueryable<WebhookDelivery> Due(SenderAuthDb db, DateTime now) =>
        db.WebhookDeliveries.Where(d => d.DeliveredAt == null && !d.GaveUp && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now));

    /// <summary>
    /// Claims as many due deliveries as there are free slots (at most <paramref name="most"/>), shared round-robin
    /// between the institutions that have some due, and starts their sends without waiting for them.
    /// </summary>
    private async Task<List<Task<bool>>> DispatchAsync(int most, CancellationToken ct)
    {
        var o = notifications.Value;
        var perInstitution = quotas.Value.WebhookDeliveriesInFlightPerInstitution;
        var started = new List<Task<bool>>();
        await _dispatching.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
                var now = time.GetUtcNow().UtcDateTime;
                int free;
                lock (_gate)
                {
                    free = Math.Min(most, o.Parallelism - _running.Count);
                }
                if (free <= 0)
                {
                    return started;
                }
                // Which webhooks have something due, with how much: one row per webhook, not per delivery, so a tenant
                // with a million queued deliveries costs this query no more than one with a single delivery.
                var queues = await (
                    from d in Due(db, now)
                    join w in db.Webhooks on d.WebhookId equals w.Id
                    where w.Enabled
                    group d by new { w.Id, w.InstitutionId } into g
                    select new WebhookQueue(g.Key.Id, g.Key.InstitutionId ?? AllInstitutions, g.Min(x => x.Id), g.Count()))
                    .ToListAsync(ct).ConfigureAwait(false);
                foreach (var (webhook, institution, count) in Allocate(queues, free, perInstitution, o.InFlightPerEndpoint))
                {
                    var ids = await Due(db, now).Where(d => d.WebhookId == webhook)
                        .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id).Take(count).Select(d => d.Id)
                        .ToListAsync(ct).ConfigureAwait(false);
                    foreach (var id in ids)
                    {
                        var lease = await ClaimAsync(db, id, now, o, ct).ConfigureAwait(false);
                        if (lease is not null)
                        {
                            started.Add(Start(id, webhook, institution, lease, o, ct));
                        }
                    }
                }
            }
        }
        finally
        {
            _dispatching.Release();
        }
        return started;
    }

    private sealed record WebhookQueue(long Webhook, long Institution, long OldestId, int Due);

    /// <summary>
    /// Hands out the free slots one at a time, going round the institutions in turn (each to its webhook with the
    /// oldest due delivery that has a slot of its own left), so an institution with a long queue gets no more of
    /// a pass than one with a single delivery. Returns (webhook, institution, deliveries to claim).
    /// </summary>
    private List<(long Webhook, long Institution, int Count)> Allocate(List<WebhookQueue> queues, int free, int perInstitution, int perEndpoint)
    {
        var byInstitution = queues.GroupBy(q => q.Institution)
            .Select(g => (Institution: g.Key, Queues: g.OrderBy(q => q.OldestId).ToList()))
            .OrderBy(g => g.Institution <= _roundRobinAfter ? 1 : 0).ThenBy(g => g.Institution).ToList();
        var given = new Dictionary<long, int>();
        var institutionTaken = new Dictionary<long, int>();
        lock (_gate)
        {
            var progress = true;
            while (free > 0 && progress)
            {
                progress = false;
                foreach (var (institution, list) in byInstitution)
                {
                    if (free == 0)
                    {
                        break;
                    }
                    var taken = institutionTaken.GetValueOrDefault(institution);
                    if (_byInstitution.GetValueOrDefault(institution) + taken >= perInstitution)
                    {
                        continue;
                    }
                    var queue = list.FirstOrDefault(q =>
                        given.GetValueOrDefault(q.Webhook) < q.Due && _byWebhook.GetValueOrDefault(q.Webhook) + given.GetValueOrDefault(q.Webhook) < perEndpoint);
                    if (queue is null)
                    {
                        continue;
                    }
                    given[queue.Webhook] = given.GetValueOrDefault(queue.Webhook) + 1;
                    institutionTaken[institution] = taken + 1;
                    _roundRobinAfter = institution;
                    free--;
                    progress = true;
                }
            }
        }
        return [.. queues.Where(q => given.ContainsKey(q.Webhook)).Select(q => (q.Webhook, q.Institution, given[q.Webhook]))];
    }

    /// <summary>
    /// The claim is one conditional UPDATE: SQLite runs writers one at a time, and PostgreSQL re-evaluates the WHERE
    /// on the row a concurrent writer just committed, so of two instances only one sees a row count of 1.
    /// </summary>
    private static async Task<string?> ClaimAsync(SenderAuthDb db, long id, DateTime now, NotificationOptions o, CancellationToken ct)
    {
        // Unique per claim, so that two passes of one instance are told apart as well as two instances.
        var lease = $"{Instance}:{Guid.NewGuid():N}";
        var claimed = await Due(db, now).Where(d => d.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseOwner, lease).SetProperty(d => d.LeaseUntil, now.AddSeconds(o.LeaseSeconds)), ct)
            .ConfigureAwait(false);
        return claimed == 0 ? null : lease;
    }

    /// <summary>Takes the slots, starts the send, and gives the slots back (and wakes the loop) when it ends.</summary>
    private Task<bool> Start(long id, long webhook, long institution, string lease, NotificationOptions o, CancellationToken ct)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _byInstitution[institution] = _byInstitution.GetValueOrDefault(institution) + 1;
            _byWebhook[webhook] = _byWebhook.GetValueOrDefault(webhook) + 1;
            _running.Add(done.Task);
        }
        _ = Task.Run(async () =>
        {
            try
            {
                done.TrySetResult(await AttemptAsync(id, lease, o, ct).ConfigureAwait(false));
            }
            catch (Exception e)
            {
                // Whatever happens, the slot is given back and the waiting pass learns the outcome; a delivery left
                // unrecorded keeps its lease until it runs out and is then sent again.
                if (!ct.IsCancellationRequested)
                {
                    LogPassFailed(logger, e);
                }
                done.TrySetResult(false);
            }
            finally
            {
                lock (_gate)
                {
                    Release(_byInstitution, institution);
                    Release(_byWebhook, webhook);
                    _running.Remove(done.Task);
                    _wake.TrySetResult();
                }
            }
        }, CancellationToken.None);
        return done.Task;
    }

    private static void Release(Dictionary<long, int> counts, long key)
    {
        if (counts.GetValueOrDefault(key) <= 1)
        {
            counts.Remove(key);
        }
        else
        {
            counts[key]--;
        }
    }

    private async Task<bool> AttemptAsync(long id, string lease, NotificationOptions o, CancellationToken ct)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var delivery = await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id && d.LeaseOwner == lease, ct).ConfigureAwait(false);
            var hook = delivery is null ? null : await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == delivery.WebhookId, ct).ConfigureAwait(false);
            if (delivery is null || hook is null)
            {
                // The webhook was deleted meanwhile (its deliveries go with it).
                return false;
            }
            var attempt = await SendAsync(hook, delivery, o, ct).ConfigureAwait(false);
            await RecordAsync(db, delivery, hook, lease, attempt, o, ct).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>
    /// What the tenant sees of any failure without an HTTP status, a connection the policy refused included: the
    /// detail would tell open from closed ports, and a distinct refusal would tell which names resolve to internal
    /// addresses. The operator's log gets the detail.
    /// </summary>
    public const string DeliveryFailed = "delivery failed";

    /// <summary>One attempt's outcome: the status, the error the delivery log shows the tenant, and the detail only the operator's log gets.</summary>
    private readonly record struct Attempt(int? Status, string? Error, string? Detail);

    private async Task<Attempt> SendAsync(Webhook hook, WebhookDelivery delivery, NotificationOptions o, CancellationToken ct)
    {
        string secret;
        try
        {
            secret = Encoding.UTF8.GetString(protector.Open(hook.SealedSecret, SecretBinding(hook.Url)));
        }
        catch (CryptographicException e)
        {
            return new(null, DeliveryFailed, "the webhook secret cannot be opened: " + e.Message);
        }
        var body = Encoding.UTF8.GetBytes(delivery.PayloadJson);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("SenderAuth-Webhooks", "1"));
        request.Headers.Add("SenderAuth-Event", delivery.Event);
        request.Headers.Add("SenderAuth-Delivery", delivery.Id.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("SenderAuth-Signature", WebhookSignature.Header(secret, time.GetUtcNow().ToUnixTimeSeconds(), body));
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            // The status came from a receiver the policy allowed: the tenant's own endpoint, so it may see it.
            return response.IsSuccessStatusCode ? new(status, null, null) : new(status, $"HTTP {status}", $"HTTP {status} {response.ReasonPhrase}".TrimEnd());
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(null, DeliveryFailed, $"no answer within {o.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookAddressRefusedException refused)
        {
            return new(null, DeliveryFailed, refused.Message);
        }
        catch (HttpRequestException e)
        {
            return new(null, DeliveryFailed, e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{e.Message} ({inner.Message})" : e.Message);
        }
    }

    private async Task RecordAsync(SenderAuthDb db, WebhookDelivery delivery, Webhook hook, string lease, Attempt attempt, NotificationOptions o, CancellationToken ct)
    {
        var (status, error, detail) = attempt;
        var now = time.GetUtcNow().UtcDateTime;
        var attempts = delivery.Attempts + 1;
        var delivered = error is null;
        var gaveUp = !delivered && attempts >= o.MaxAttempts;
        DateTime? next = delivered || gaveUp ? null : now + Jittered(o.DelayAfter(attempts), o.Jitter);
        DateTime? deliveredAt = delivered ? now : null;
        var lastError = error is { Length: > 1000 } ? error[..1000] : error;
        // Only while the lease is still ours: if it ran out and another instance took the delivery, its record wins.
        await db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.LeaseOwner == lease).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Attempts, attempts)
            .SetProperty(d => d.LastStatus, status)
            .SetProperty(d => d.LastError, lastError)
            .SetProperty(d => d.DeliveredAt, deliveredAt)
            .SetProperty(d => d.GaveUp, gaveUp)
            .SetProperty(d => d.NextAttemptAt, next)
            .SetProperty(d => d.LeaseOwner, (string?)null)
            .SetProperty(d => d.LeaseUntil, (DateTime?)null), ct).ConfigureAwait(false);
        var host = Uri.TryCreate(hook.Url, UriKind.Absolute, out var uri) ? uri.Authority : hook.Url;
        if (delivered)
        {
            LogDelivered(logger, delivery.Id, delivery.Event, hook.Id, host, attempts);
        }
        else if (gaveUp)
        {
            LogGaveUp(logger, delivery.Id, delivery.Event, hook.Id, host, attempts, detail ?? error!);
        }
        else
        {
            LogRetry(logger, delivery.Id, delivery.Event, hook.Id, host, attempts, detail ?? error!, next!.Value);
        }
    }

    /// <summary>Spreads retries so that deliveries that failed together (a receiver outage) do not all come back at once.</summary>
    private static TimeSpan Jittered(TimeSpan delay, double jitter) =>
        jitter == 0 ? delay : delay * (1 + jitter * (2 * Random.Shared.NextDouble() - 1));

    [LoggerMessage(EventId = LogEvents.Webhooks + 2, Level = LogLevel.Information, Message = "Webhooks are not sent by this instance (SenderAuth:Notifications:SendWebhooks is false)")]
    private static partial void LogNotSending(ILogger logger);

    public override void Dispose()
    {
        _dispatching.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.Webhooks + 3, Level = LogLevel.Error, Message = "A webhook delivery pass failed; the next one retries")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = LogEvents.Webhooks + 4, Level = LogLevel.Debug, Message = "Webhook delivery {DeliveryId} ({Event}) to webhook {WebhookId} at {Host} delivered on attempt {Attempt}")]
    private static partial void LogDelivered(ILogger logger, long deliveryId, string @event, long webhookId, string host, int attempt);

    [LoggerMessage(EventId = LogEvents.Webhooks + 5, Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} ({Event}) to webhook {WebhookId} at {Host} failed on attempt {Attempt}: {Error}; next attempt at {NextAttemptAt:o}")]
    private static partial void LogRetry(ILogger logger, long deliveryId, string @event, long webhookId, string host, int attempt, string error, DateTime nextAttemptAt);

    [LoggerMessage(EventId = LogEvents.Webhooks + 6, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} ({Event}) to webhook {WebhookId} at {Host} given up after {Attempt} attempts: {Error}")]
    private static partial void LogGaveUp(ILogger logger, long deliveryId, string @event, long webhookId, string host, int attempt, string error);
}
