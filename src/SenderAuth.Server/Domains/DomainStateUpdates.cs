using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Json;

namespace SenderAuth.Server.Domains;

/// <summary>
/// Applies a check's verdict to a domain: the state, the transition with its findings, signing suspended or restored,
/// the webhook event, and after a change of a signing domain a canary that can degrade it and stop its rotation.
/// Everything joins the caller's unit of work.
/// </summary>
public sealed class DomainStateUpdates(SenderAuthDb db, KeyRotator rotator, Canary canary, IOptions<MonitorOptions> monitor, TimeProvider time, ServerMetrics metrics)
{
    public async Task ApplyAsync(Institution institution, SenderDomain domain, CheckVerdict verdict, string findingsJson, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(verdict);
        domain.IncompleteChecks = verdict.State == domain.State && verdict.Reason.StartsWith("could not check", StringComparison.Ordinal) ? domain.IncompleteChecks + 1 : 0;
        domain.StateReason = verdict.Reason;
        domain.NextCheckAt = now + verdict.NextCheckIn;
        if (verdict.State != domain.State)
        {
            db.Transitions.Add(new DomainTransition { DomainId = domain.Id, At = now, From = domain.State, To = verdict.State, Reason = verdict.Reason, FindingsJson = findingsJson });
            metrics.StateChanged(SenderAuthJson.Token(verdict.State));
            db.Record(time, "system", institution.Id, "domain.state", domain.Name, $"{domain.State} -> {verdict.State}: {verdict.Reason}");
            domain.DegradedSince = verdict.State == DomainState.Degraded ? now : verdict.State == DomainState.Failed ? domain.DegradedSince : null;
            domain.State = verdict.State;
        }
        if (verdict.SuspendSigning && !domain.SigningSuspended)
        {
            domain.SigningSuspended = true;
            db.Record(time, "system", institution.Id, "signing.suspend", domain.Name, verdict.Reason);
        }
        if (verdict.RestoreSigning)
        {
            domain.SigningSuspended = false;
            db.Record(time, "system", institution.Id, "signing.restore", domain.Name, "the domain verifies again");
        }
        if (verdict.Event is { } evt)
        {
            if (evt is ServerEventType.DomainDegraded or ServerEventType.DomainDegradedReminder)
            {
                domain.LastReminderAt = now;
            }
            await WebhookOutbox.EnqueueAsync(db, institution.Id, new ServerEvent(evt, institution.Code, domain.Name, now, verdict.Reason,
                new DomainStateDetails(domain.State, domain.SigningEnabled, domain.SigningSuspended)), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After a state change of a signing domain, a canary verified over DNS. A failure raises the state (a verified
    /// domain is degraded with the reason) and stops a rotation of its keys that has not switched yet; the rotator
    /// resumes it once the canaries pass again.
    /// </summary>
    public async Task CanaryAsync(Institution institution, SenderDomain domain, string findingsJson, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        if (await canary.FailureAsync(domain.Name, ct).ConfigureAwait(false) is not { } failure)
        {
            return;
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (domain.State == DomainState.Verified)
        {
            var m = monitor.Value;
            var verdict = new CheckVerdict(DomainState.Degraded, ServerEventType.DomainDegraded, failure, false, false, m.Jittered(m.DegradedInterval));
            await ApplyAsync(institution, domain, verdict, findingsJson, now, ct).ConfigureAwait(false);
        }
        var group = rotator.GroupTarget(institution.Code, domain.Name);
        if (await db.Rotations.FirstOrDefaultAsync(r => r.GroupTarget == group, ct).ConfigureAwait(false) is { Step: RotationStep.Generated or RotationStep.Publishing } rotation)
        {
            rotation.Step = RotationStep.Blocked;
            rotation.BlockedReason = failure;
            db.Record(time, "system", institution.Id, "rotation.blocked", group, $"stopped: {failure}");
            metrics.RotationStep("blocked");
            await WebhookOutbox.EnqueueAsync(db, institution.Id, new ServerEvent(ServerEventType.RotationBlocked, institution.Code, domain.Name, now, failure, new RotationDetails(group)), ct).ConfigureAwait(false);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }
}
