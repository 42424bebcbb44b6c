using Microsoft.Extensions.Caching.Memory;

namespace SenderAuth.Server.Access;

/// <summary>
/// Audit entries for security events that are not part of a change (a refused key, a scope refusal, a sign-in):
/// written in their own unit of work at once, since the request that caused them changes nothing.
/// </summary>
/// <remarks>
/// Refusals cost the caller nothing, so a script could turn them into database writes. With <c>throttle</c> one
/// entry per (event, client, key, subject) is written per <see cref="ThrottleWindow"/> and the repeats are
/// counted into the next entry's detail, so the log says how many there were without growing with them.
/// </remarks>
public sealed partial class SecurityAudit(IServiceScopeFactory scopes, IMemoryCache cache, TimeProvider time, ILogger<SecurityAudit> logger)
{
    public static readonly TimeSpan ThrottleWindow = TimeSpan.FromSeconds(10);

    private sealed class Repeats
    {
        public int Count;
    }

    /// <summary>Records an event of the request's caller (or "anonymous" when it is not authenticated).</summary>
    /// <remarks><paramref name="window"/> replaces <see cref="ThrottleWindow"/> for a throttled event (key use is written once a minute).</remarks>
    public async Task RecordAsync(HttpContext http, string action, string subject, string? detail, bool throttle = false, long? institutionId = null, TimeSpan? window = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        Caller? caller = http.User.FindFirst(Caller.KeyIdClaim) is null ? null : Caller.From(http);
        await RecordAsync(caller?.Actor ?? "anonymous", caller?.KeyId, Caller.ClientAddress(http), institutionId ?? caller?.InstitutionId,
            action, subject, detail, throttle, window ?? ThrottleWindow, http.RequestAborted).ConfigureAwait(false);
    }

    public Task RecordAsync(string actor, long? keyId, string? client, long? institutionId, string action, string subject, string? detail, bool throttle, CancellationToken ct) =>
        RecordAsync(actor, keyId, client, institutionId, action, subject, detail, throttle, ThrottleWindow, ct);

    private async Task RecordAsync(string actor, long? keyId, string? client, long? institutionId, string action, string subject, string? detail, bool throttle, TimeSpan span, CancellationToken ct)
    {
        if (throttle)
        {
            var key = $"audit-throttle:{action}:{client}:{keyId}:{subject}";
            if (cache.TryGetValue(key, out Repeats? seen) && seen is not null)
            {
                Interlocked.Increment(ref seen.Count);
                return;
            }
            var repeats = new Repeats();
            var entry = cache.CreateEntry(key);
            entry.Value = repeats;
            entry.Size = 1;
            entry.AbsoluteExpirationRelativeToNow = span;
            // When the window ends, the repeats it swallowed are written as one entry.
            entry.RegisterPostEvictionCallback((_, value, reason, _) =>
            {
                if (value is Repeats { Count: > 0 } r && reason is EvictionReason.Expired or EvictionReason.Capacity or EvictionReason.TokenExpired)
                {
                    _ = WriteAsync(actor, keyId, client, institutionId, action, subject, $"{r.Count} more like this within {span.TotalSeconds:0} s", CancellationToken.None);
                }
            });
            entry.Dispose();
        }
        await WriteAsync(actor, keyId, client, institutionId, action, subject, detail, ct).ConfigureAwait(false);
    }

    private async Task WriteAsync(string actor, long? keyId, string? client, long? institutionId, string action, string subject, string? detail, CancellationToken ct)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            db.Record(time, actor, keyId, client, institutionId, action, subject, detail);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The refusal itself stands; a lost audit entry is logged, never a 500 for the caller.
            LogLost(logger, e, action, subject);
        }
    }

    [LoggerMessage(EventId = LogEvents.Access + 3, Level = LogLevel.Error, Message = "Could not write the audit entry {Action} {Subject}")]
    private static partial void LogLost(ILogger logger, Exception exception, string action, string subject);
}
