using SenderAuth.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Check;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Onboarding;

namespace SenderAuth.Server.Domains;

/// <summary>
/// The operations on sender domains: create (records, keys, publish), check, enable or disable signing, import a
/// key, delete. Each change and its audit entry commit together, then the provider zone is republished.
/// </summary>
public sealed class DomainService(SenderAuthDb db, KeyStore keys, ZonePublishingService publishing, SigningService signing,
    IDnsResolver dns, IOptions<ServerOptions> options, TimeProvider time, ServerMetrics metrics, KeyRotator rotator, Canary canary, DnssecSetting dnssec)
{
    private readonly ProviderOptions _provider = options.Value.Provider;
    private readonly MonitorOptions _monitor = options.Value.Monitoring;
    private readonly RetentionOptions _retention = options.Value.Retention;

    public async Task<Result<(SenderDomain Domain, PublishPlan Records)>> CreateAsync(Institution institution, Caller caller, string input, bool customMailFrom, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        if (!NameRules.TryDomain(input, out var name, out var error))
        {
            return new ServiceError.Invalid(error, "name");
        }
        if (DnsName.IsSubdomainOf(name, _provider.Zone))
        {
            return new ServiceError.Invalid($"{name} is inside the provider zone {_provider.Zone}: institutions send from their own domains", "name");
        }
        if (await db.Domains.AnyAsync(d => d.Name == name, ct).ConfigureAwait(false))
        {
            return new ServiceError.Conflict($"{name} is already registered", "name");
        }
        var now = time.GetUtcNow().UtcDateTime;
        var domain = new SenderDomain { InstitutionId = institution.Id, Name = name, CustomMailFrom = customMailFrom, CreatedAt = now, State = DomainState.Pending, NextCheckAt = now };
        db.Domains.Add(domain);
        foreach (var selector in _provider.Selectors)
        {
            var target = Target(selector, institution.Code, name);
            var hasKey = db.Keys.Local.Any(k => k.TargetName == target && k.State != DkimKeyState.Revoked)
                || await db.Keys.AnyAsync(k => k.TargetName == target && k.State != DkimKeyState.Revoked, ct).ConfigureAwait(false);
            if (!hasKey)
            {
                db.Keys.Add(keys.Generate(institution.Id, selector.Name, target, DkimKeyType.Rsa, _provider.RsaBits));
                db.Record(time, caller, institution.Id, "key.generate", target, $"rsa-{_provider.RsaBits} for selector {selector.Name}");
            }
        }
        db.Record(time, caller, institution.Id, "domain.create", name, customMailFrom ? "custom MAIL FROM" : null);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another request registered the same name between the test above and this commit.
            return new ServiceError.Conflict($"{name} is already registered", "name");
        }
        await publishing.PublishAsync(ct).ConfigureAwait(false);
        var records = await RecordsAsync(institution, domain, ct).ConfigureAwait(false);
        return (domain, records);
    }

    /// <summary>Computes the records to publish (the SPF merge reads DNS) and stores them with the domain when they changed.</summary>
    public async Task<PublishPlan> RecordsAsync(Institution institution, SenderDomain domain, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var records = await PublishPlan.DecideAsync(dns, domain.Name, institution.Code, _provider.Profile(domain.CustomMailFrom), ct).ConfigureAwait(false);
        var json = JsonSerializer.Serialize(records.Records, SenderAuthJson.Options);
        if (json != domain.ExpectedRecordsJson)
        {
            domain.ExpectedRecordsJson = json;
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException)
            {
                // The scheduler changed the row meanwhile; the records are stored on the next read.
            }
        }
        return records;
    }

    /// <summary>
    /// Runs the engine's domain check now, stores it, and applies the state machine: the state, the transition
    /// with its findings, the events for webhooks and the next check time commit together.
    /// </summary>
    public async Task<(CheckRun Run, DomainCheckReport Report)> CheckAsync(Institution institution, SenderDomain domain, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var report = await new DomainChecker(dns) { Dnssec = dnssec.Probe }.CheckAsync(domain.Name, _provider.Profile(domain.CustomMailFrom), institution.Code, ct).ConfigureAwait(false);
        report = await ExpectIdleRevocationAsync(institution, domain, report, ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        var dkimOk = report.Verdict(CheckArea.Dkim) is "ok" or "warning";
        var findingsJson = JsonSerializer.Serialize(report.Findings, SenderAuthJson.Options);
        var run = new CheckRun
        {
            DomainId = domain.Id,
            At = now,
            Passed = !report.HasErrors && !report.DnsIncomplete,
            DkimDelegated = dkimOk,
            Incomplete = report.DnsIncomplete,
            FindingsJson = findingsJson,
        };
        db.CheckRuns.Add(run);
        domain.LastCheckedAt = now;
        var firstError = report.Findings.FirstOrDefault(f => f.Severity == FindingSeverity.Error && f.Temporary == run.Incomplete)?.Advice;
        var verdict = new DomainStateMachine(_monitor).Next(domain, run.Passed, run.Incomplete, firstError, now);
        var stateChanged = verdict.State != domain.State;
        await ApplyAsync(institution, domain, verdict, findingsJson, now, ct).ConfigureAwait(false);
        if (dkimOk)
        {
            await ConfirmKeysThroughCnameAsync(institution, domain, ct).ConfigureAwait(false);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (verdict.SuspendSigning || verdict.RestoreSigning)
        {
            signing.Invalidate();
        }
        if (stateChanged && domain.SigningEnabled && !domain.SigningSuspended)
        {
            await CanaryAsync(institution, domain, findingsJson, ct).ConfigureAwait(false);
        }
        metrics.Checked(run.Passed ? "passed" : run.Incomplete ? "incomplete" : "failed");
        return (run, report);
    }

    /// <summary>
    /// Between rotations the idle selector serves the revoked old key (empty p=) by design; the engine's check,
    /// which does not know which selector is idle, calls that an error. Here it is information, as long as the
    /// other selector signs with a live key.
    /// </summary>
    private async Task<DomainCheckReport> ExpectIdleRevocationAsync(Institution institution, SenderDomain domain, DomainCheckReport report, CancellationToken ct)
    {
        if (!report.Findings.Any(f => f.Code == "dkim-key-revoked"))
        {
            return report;
        }
        var targets = _provider.KeyTargets(institution.Code, domain.Name).Select(t => t.Target).ToList();
        var keys = await db.Keys.AsNoTracking().Where(k => targets.Contains(k.TargetName)).ToListAsync(ct).ConfigureAwait(false);
        var revokedIdle = keys.GroupBy(k => k.TargetName)
            .Where(g => g.OrderByDescending(k => k.Id).First().State == DkimKeyState.Revoked)
            .Select(g => g.Key).ToHashSet();
        if (!keys.Any(k => k.State == DkimKeyState.Active))
        {
            return report;
        }
        var findings = report.Findings.Select(f => f.Code == "dkim-key-revoked" && f.Name is { } n && revokedIdle.Contains(n)
            ? f with { Severity = FindingSeverity.Info, Code = "dkim-idle-key-revoked", Advice = $"{f.Name}: the previous key, revoked after the last rotation as planned; the next rotation publishes a new one here" }
            : f).ToList();
        return report with { Findings = findings };
    }

    /// <summary>
    /// After a state change of a signing domain, a canary verified over DNS. A failure raises the state (a verified
    /// domain is degraded with the reason) and stops a rotation of its keys that has not switched yet; the rotator
    /// resumes it once the canaries pass again.
    /// </summary>
    private async Task CanaryAsync(Institution institution, SenderDomain domain, string findingsJson, CancellationToken ct)
    {
        if (await canary.FailureAsync(domain.Name, ct).ConfigureAwait(false) is not { } failure)
        {
            return;
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (domain.State == DomainState.Verified)
        {
            var verdict = new CheckVerdict(DomainState.Degraded, "domain.degraded", failure, false, false, _monitor.Jittered(_monitor.DegradedInterval));
            await ApplyAsync(institution, domain, verdict, findingsJson, now, ct).ConfigureAwait(false);
        }
        var group = rotator.GroupTarget(institution.Code, domain.Name);
        if (await db.Rotations.FirstOrDefaultAsync(r => r.GroupTarget == group, ct).ConfigureAwait(false) is { Step: RotationStep.Generated or RotationStep.Publishing } rotation)
        {
            rotation.Step = RotationStep.Blocked;
            rotation.BlockedReason = failure;
            db.Record(time, "system", institution.Id, "rotation.blocked", group, $"stopped: {failure}");
            await WebhookOutbox.EnqueueAsync(db, institution.Id, new ServerEvent("rotation.blocked", institution.Code, domain.Name, now, failure, new { group }), ct).ConfigureAwait(false);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    private async Task ApplyAsync(Institution institution, SenderDomain domain, CheckVerdict verdict, string findingsJson, DateTime now, CancellationToken ct)
    {
        domain.IncompleteChecks = verdict.State == domain.State && verdict.Reason.StartsWith("could not check", StringComparison.Ordinal) ? domain.IncompleteChecks + 1 : 0;
        domain.StateReason = verdict.Reason;
        domain.NextCheckAt = now + verdict.NextCheckIn;
        if (verdict.State != domain.State)
        {
            db.Transitions.Add(new DomainTransition { DomainId = domain.Id, At = now, From = domain.State, To = verdict.State, Reason = verdict.Reason, FindingsJson = findingsJson });
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
            if (evt.StartsWith("domain.degraded", StringComparison.Ordinal))
            {
                domain.LastReminderAt = now;
            }
            await WebhookOutbox.EnqueueAsync(db, institution.Id, new ServerEvent(evt, institution.Code, domain.Name, now, verdict.Reason,
                new { state = domain.State, signingEnabled = domain.SigningEnabled, signingSuspended = domain.SigningSuspended }), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After a check that found the delegation right, a key that DNS (the server's resolvers) serves at its target
    /// is Published, even when the publisher has no server of its own to ask (zone-file mode).
    /// </summary>
    private async Task ConfirmKeysThroughCnameAsync(Institution institution, SenderDomain domain, CancellationToken ct)
    {
        foreach (var selector in _provider.Selectors)
        {
            var target = Target(selector, institution.Code, domain.Name);
            var key = await db.Keys.FirstOrDefaultAsync(k => k.TargetName == target && k.State == DkimKeyState.Created, ct).ConfigureAwait(false);
            if (key is not null && await ZonePublishingService.ServedAsync(dns, key, ct).ConfigureAwait(false))
            {
                key.State = DkimKeyState.Published;
                key.PublishedAt = time.GetUtcNow().UtcDateTime;
                db.Record(time, "system", institution.Id, "key.published", target, $"served through {selector.Name}._domainkey.{domain.Name}");
            }
        }
    }

    /// <summary>
    /// Enabling needs a check, now, that finds the DKIM delegation correct; otherwise signing stays off and the
    /// answer is <see cref="ServiceError.SigningBlocked"/> with the failing findings. The value is whether signing is on.
    /// </summary>
    public async Task<Result<bool>> SetSigningAsync(Institution institution, SenderDomain domain, Caller caller, bool enable, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        if (!enable)
        {
            if (domain.SigningEnabled)
            {
                domain.SigningEnabled = false;
                domain.SigningChangedAt = time.GetUtcNow().UtcDateTime;
                db.Record(time, caller, institution.Id, "signing.disable", domain.Name);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                signing.Invalidate();
            }
            return false;
        }
        var (run, report) = await CheckAsync(institution, domain, ct).ConfigureAwait(false);
        var blocking = report.Findings.Where(f => f.Area == CheckArea.Dkim && f.Severity == FindingSeverity.Error).ToList();
        if (!run.DkimDelegated)
        {
            // "Could not check" (a timeout anywhere in the check) blocks too: the delegation was not seen.
            var findings = blocking.Count > 0 ? blocking : report.Findings.Where(f => f.Temporary).ToList();
            return new ServiceError.SigningBlocked($"signing stays off for {domain.Name}: {string.Join("; ", findings.Select(b => b.Advice))}", findings);
        }
        var targets = _provider.KeyTargets(institution.Code, domain.Name).Select(t => t.Target).ToList();
        var live = await db.Keys.Where(k => targets.Contains(k.TargetName) && k.State != DkimKeyState.Revoked).ToListAsync(ct).ConfigureAwait(false);
        if (!live.Any(k => k.State == DkimKeyState.Active))
        {
            // The first selector signs first, the second waits for the first rotation. The key activated is the
            // one DNS serves at its target now, compared value for value: never one merely marked Published.
            DkimKey? first = null;
            foreach (var key in live.Where(k => k.State == DkimKeyState.Published).OrderBy(k => targets.IndexOf(k.TargetName)).ThenByDescending(k => k.Id))
            {
                if (await ZonePublishingService.ServedAsync(dns, key, ct).ConfigureAwait(false))
                {
                    first = key;
                    break;
                }
            }
            if (first is null)
            {
                return new ServiceError.Conflict("no key of this domain is served by DNS at its target yet; publish the provider zone and check again");
            }
            first.State = DkimKeyState.Active;
            first.ActivatedAt = time.GetUtcNow().UtcDateTime;
            db.Record(time, caller, institution.Id, "key.activate", first.TargetName, $"selector {first.Selector}");
        }
        await rotator.EnsureAsync(institution, domain, ct).ConfigureAwait(false);
        if (!domain.SigningEnabled)
        {
            domain.SigningEnabled = true;
            domain.SigningChangedAt = time.GetUtcNow().UtcDateTime;
            db.Record(time, caller, institution.Id, "signing.enable", domain.Name);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        signing.Invalidate();
        return true;
    }

    /// <summary>Bring-your-own key for a selector that is not signing; it replaces the key there once served.</summary>
    public async Task<Result<DkimKey>> ImportKeyAsync(Institution institution, SenderDomain domain, Caller caller, string selectorName, string pem, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var selector = _provider.Selectors.FirstOrDefault(s => s.Name.Equals(selectorName, StringComparison.OrdinalIgnoreCase));
        if (selector is null)
        {
            return new ServiceError.Invalid($"unknown selector \"{selectorName}\": use {string.Join(" or ", _provider.Selectors.Select(s => s.Name))}", "selector");
        }
        var target = Target(selector, institution.Code, domain.Name);
        var current = await db.Keys.Where(k => k.TargetName == target && k.State != DkimKeyState.Revoked).ToListAsync(ct).ConfigureAwait(false);
        if (current.Any(k => k.State == DkimKeyState.Active))
        {
            return new ServiceError.Conflict($"selector {selector.Name} is signing: import into the other selector, then rotate", "selector");
        }
        DkimKey key;
        try
        {
            key = keys.Import(institution.Id, selector.Name, target, pem);
        }
        catch (FormatException e)
        {
            return new ServiceError.Invalid(e.Message, "pem");
        }
        foreach (var old in current)
        {
            old.State = DkimKeyState.Revoked;
            old.RevokedAt = time.GetUtcNow().UtcDateTime;
        }
        db.Keys.Add(key);
        db.Record(time, caller, institution.Id, "key.import", target, $"{key.Algorithm}-{key.Bits} for selector {selector.Name}; replaces {current.Count} key(s)");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await publishing.PublishAsync(ct).ConfigureAwait(false);
        return key;
    }

    /// <summary>Deletes the domain; keys no other domain of the institution uses are revoked (empty p= published).</summary>
    /// <summary>
    /// Soft delete: the domain disappears from every query at once (signing, the milter, reports, the monitor; the
    /// query filter), its keys that no other domain uses are revoked (published with an empty p=, RFC 6376 §3.6.1)
    /// and its report-authorisation record leaves the provider zone. The rest (reports, checks, history) stays until
    /// the retention ends (<see cref="DeletionPurger"/>), and <see cref="RestoreAsync"/> brings it back until then.
    /// </summary>
    public async Task DeleteAsync(Institution institution, SenderDomain domain, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var now = time.GetUtcNow().UtcDateTime;
        await RevokeUnusedKeysAsync(institution, domain, $"domain {domain.Name} deleted", caller, now, ct).ConfigureAwait(false);
        domain.DeletedAt = now;
        domain.SigningEnabled = false;
        domain.SigningChangedAt = now;
        domain.NextCheckAt = null;
        db.Record(time, caller, institution.Id, "domain.delete", domain.Name, $"restorable until {now + _retention.Deleted:u}; keys revoked and unpublished");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        signing.Invalidate();
        await publishing.PublishAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Revokes the domain's keys that no other live domain of the institution signs with (shared targets stay).</summary>
    private async Task RevokeUnusedKeysAsync(Institution institution, SenderDomain domain, string why, Caller caller, DateTime now, CancellationToken ct)
    {
        var others = await db.Domains.Where(d => d.InstitutionId == institution.Id && d.Id != domain.Id).Select(d => d.Name).ToListAsync(ct).ConfigureAwait(false);
        var stillUsed = others.SelectMany(o => _provider.KeyTargets(institution.Code, o).Select(t => t.Target)).ToHashSet();
        foreach (var selector in _provider.Selectors)
        {
            var target = Target(selector, institution.Code, domain.Name);
            if (stillUsed.Contains(target))
            {
                continue;
            }
            foreach (var key in await db.Keys.Where(k => k.TargetName == target && k.State != DkimKeyState.Revoked).ToListAsync(ct).ConfigureAwait(false))
            {
                key.State = DkimKeyState.Revoked;
                key.RevokedAt = now;
                db.Record(time, caller, institution.Id, "key.revoke", target, why);
            }
        }
    }

    /// <summary>
    /// Brings a soft-deleted domain back within the retention: it starts over as pending with signing off, and gets
    /// fresh keys where its old ones were revoked (a revoked key is never used again). The value is the domain.
    /// </summary>
    public async Task<Result<SenderDomain>> RestoreAsync(Institution institution, Caller caller, string input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        if (!NameRules.TryDomain(input, out var name, out var error))
        {
            return new ServiceError.Invalid(error, "domain");
        }
        var domain = await db.Domains.IgnoreQueryFilters()
            .FirstOrDefaultAsync(d => d.InstitutionId == institution.Id && d.Name == name && d.DeletedAt != null, ct).ConfigureAwait(false);
        if (domain is null)
        {
            return new ServiceError.NotFound($"no deleted domain \"{name}\" in institution \"{institution.Code}\" (restorable for {_retention.Deleted.TotalDays:0} days after deletion)");
        }
        var now = time.GetUtcNow().UtcDateTime;
        domain.DeletedAt = null;
        domain.State = DomainState.Pending;
        domain.StateReason = "restored: waiting for its records to check again";
        domain.NextCheckAt = now;
        domain.SigningSuspended = false;
        domain.DegradedSince = null;
        GenerateMissingKeys(institution, name, caller, await LiveTargetsAsync(ct).ConfigureAwait(false));
        db.Record(time, caller, institution.Id, "domain.restore", name, "pending again; turn signing on once its keys are served");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await publishing.PublishAsync(ct).ConfigureAwait(false);
        return domain;
    }

    /// <summary>The key targets that hold a key that is not revoked (the ones a restore need not regenerate).</summary>
    internal async Task<HashSet<string>> LiveTargetsAsync(CancellationToken ct) =>
        (await db.Keys.Where(k => k.State != DkimKeyState.Revoked).Select(k => k.TargetName).Distinct().ToListAsync(ct).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);

    /// <summary>A new key at each of the domain's targets that has no live key (added to this unit of work, with their audit entries).</summary>
    internal void GenerateMissingKeys(Institution institution, string domain, Caller caller, HashSet<string> live)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(live);
        foreach (var selector in _provider.Selectors)
        {
            var target = Target(selector, institution.Code, domain);
            if (live.Add(target))
            {
                db.Keys.Add(keys.Generate(institution.Id, selector.Name, target, DkimKeyType.Rsa, _provider.RsaBits));
                db.Record(time, caller, institution.Id, "key.generate", target, $"rsa-{_provider.RsaBits} for selector {selector.Name}");
            }
        }
    }

    private string Target(ProviderSelector selector, string code, string domain) => _provider.KeyTargets(code, domain).First(t => t.Selector == selector).Target;
}
