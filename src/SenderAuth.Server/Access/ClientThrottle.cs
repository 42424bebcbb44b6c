using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Access;

/// <summary>
/// The limits that run before (or without) a known key: failed authentication per client address, dashboard
/// sign-in failures per client and per account. Counted with System.Threading.RateLimiting's partitioned fixed
/// windows, which drop a partition once its window is full again, so memory follows the clients that fail now.
/// Only failures are counted: a client that authenticates is never slowed here (the per-key limit is for that).
/// </summary>
public sealed partial class ClientThrottle : IDisposable
{
    private readonly ClientLimitOptions _limits;
    private readonly PartitionedRateLimiter<string> _failedAuth;
    private readonly PartitionedRateLimiter<string> _signInClient;
    private readonly PartitionedRateLimiter<string> _signInAccount;
    private readonly ILogger<ClientThrottle> _logger;

    public ClientThrottle(IOptions<ClientLimitOptions> options, ILogger<ClientThrottle> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _limits = options.Value;
        _logger = logger;
        var window = TimeSpan.FromMinutes(_limits.SignInFailureWindowMinutes);
        _failedAuth = Windows(_limits.FailedAuthPerMinute, TimeSpan.FromMinutes(1));
        _signInClient = Windows(_limits.SignInFailuresPerClient, window);
        _signInAccount = Windows(_limits.SignInFailuresPerAccount, window);
    }

    private static PartitionedRateLimiter<string> Windows(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Null while the client may still try to authenticate; the refusal once it failed too often this minute.</summary>
    public ServiceError.RateLimited? AuthRefusal(string client) =>
        Exhausted(_failedAuth, client) is { } retry
            ? new ServiceError.RateLimited($"too many requests from {client} failed authentication (more than {ClientLimitOptions.Section}:FailedAuthPerMinute = {_limits.FailedAuthPerMinute} a minute): retry in {retry} s",
                $"{ClientLimitOptions.Section}:FailedAuthPerMinute", _limits.FailedAuthPerMinute, retry)
            : null;

    /// <summary>Counts a request that failed authentication (no key, a bad or revoked key).</summary>
    public void AuthFailed(string client, string path)
    {
        using var lease = _failedAuth.AttemptAcquire(client);
        if (!lease.IsAcquired)
        {
            LogClientLimited(_logger, client, _limits.FailedAuthPerMinute, path);
        }
    }

    /// <summary>Null while this client may try to sign in to this account; else why not (the client or the account is over its failures).</summary>
    public ServiceError.RateLimited? SignInRefusal(string client, string account)
    {
        var minutes = _limits.SignInFailureWindowMinutes.ToString(CultureInfo.InvariantCulture);
        if (Exhausted(_signInClient, client) is { } c)
        {
            return new ServiceError.RateLimited($"too many failed sign-ins from your address ({ClientLimitOptions.Section}:SignInFailuresPerClient = {_limits.SignInFailuresPerClient} in {minutes} minutes): try again in {Minutes(c)}",
                $"{ClientLimitOptions.Section}:SignInFailuresPerClient", _limits.SignInFailuresPerClient, c);
        }
        if (Exhausted(_signInAccount, account) is { } a)
        {
            return new ServiceError.RateLimited($"too many failed sign-ins with keys starting {account} ({ClientLimitOptions.Section}:SignInFailuresPerAccount = {_limits.SignInFailuresPerAccount} in {minutes} minutes): try again in {Minutes(a)}",
                $"{ClientLimitOptions.Section}:SignInFailuresPerAccount", _limits.SignInFailuresPerAccount, a);
        }
        return null;
    }

    /// <summary>Counts and logs a failed sign-in (the key's visible prefix only, never the key).</summary>
    public void SignInFailed(string client, string account)
    {
        using var byClient = _signInClient.AttemptAcquire(client);
        using var byAccount = _signInAccount.AttemptAcquire(account);
        LogSignInFailed(_logger, client, account);
    }

    /// <summary>Seconds until the partition has a permit again, or null when it has one now.</summary>
    private static int? Exhausted(PartitionedRateLimiter<string> limiter, string key)
    {
        // A zero-permit acquire asks whether any permit is left without taking one.
        using var probe = limiter.AttemptAcquire(key, 0);
        if (probe.IsAcquired)
        {
            return null;
        }
        return probe.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 60;
    }

    private static string Minutes(int seconds) => seconds < 120 ? $"{seconds} s" : $"{(seconds + 59) / 60} minutes";

    public void Dispose()
    {
        _failedAuth.Dispose();
        _signInClient.Dispose();
        _signInAccount.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.Access + 1, Level = LogLevel.Warning, Message = "Client {Client} failed authentication more than {Limit} times in a minute (last on {Path}); its requests are refused with 429 until the minute is over")]
    private static partial void LogClientLimited(ILogger logger, string client, int limit, string path);

    [LoggerMessage(EventId = LogEvents.Access + 2, Level = LogLevel.Warning, Message = "Failed dashboard sign-in from {Client} with a key starting {Account}")]
    private static partial void LogSignInFailed(ILogger logger, string client, string account);
}
