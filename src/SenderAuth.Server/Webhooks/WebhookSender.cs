using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Webhooks;

/// <summary>
/// Delivers the outbox: every <see cref="NotificationOptions.IntervalSeconds"/> it claims due deliveries, POSTs
/// each one signed (<see cref="WebhookSignature"/>) and records the outcome; failures are retried with backoff
/// until <see cref="NotificationOptions.MaxAttempts"/>. Delivery is at least once: a receiver that answered 2xx
/// after the lease ran out, or a crash between the POST and the record, gets the delivery again (same
/// SenderAuth-Delivery id, by which receivers de-duplicate).
/// </summary>
public sealed partial class WebhookSender(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    KeyProtector protector,
    TimeProvider time,
    IOptions<ServerOptions> options,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "SenderAuth.Webhooks";

    /// <summary>What a webhook secret is sealed to: a sealed secret copied into a row with another URL does not open.</summary>
    public static string SecretBinding(string url) => "webhook:" + url;

    // Names this instance in lease owners, so a stuck lease in the database says whose it is.
    private static readonly string Instance = $"{Environment.MachineName[..Math.Min(40, Environment.MachineName.Length)]}:{Environment.ProcessId}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value.Notifications;
        if (!o.SendWebhooks)
        {
            LogNotSending(logger);
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(o.IntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await DeliverDueAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A database outage must not end the loop (an exception here would stop the host): the next tick retries.
                    LogPassFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass: claims the due deliveries (at most BatchSize) and attempts each once. Returns how many it attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var o = options.Value.Notifications;
        var now = time.GetUtcNow().UtcDateTime;
        List<long> due;
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            due = await Due(db, now)
                .Where(d => db.Webhooks.Any(w => w.Id == d.WebhookId && w.Enabled))
                .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id).Take(o.BatchSize)
                .Select(d => d.Id).ToListAsync(ct).ConfigureAwait(false);
        }
        var attempted = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = o.Parallelism, CancellationToken = ct }, async (id, token) =>
        {
            if (await AttemptAsync(id, o, token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref attempted);
            }
        }).ConfigureAwait(false);
        return attempted;
    }

    /// <summary>Undelivered, not given up, due, and not leased by anyone (or the lease ran out).</summary>
    private static IQueryable<WebhookDelivery> Due(SenderAuthDb db, DateTime now) =>
        db.WebhookDeliveries.Where(d => d.DeliveredAt == null && !d.GaveUp && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now));

    private async Task<bool> AttemptAsync(long id, NotificationOptions o, CancellationToken ct)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var now = time.GetUtcNow().UtcDateTime;
            // Unique per claim, so that two passes of one instance are told apart as well as two instances.
            var lease = $"{Instance}:{Guid.NewGuid():N}";
            // The claim is one conditional UPDATE: SQLite runs writers one at a time, and PostgreSQL re-evaluates
            // the WHERE on the row a concurrent writer just committed, so of two instances only one sees a row count of 1.
            var claimed = await Due(db, now).Where(d => d.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseOwner, lease).SetProperty(d => d.LeaseUntil, now.AddSeconds(o.LeaseSeconds)), ct)
                .ConfigureAwait(false);
            if (claimed == 0)
            {
                return false;
            }
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

    /// <summary>What the tenant sees of a connection its webhook was not allowed to make.</summary>
    public const string RefusedByPolicy = "connection refused by policy";

    /// <summary>What the tenant sees of any other failure without an HTTP status: the detail would tell open from closed ports.</summary>
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
            return new(null, RefusedByPolicy, refused.Message);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhooks are not sent by this instance (SenderAuth:Notifications:SendWebhooks is false)")]
    private static partial void LogNotSending(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "A webhook delivery pass failed; the next one retries")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook delivery {DeliveryId} ({Event}) to webhook {WebhookId} at {Host} delivered on attempt {Attempt}")]
    private static partial void LogDelivered(ILogger logger, long deliveryId, string @event, long webhookId, string host, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} ({Event}) to webhook {WebhookId} at {Host} failed on attempt {Attempt}: {Error}; next attempt at {NextAttemptAt:o}")]
    private static partial void LogRetry(ILogger logger, long deliveryId, string @event, long webhookId, string host, int attempt, string error, DateTime nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} ({Event}) to webhook {WebhookId} at {Host} given up after {Attempt} attempts: {Error}")]
    private static partial void LogGaveUp(ILogger logger, long deliveryId, string @event, long webhookId, string host, int attempt, string error);
}
