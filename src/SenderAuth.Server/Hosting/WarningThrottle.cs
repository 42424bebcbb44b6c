namespace SenderAuth.Server.Hosting;

/// <summary>
/// Keeps a warning that anyone on the network can provoke (a malformed DNS query, a milter connection from a host
/// not allowed) from flooding the log: one each would let them fill the disk and bury everything else. The first
/// warning of an interval is logged in full; the rest are counted, and at the end of the interval the summary
/// callback gets the count (it is not called when nothing was held back).
/// </summary>
public sealed class WarningThrottle : IDisposable
{
    private readonly Action<long> _summarise;
    private readonly Action? _atIntervalEnd;
    private readonly ITimer _timer;
    private int _loggedThisInterval;
    private long _suppressed;

    /// <param name="summarise">Logs the count of warnings held back in the interval just ended.</param>
    /// <param name="atIntervalEnd">Anything else summarised on the same beat (the DNS rate limit's counts).</param>
    public WarningThrottle(TimeSpan interval, Action<long> summarise, TimeProvider? time = null, Action? atIntervalEnd = null)
    {
        ArgumentNullException.ThrowIfNull(summarise);
        Interval = interval;
        _summarise = summarise;
        _atIntervalEnd = atIntervalEnd;
        _timer = (time ?? TimeProvider.System).CreateTimer(_ => Flush(), null, interval, interval);
    }

    public TimeSpan Interval { get; }

    /// <summary>True for the interval's first warning (log it in full); otherwise the warning is counted and false.</summary>
    public bool ShouldLog()
    {
        if (Interlocked.Exchange(ref _loggedThisInterval, 1) == 0)
        {
            return true;
        }
        Interlocked.Increment(ref _suppressed);
        return false;
    }

    /// <summary>Ends an interval: the summary of what was held back, then whatever else is summarised with it.</summary>
    public void Flush()
    {
        var suppressed = Interlocked.Exchange(ref _suppressed, 0);
        Interlocked.Exchange(ref _loggedThisInterval, 0);
        if (suppressed > 0)
        {
            _summarise(suppressed);
        }
        _atIntervalEnd?.Invoke();
    }

    public void Dispose() => _timer.Dispose();
}
