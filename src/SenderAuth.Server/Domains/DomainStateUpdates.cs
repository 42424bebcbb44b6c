using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dkim;
using SenderAuth.Json;

namespace SenderAuth.Server.Domains;

/// <summary>
/// Applies a check's verdict to a domain: the state, the transition with its findings, signing suspended or restored,
/// the webhook event, and after a change of a signing domain a canary that can degrade it and stop its rotation.
/// Everything joins the caller's unit of work.
/// </summary>
public sealed class DomainStateUpdates(SenderAuthDb db, KeyRotator rotator, Canary canary, IOptions<MonitorOptions> monitor, IOptions<ProviderOptions> provider, TimeProvider time, ServerMetrics metrics)
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
            db.Record(time, "system", institution.Id, AuditActions.DomainState, domain.Name, $"{domain.State} -> {verdict.State}: {verdict.Reason}");
            domain.DegradedSince = verdict.State == DomainState.Degraded ? now : verdict.State == DomainState.Failed ? domain.DegradedSince : null;
            domain.State = verdict.State;
        }
        if (verdict.SuspendSigning && !domain.SigningSuspended)
        {
            domain.SigningSuspended = true;
            db.Record(time, "system", institution.Id, AuditActions.SigningSuspend, domain.Name, verdict.Reason);
        }
        if (verdict.RestoreSigning)
        {
            domain.SigningSuspended = false;
            db.Record(time, "system", institution.Id, AuditActions.SigningRestore, domain.Name, "the domain verifies again");
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
    /// After a state change of a signing domain, a canary verified over DNS, judged per key pair. An RSA failure
    /// raises the state (a verified domain is degraded with the reason) and stops a rotation of the RSA pair that has
    /// not switched yet; an Ed25519 failure stops only the Ed25519 pair's rotation and never degrades the domain (the
    /// second signature must not cost it its RSA signing). The rotator resumes a stopped rotation once its canary passes.
    /// </summary>
    public async Task CanaryAsync(Institution institution, SenderDomain domain, string findingsJson, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var now = time.GetUtcNow().UtcDateTime;
        if (await canary.FailureAsync(domain.Name, DkimKeyType.Rsa, ct).ConfigureAwait(false) is { } failure)
        {
            if (domain.State == DomainState.Verified)
            {
                var m = monitor.Value;
                var verdict = new CheckVerdict(DomainState.Degraded, ServerEventType.DomainDegraded, failure, false, false, m.Jittered(m.DegradedInterval));
                await ApplyAsync(institution, domain, verdict, findingsJson, now, ct).ConfigureAwait(false);
            }
            await BlockRotationAsync(institution, domain, rotator.GroupTarget(institution.Code, domain.Name), failure, now, ct).ConfigureAwait(false);
        }
        if (domain.Ed25519Enabled && provider.Value.Ed25519KeyTargets(institution.Code, domain.Name) is [var first, ..]
            && await canary.FailureAsync(domain.Name, DkimKeyType.Ed25519, ct).ConfigureAwait(false) is { } edFailure)
        {
            await BlockRotationAsync(institution, domain, first.Target, edFailure, now, ct).ConfigureAwait(false);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Stops the rotation of the pair named by <paramref name="group"/> when it has not switched yet.</summary>
    private async Task BlockRotationAsync(Institution institution, SenderDomain domain, string group, string failure, DateTime now, CancellationToken ct)
    {
        if (await db.Rotations.FirstOrDefaultAsync(r => r.GroupTarget == group, ct).ConfigureAwait(false) is { Step: RotationStep.Generated or RotationStep.Publishing } rotation)
        {
            rotation.Step = RotationStep.Blocked;
            rotation.BlockedReason = failure;
            db.Record(time, "system", institution.Id, AuditActions.RotationBlocked, group, $"stopped: {failure}");
            metrics.RotationStep("blocked");
            await WebhookOutbox.EnqueueAsync(db, institution.Id, new ServerEvent(ServerEventType.RotationBlocked, institution.Code, domain.Name, now, failure, new RotationDetails(group)), ct).ConfigureAwait(false);
        }
    }
}
