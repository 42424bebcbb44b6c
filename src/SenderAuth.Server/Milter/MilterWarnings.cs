using System.Net;

namespace SenderAuth.Server.Milter;

/// <summary>
/// The milter's accept-time warnings through <see cref="WarningThrottle"/>s: a host not in AllowedPeers, or a flood
/// past MaxConnections, can open connections as fast as the network carries them, and a warning each would fill
/// the log. Each kind logs its first occurrence of an interval in full and then one count per interval.
/// </summary>
internal sealed partial class MilterWarnings : IDisposable
{
    /// <summary>One summary a minute: often enough to see an attack going on, rare enough not to flood.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    private readonly ILogger _logger;
    private readonly WarningThrottle _refusedPeers;
    private readonly WarningThrottle _tooMany;

    public MilterWarnings(ILogger logger, TimeProvider? time = null)
    {
        _logger = logger;
        _refusedPeers = new WarningThrottle(Interval, count => LogPeersSuppressed(_logger, count, Interval.TotalSeconds), time);
        _tooMany = new WarningThrottle(Interval, count => LogTooManySuppressed(_logger, count, Interval.TotalSeconds), time);
    }

    public void PeerRefused(IPAddress peer)
    {
        if (_refusedPeers.ShouldLog())
        {
            LogPeerRefused(_logger, peer, Interval.TotalSeconds);
        }
    }

    public void TooManyConnections(int max)
    {
        if (_tooMany.ShouldLog())
        {
            LogTooMany(_logger, max, Interval.TotalSeconds);
        }
    }

    /// <summary>Ends an interval for both kinds (the timers do it; tests call it).</summary>
    public void Flush()
    {
        _refusedPeers.Flush();
        _tooMany.Flush();
    }

    public void Dispose()
    {
        _refusedPeers.Dispose();
        _tooMany.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.Milter + 8, Level = LogLevel.Warning, Message = "milter: connection from {Peer} refused: not in SenderAuth:Milter:AllowedPeers (further refusals in the next {Seconds} s are counted, not logged)")]
    private static partial void LogPeerRefused(ILogger logger, IPAddress peer, double seconds);

    [LoggerMessage(EventId = LogEvents.Milter + 9, Level = LogLevel.Warning, Message = "milter: {Count} more connections refused (not in SenderAuth:Milter:AllowedPeers) in the last {Seconds} s")]
    private static partial void LogPeersSuppressed(ILogger logger, long count, double seconds);

    [LoggerMessage(EventId = LogEvents.Milter + 10, Level = LogLevel.Warning, Message = "milter: {Max} connections already (Milter:MaxConnections); a new one is closed (further ones in the next {Seconds} s are counted, not logged)")]
    private static partial void LogTooMany(ILogger logger, int max, double seconds);

    [LoggerMessage(EventId = LogEvents.Milter + 11, Level = LogLevel.Warning, Message = "milter: {Count} more connections closed over Milter:MaxConnections in the last {Seconds} s")]
    private static partial void LogTooManySuppressed(ILogger logger, long count, double seconds);
}
