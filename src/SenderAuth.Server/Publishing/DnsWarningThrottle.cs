namespace SenderAuth.Server.Publishing;

/// <summary>
/// The built-in DNS server's warnings through a <see cref="WarningThrottle"/>: anyone on the network can send
/// malformed packets. The first failure of an interval is logged in full, the rest counted into one summary line,
/// and the response-rate limit's dropped and truncated answers are summarised on the same beat.
/// </summary>
public sealed partial class DnsWarningThrottle : IDisposable
{
    private readonly ILogger _logger;
    private readonly DnsRateLimiter? _limiter;
    private readonly WarningThrottle _throttle;

    /// <param name="limiter">Its dropped and truncated answers are summarised on the same beat; null when limiting is off.</param>
    public DnsWarningThrottle(ILogger logger, TimeSpan interval, DnsRateLimiter? limiter, TimeProvider? time = null)
    {
        _logger = logger;
        _limiter = limiter;
        _throttle = new WarningThrottle(interval, count => LogSuppressed(_logger, count, interval.TotalSeconds), time, RateLimited);
    }

    /// <summary>A query failed (malformed packet, transport error): logged if it is the interval's first, else counted.</summary>
    public void Failed(Exception exception)
    {
        if (_throttle.ShouldLog())
        {
            LogFailed(_logger, exception.GetBaseException().Message, _throttle.Interval.TotalSeconds, exception);
        }
    }

    /// <summary>Ends an interval: one line for what was not logged, one for what the rate limit did.</summary>
    public void Flush() => _throttle.Flush();

    private void RateLimited()
    {
        if (_limiter?.TakeCounts() is { } counts && (counts.Dropped > 0 || counts.Slipped > 0))
        {
            LogRateLimited(_logger, counts.Dropped, counts.Slipped, _throttle.Interval.TotalSeconds, _limiter.TrackedNetworks);
        }
    }

    public void Dispose() => _throttle.Dispose();

    [LoggerMessage(EventId = LogEvents.Publishing + 2, Level = LogLevel.Warning, Message = "Built-in DNS server: a query failed: {Reason} (further failures in the next {Seconds} s are counted, not logged)")]
    private static partial void LogFailed(ILogger logger, string reason, double seconds, Exception exception);

    [LoggerMessage(EventId = LogEvents.Publishing + 3, Level = LogLevel.Warning, Message = "Built-in DNS server: {Count} more queries failed (malformed or cut off) in the last {Seconds} s")]
    private static partial void LogSuppressed(ILogger logger, long count, double seconds);

    [LoggerMessage(EventId = LogEvents.Publishing + 4, Level = LogLevel.Warning, Message = "Built-in DNS server: response-rate limit dropped {Dropped} and truncated {Slipped} UDP answers in the last {Seconds} s ({Networks} client networks tracked; SenderAuth:Publishing:DnsRateLimit)")]
    private static partial void LogRateLimited(ILogger logger, long dropped, long slipped, double seconds, int networks);
}
