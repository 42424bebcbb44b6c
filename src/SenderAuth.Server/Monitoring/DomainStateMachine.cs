
namespace SenderAuth.Server.Monitoring;

/// <summary>What one check does to a domain: its next state, the event to send, and when to check again.</summary>
public sealed record CheckVerdict(DomainState State, ServerEventType? Event, string Reason, bool SuspendSigning, bool RestoreSigning, TimeSpan NextCheckIn);

/// <summary>
/// Pending → Verified → Degraded → Failed, driven by the findings. Pure logic (no I/O): the rules are tested
/// on their own, and DomainStateUpdates applies the verdict with the transition row and events in one unit of work.
/// A check that could not finish never changes a state: it is retried soon and shown as "could not check".
/// </summary>
public sealed class DomainStateMachine(MonitorOptions options)
{
    public CheckVerdict Next(SenderDomain domain, bool passed, bool incomplete, string? firstError, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (incomplete)
        {
            return new CheckVerdict(domain.State, null, $"could not check: {firstError ?? "DNS did not answer"}", false, false, options.IncompleteRetry);
        }
        if (passed)
        {
            var evt = domain.State switch
            {
                DomainState.Pending => ServerEventType.DomainVerified,
                DomainState.Verified => (ServerEventType?)null,
                _ => ServerEventType.DomainRecovered,
            };
            return new CheckVerdict(DomainState.Verified, evt, "all checks pass", false, domain.SigningSuspended, options.Jittered(options.VerifiedInterval));
        }
        var reason = firstError ?? "a check failed";
        switch (domain.State)
        {
            case DomainState.Pending when now - domain.CreatedAt >= options.PendingWindow:
                return new CheckVerdict(DomainState.Failed, ServerEventType.DomainFailed,
                    $"not verified within {options.PendingWindow.TotalHours:0} hours of its creation: {reason}", false, false, options.Jittered(options.FailedInterval));
            case DomainState.Pending:
                return new CheckVerdict(DomainState.Pending, null, reason, false, false, options.Jittered(options.PendingInterval));
            case DomainState.Verified:
                return new CheckVerdict(DomainState.Degraded, ServerEventType.DomainDegraded,
                    $"{reason} (signing continues for the grace period of {options.GracePeriod.TotalDays:0.#} days)", false, false, options.Jittered(options.DegradedInterval));
            case DomainState.Degraded when now - (domain.DegradedSince ?? now) >= options.GracePeriod:
                return new CheckVerdict(DomainState.Failed, ServerEventType.DomainFailed,
                    $"degraded for {options.GracePeriod.TotalDays:0.#} days: signing is suspended and the institution's policy applies to its mail: {reason}",
                    domain.SigningEnabled, false, options.Jittered(options.FailedInterval));
            case DomainState.Degraded:
                var remind = domain.LastReminderAt is not { } last || now - last >= options.ReminderInterval;
                return new CheckVerdict(DomainState.Degraded, remind ? ServerEventType.DomainDegradedReminder : null, reason, false, false, options.Jittered(options.DegradedInterval));
            default:
                return new CheckVerdict(DomainState.Failed, null, reason, false, false, options.Jittered(options.FailedInterval));
        }
    }
}
