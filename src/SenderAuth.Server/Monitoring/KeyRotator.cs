using SenderAuth.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Check;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Server.Monitoring;

/// <summary>
/// Rotates between the two selectors without a failed signature: generate the next key on the idle selector →
/// publish → wait until DNS serves it through every domain's CNAME and the record's TTL has passed → switch
/// signing → keep the old key published for the retention → revoke it (empty p=) → idle. Each step is a row
/// update and may run again after a crash without harm; every step is audited and sent to webhooks.
/// </summary>
public sealed partial class KeyRotator(SenderAuthDb db, KeyStore keys, ZonePublishingService publishing, SigningService signing,
    Canary canary, IDnsResolver dns, IOptions<ProviderOptions> provider, IOptions<MonitorOptions> monitor, TimeProvider time, ServerMetrics metrics, ILogger<KeyRotator> logger)
{
    private readonly ProviderOptions _provider = provider.Value;
    private readonly MonitorOptions _monitor = monitor.Value;

    /// <summary>
    /// The rotation row for the domain's key pair of <paramref name="type"/>, created when the domain first signs
    /// with it. The Ed25519 pair has its own row (named by its first target) and runs the same steps on its own schedule.
    /// </summary>
    public async Task<KeyRotation> EnsureAsync(Institution institution, SenderDomain domain, CancellationToken ct, DkimKeyType type = DkimKeyType.Rsa)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var group = _provider.KeyTargets(institution.Code, domain.Name, type)[0].Target;
        var rotation = await db.Rotations.FirstOrDefaultAsync(r => r.GroupTarget == group, ct).ConfigureAwait(false);
        if (rotation is null)
        {
            rotation = new KeyRotation { InstitutionId = institution.Id, GroupTarget = group, Step = RotationStep.Idle, NextRotationAt = time.GetUtcNow().UtcDateTime + _monitor.RotationInterval };
            db.Rotations.Add(rotation);
        }
        return rotation;
    }

    /// <summary>The first selector's target of the domain's key pair: names its rotation.</summary>
    public string GroupTarget(string code, string domain) => Targets(code, domain)[0].Target;

    /// <summary>Takes every step that is due now; returns whether the rotation moved.</summary>
    public async Task<bool> AdvanceAsync(KeyRotation rotation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        // A soft-deleted institution (hidden by the query filter) rotates nothing until it is restored.
        var institution = await db.Institutions.FirstOrDefaultAsync(i => i.Id == rotation.InstitutionId, ct).ConfigureAwait(false);
        var members = institution is null ? [] : await MembersAsync(institution, rotation, ct).ConfigureAwait(false);
        if (institution is null || members.Count == 0)
        {
            return false;
        }
        var (targets, type) = Pair(institution.Code, members[0].Name, rotation);
        var moved = false;
        for (var steps = 0; steps < _monitor.MaxStepsPerPass; steps++)
        {
            var before = rotation.Step;
            switch (rotation.Step)
            {
                case RotationStep.Idle:
                    await StartAsync(institution, rotation, targets, type, ct).ConfigureAwait(false);
                    break;
                case RotationStep.Generated:
                    await PublishAsync(ct).ConfigureAwait(false);
                    await StepAsync(institution, rotation, RotationStep.Publishing, "published in the provider zone", ct).ConfigureAwait(false);
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                    break;
                case RotationStep.Publishing:
                    await SwitchWhenServedAsync(institution, rotation, targets, members, ct).ConfigureAwait(false);
                    break;
                case RotationStep.Retaining:
                    await RevokeOldAsync(institution, rotation, ct).ConfigureAwait(false);
                    break;
                case RotationStep.Blocked:
                    await ResumeWhenCanaryPassesAsync(institution, rotation, members, ct).ConfigureAwait(false);
                    break;
            }
            if (rotation.Step == before)
            {
                break;
            }
            moved = true;
            // After every step; the switch checks itself (a failure there goes back to the old key).
            if (before != RotationStep.Publishing && rotation.Step != RotationStep.Blocked)
            {
                await CanaryAsync(institution, rotation, members, null, null, ct).ConfigureAwait(false);
            }
        }
        return moved;
    }

    private async Task StartAsync(Institution institution, KeyRotation rotation, IReadOnlyList<(ProviderSelector Selector, string Target)> targets, DkimKeyType type, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (!rotation.Requested && rotation.NextRotationAt > now)
        {
            return;
        }
        var names = targets.Select(t => t.Target).ToList();
        var active = await db.Keys.FirstOrDefaultAsync(k => names.Contains(k.TargetName) && k.State == DkimKeyState.Active, ct).ConfigureAwait(false);
        if (active is null)
        {
            rotation.Requested = false;
            rotation.NextRotationAt = now + _monitor.RotationInterval;
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return;
        }
        var idle = targets.First(t => t.Target != active.TargetName);
        foreach (var standby in await db.Keys.Where(k => k.TargetName == idle.Target && k.State != DkimKeyState.Revoked).ToListAsync(ct).ConfigureAwait(false))
        {
            standby.State = DkimKeyState.Revoked;
            standby.RevokedAt = now;
        }
        var next = keys.Generate(institution.Id, idle.Selector.Name, idle.Target, type, _provider.RsaBits);
        db.Keys.Add(next);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        rotation.OldKeyId = active.Id;
        rotation.NewKeyId = next.Id;
        rotation.Requested = false;
        rotation.ServedAt = null;
        rotation.StepDueAt = null;
        rotation.BlockedReason = null;
        await StepAsync(institution, rotation, RotationStep.Generated, $"{(rotation.Emergency ? "emergency " : "")}rotation from {active.Selector} to {idle.Selector.Name}: {next.Algorithm.Token()}-{next.Bits} generated", ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    private async Task SwitchWhenServedAsync(Institution institution, KeyRotation rotation, IReadOnlyList<(ProviderSelector Selector, string Target)> targets,
        List<SenderDomain> members, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var next = await db.Keys.FirstAsync(k => k.Id == rotation.NewKeyId, ct).ConfigureAwait(false);
        var old = await db.Keys.FirstAsync(k => k.Id == rotation.OldKeyId, ct).ConfigureAwait(false);
        var selector = targets.First(t => t.Target == next.TargetName).Selector;
        var expected = KeyStore.TxtValue(next);
        // Domains that sign must see the new key before the switch; a domain that does not sign now (suspended,
        // disabled) cannot fail a signature, and its check confirms the CNAME again before it signs.
        foreach (var domain in members.Where(d => d.SigningEnabled && !d.SigningSuspended))
        {
            // As a receiver asks: the institution's selector name, answered through its CNAME.
            var answer = await dns.QueryAsync($"{selector.Name}._domainkey.{domain.Name}", DnsRecordType.Txt, ct).ConfigureAwait(false);
            if (!answer.Of<TxtRecord>().Any(t => t.Text == expected))
            {
                rotation.ServedAt = null;
                rotation.StepDueAt = null;
                rotation.BlockedReason = $"waiting: {selector.Name}._domainkey.{domain.Name} does not serve the new key yet ({answer.Status})";
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return;
            }
        }
        if (rotation.ServedAt is null)
        {
            rotation.ServedAt = now;
            // Resolvers may still hold the record that was at this name before (the revoked standby) for its TTL.
            rotation.StepDueAt = now + (rotation.Emergency ? TimeSpan.Zero : TimeSpan.FromSeconds(_provider.KeyTtl));
            rotation.BlockedReason = null;
            db.Record(time, "system", institution.Id, AuditActions.RotationServed, next.TargetName, $"served through the CNAMEs of the signing domains; switch at {rotation.StepDueAt:u}");
        }
        if (now < rotation.StepDueAt)
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return;
        }
        next.State = DkimKeyState.Active;
        next.PublishedAt ??= rotation.ServedAt;
        next.ActivatedAt = now;
        old.State = DkimKeyState.Retiring;
        // The interval runs from switch to switch: a slow rotation (DNS not serving yet) does not push all later ones.
        rotation.NextRotationAt = now + _monitor.RotationInterval;
        rotation.StepDueAt = now + (rotation.Emergency ? _monitor.EmergencyRetention : _monitor.Retention);
        await StepAsync(institution, rotation, RotationStep.Retaining, $"signing switched to {next.Selector}; {old.Selector} stays published until {rotation.StepDueAt:u}", ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        signing.Invalidate();
        await CanaryAsync(institution, rotation, members, old, next, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A rotation stopped by a canary starts again (from the beginning, which is safe at any step) once every signing
    /// domain's canary passes: e.g. the institution fixed its CNAME, or the domain stopped signing.
    /// </summary>
    private async Task ResumeWhenCanaryPassesAsync(Institution institution, KeyRotation rotation, List<SenderDomain> members, CancellationToken ct)
    {
        if (rotation.BlockedReason is not { } reason || !reason.StartsWith("canary", StringComparison.Ordinal))
        {
            return;
        }
        foreach (var domain in members.Where(d => d.SigningEnabled && !d.SigningSuspended))
        {
            if (await canary.FailureAsync(domain.Name, Pair(institution.Code, domain.Name, rotation).Type, ct).ConfigureAwait(false) is not null)
            {
                return;
            }
        }
        rotation.Requested = true;
        rotation.BlockedReason = null;
        await StepAsync(institution, rotation, RotationStep.Idle, $"resumed: the canary passes again (it had stopped: {reason})", ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A failed canary stops the rotation and degrades the domain; right after the switch (old and next given) it
    /// also goes back to the old key, which is still published.
    /// </summary>
    private async Task CanaryAsync(Institution institution, KeyRotation rotation, List<SenderDomain> members, DkimKey? old, DkimKey? next, CancellationToken ct)
    {
        foreach (var domain in members.Where(d => d.SigningEnabled && !d.SigningSuspended))
        {
            // Only this pair's signature: the other pair rotates on its own (Canary.FailureAsync).
            if (await canary.FailureAsync(domain.Name, Pair(institution.Code, domain.Name, rotation).Type, ct).ConfigureAwait(false) is not { } failure)
            {
                continue;
            }
            var now = time.GetUtcNow().UtcDateTime;
            if (old is not null && next is not null)
            {
                next.State = DkimKeyState.Published;
                old.State = DkimKeyState.Active;
            }
            rotation.BlockedReason = failure;
            await StepAsync(institution, rotation, RotationStep.Blocked,
                old is null ? $"stopped: {failure}" : $"stopped, signing back on {old.Selector}: {failure}", ct).ConfigureAwait(false);
            if (domain.State == DomainState.Verified)
            {
                db.Transitions.Add(new DomainTransition { DomainId = domain.Id, At = now, From = domain.State, To = DomainState.Degraded, Reason = failure });
                metrics.StateChanged("degraded");
                domain.State = DomainState.Degraded;
                domain.DegradedSince = now;
                domain.StateReason = failure;
            }
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            signing.Invalidate();
            LogCanaryFailed(logger, domain.Name, failure);
            return;
        }
    }

    private async Task RevokeOldAsync(Institution institution, KeyRotation rotation, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (now < rotation.StepDueAt)
        {
            return;
        }
        var old = await db.Keys.FirstAsync(k => k.Id == rotation.OldKeyId, ct).ConfigureAwait(false);
        old.State = DkimKeyState.Revoked;
        old.RevokedAt = now;
        rotation.LastRotatedAt = now;
        rotation.Emergency = false;
        rotation.StepDueAt = null;
        await StepAsync(institution, rotation, RotationStep.Idle, $"{old.Selector} revoked (empty p=); next rotation {rotation.NextRotationAt:u}", ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await PublishAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes the zone, then reloads the keys and domains this session holds: publishing confirms new keys
    /// (Created → Published) and flags domains in its own session, and a later step of the same pass (the switch,
    /// with no TTL wait in an emergency) would otherwise save the stale copy and fail as a concurrency conflict.
    /// Called only with nothing unsaved, so a reload loses no change of ours.
    /// </summary>
    private async Task PublishAsync(CancellationToken ct)
    {
        await publishing.PublishAsync(ct).ConfigureAwait(false);
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity is DkimKey or SenderDomain && e.State == EntityState.Unchanged).ToList())
        {
            await entry.ReloadAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Moves to a step: the audit entry and the webhook event join the step's unit of work.</summary>
    private async Task StepAsync(Institution institution, KeyRotation rotation, RotationStep step, string detail, CancellationToken ct)
    {
        rotation.Step = step;
        var evt = RotationEvent(step);
        metrics.RotationStep(SenderAuthJson.Token(step));
        db.Record(time, "system", institution.Id, SenderAuthJson.Token(evt), rotation.GroupTarget, detail);
        await WebhookOutbox.EnqueueAsync(db, institution.Id,
            new ServerEvent(evt, institution.Code, null, time.GetUtcNow().UtcDateTime, detail, new RotationDetails(rotation.GroupTarget)), ct).ConfigureAwait(false);
    }

    /// <summary>The event of reaching a step (<c>rotation.</c> and the step's token, as audit and webhooks have always named it).</summary>
    internal static ServerEventType RotationEvent(RotationStep step) => step switch
    {
        RotationStep.Idle => ServerEventType.RotationIdle,
        RotationStep.Generated => ServerEventType.RotationGenerated,
        RotationStep.Publishing => ServerEventType.RotationPublishing,
        RotationStep.Retaining => ServerEventType.RotationRetaining,
        RotationStep.Blocked => ServerEventType.RotationBlocked,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "not a rotation step"),
    };

    /// <summary>
    /// The domains whose selectors point at this pair of targets: the RSA pair of every domain, the Ed25519 pair of
    /// the domains that sign with Ed25519 too (delegation verified: a pending domain's missing CNAMEs do not hold it up).
    /// </summary>
    private async Task<List<SenderDomain>> MembersAsync(Institution institution, KeyRotation rotation, CancellationToken ct)
    {
        var domains = await db.Domains.Where(d => d.InstitutionId == institution.Id).ToListAsync(ct).ConfigureAwait(false);
        return domains.Where(d => Targets(institution.Code, d.Name)[0].Target == rotation.GroupTarget
            || (d.Ed25519Enabled && d.Ed25519DelegatedAt is not null && _provider.Ed25519KeyTargets(institution.Code, d.Name) is [var first, ..] && first.Target == rotation.GroupTarget)).ToList();
    }

    /// <summary>The pair this rotation rotates (named by its first target) and the type of its keys.</summary>
    private ((ProviderSelector Selector, string Target)[] Targets, DkimKeyType Type) Pair(string code, string domain, KeyRotation rotation)
    {
        var ed25519 = _provider.Ed25519KeyTargets(code, domain);
        return ed25519.Count > 0 && ed25519[0].Target == rotation.GroupTarget ? ([.. ed25519], DkimKeyType.Ed25519) : ([.. Targets(code, domain)], DkimKeyType.Rsa);
    }

    private IReadOnlyList<(ProviderSelector Selector, string Target)> Targets(string code, string domain) => _provider.KeyTargets(code, domain);

    [LoggerMessage(EventId = LogEvents.Monitoring + 1, Level = LogLevel.Warning, Message = "Rotation stopped: {Failure} (domain {Domain})")]
    private static partial void LogCanaryFailed(ILogger logger, string domain, string failure);
}
