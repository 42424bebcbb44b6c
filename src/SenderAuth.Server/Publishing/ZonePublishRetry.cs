namespace SenderAuth.Server.Publishing;

/// <summary>
/// Publishes the provider zone again after a publish failed (at start-up, or after a change whose publish the
/// DNS server refused), with exponential backoff from 2 s to 5 min, until one succeeds. Until then /ready says
/// not ready with the reason; the server itself keeps running: the API, the dashboard and the milter serve what
/// they can, and a DNS server that was down at start does not take the platform down with it.
/// </summary>
public sealed partial class ZonePublishRetry(ZonePublishingService publishing, TimeProvider time, ILogger<ZonePublishRetry> logger) : BackgroundService
{
    /// <summary>The first wait after a failure; doubled after each failed retry.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two retries.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await publishing.Failed.WaitAsync(stoppingToken).ConfigureAwait(false);
            var delay = FirstDelay;
            while (publishing.LastFailure is { } reason)
            {
                LogRetrying(logger, delay.TotalSeconds, reason);
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                try
                {
                    await publishing.PublishAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // Logged and raised by the publishing service; wait longer before the next try. Whatever it
                    // was (a timeout included), it must not escape: an unhandled exception here stops the host.
                    delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, delay.Ticks * 2));
                }
            }
            // A failure signalled during the loop is already handled by it.
            while (publishing.Failed.CurrentCount > 0 && publishing.LastFailure is null)
            {
                await publishing.Failed.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Publishing + 5, Level = LogLevel.Warning, Message = "Publishing the provider zone again in {Seconds} s (last failure: {Reason})")]
    private static partial void LogRetrying(ILogger logger, double seconds, string reason);
}
