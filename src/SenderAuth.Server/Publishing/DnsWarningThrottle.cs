namespace SenderAuth.Server.Publishing;

/// <summary>
/// Keeps the built-in DNS server's warnings from flooding the log: anyone on the network can send malformed
/// packets, and one warning each would let them fill the disk and bury everything else. The first warning of an
/// interval is logged in full; the rest are counted, and at the end of the interval one summary line gives the count.
/// </summary>
public sealed partial class DnsWarningThrottle : IDisposable
{
    private readonly ILogger _logger;
    private readonly DnsRateLimiter? _limiter;
    private readonly ITimer _timer;
    private readonly TimeSpan _interval;
    private int _loggedThisInterval;
    private long _suppressed;

    /// <param name="limiter">Its dropped and truncated answers are summarised on the same beat; null when limiting is off.</param>
    public DnsWarningThrottle(ILogger logger, TimeSpan interval, DnsRateLimiter? limiter, TimeProvider? time = null)
    {
        _logger = logger;
        _limiter = limiter;
        _interval = interval;
        _timer = (time ?? TimeProvider.System).CreateTimer(_ => Flush(), null, interval, interval);
    }

    /// <summary>A query failed (malformed packet, transport error): logged if it is the interval's first, else counted.</summary>
    public void Failed(Exception exception)
    {
        if (Interlocked.Exchange(ref _loggedThisInterval, 1) == 0)
        {
            LogFailed(_logger, exception.GetBaseException().Message, _interval.TotalSeconds, exception);
        }
        else
        {
            Interlocked.Increment(ref _suppressed);
        }
    }

    /// <summary>Ends an interval: one line for what was not logged, one for what the rate limit did.</summary>
    public void Flush()
    {
        var suppressed = Interlocked.Exchange(ref _suppressed, 0);
        Interlocked.Exchange(ref _loggedThisInterval, 0);
        if (suppressed > 0)
        {
            LogSuppressed(_logger, suppressed, _interval.TotalSeconds);
        }
        if (_limiter?.TakeCounts() is { } counts && (counts.Dropped > 0 || counts.Slipped > 0))
        {
            LogRateLimited(_logger, counts.Dropped, counts.Slipped, _interval.TotalSeconds, _limiter.TrackedNetworks);
        }
    }

    public void Dispose() => _timer.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Built-in DNS server: a query failed: {Reason} (further failures in the next {Seconds} s are counted, not logged)")]
    private static partial void LogFailed(ILogger logger, string reason, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Built-in DNS server: {Count} more queries failed (malformed or cut off) in the last {Seconds} s")]
    private static partial void LogSuppressed(ILogger logger, long count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Built-in DNS server: response-rate limit dropped {Dropped} and truncated {Slipped} UDP answers in the last {Seconds} s ({Networks} client networks tracked; SenderAuth:Publishing:DnsRateLimit)")]
    private static partial void LogRateLimited(ILogger logger, long dropped, long slipped, double seconds, int networks);
}
