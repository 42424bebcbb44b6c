using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Check;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Onboarding;
using SenderAuth.Json;

namespace SenderAuth.Server.Domains;

/// <summary>
/// The operations on sender domains: create (records, keys, publish), check, enable or disable signing, import a
/// key, delete. Each change and its audit entry commit together, then the provider zone is republished.
/// </summary>
public sealed class DomainService(SenderAuthDb db, KeyStore keys, ZonePublishingService publishing, SigningService signing,
    IDnsResolver dns, IOptions<ServerOptions> options, TimeProvider time, ServerMetrics metrics, KeyRotator rotator, Canary canary, DnssecSetting dnssec,
    PublicSuffixList suffixes)
{
    private readonly ProviderOptions _provider = options.Value.Provider;
    private readonly MonitorOptions _monitor = options.Value.Monitoring;
    private readonly QuotaOptions _quotas = options.Value.Quotas;
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
        if (suffixes.IsPublicSuffix(name))
        {
            return new ServiceError.Invalid($"{name} is a public suffix (Public Suffix List): nobody owns it as a whole; register your own domain under it", "name");
        }
        if (PublishedNames.Problem(name, institution.Code, _provider) is { } tooLong)
        {
            return new ServiceError.Invalid(tooLong, "name");
        }
        // A soft-deleted row still holds the name (the unique index sees it): it must go through the claim like a live
        // one, or a squatter who deletes leaves the owner a bare conflict for the whole retention.
        if (await db.Domains.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(d => d.Name == name, ct).ConfigureAwait(false) is { } holder)
        {
            return await RefuseDuplicateAsync(institution, caller, name, holder, ct).ConfigureAwait(false);
        }
        if (await OverDomainQuotaAsync(institution, ct).ConfigureAwait(false) is { } over)
        {
            return over;
        }
        var now = time.GetUtcNow().UtcDateTime;
        var domain = new SenderDomain
        {
            InstitutionId = institution.Id, Name = name, CustomMailFrom = customMailFrom, CreatedAt = now, State = DomainState.Pending, NextCheckAt = now,
            ChallengeToken = DomainVerification.NewToken(),
        };
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
            return new ServiceError.Conflict(AlreadyRegistered(name), "name");
        }
        await publishing.PublishAsync(ct).ConfigureAwait(false);
        var records = await RecordsAsync(institution, domain, ct).ConfigureAwait(false);
        return (domain, records);
    }

    private static string AlreadyRegistered(string name) => $"{name} is already registered on this platform";

    /// <summary>
    /// A registration of a domain that is taken: 409 without naming the holder (another tenant's customer list is
    /// not the claimant's business). A claim by another institution is recorded for the operator, with a challenge
    /// token of its own: publishing it proves control and lets the operator transfer the domain.
    /// </summary>
    /// <summary>
    /// The quota refusal when the institution is at its domain cap, else null. Deleted rows count until purged: else
    /// create, delete, create, restore doubles the cap. Two creations racing past this count can end one over the
    /// quota; the quota bounds a flood, not an exact number.
    /// </summary>
    private async Task<ServiceError?> OverDomainQuotaAsync(Institution institution, CancellationToken ct)
    {
        var held = await db.Domains.IgnoreQueryFilters().CountAsync(d => d.InstitutionId == institution.Id, ct).ConfigureAwait(false);
        return held < _quotas.MaxDomainsPerInstitution ? null : new ServiceError.QuotaExceeded(
            $"institution {institution.Code} has {held} domains (deleted ones count until purged), the most one institution may register "
            + $"({QuotaOptions.Section}:MaxDomainsPerInstitution = {_quotas.MaxDomainsPerInstitution}): delete one and wait for the purge, or ask the operator",
            $"{QuotaOptions.Section}:MaxDomainsPerInstitution", _quotas.MaxDomainsPerInstitution);
    }

    private async Task<ServiceError> RefuseDuplicateAsync(Institution institution, Caller caller, string name, SenderDomain holder, CancellationToken ct)
    {
        if (holder.InstitutionId == institution.Id && holder.DeletedAt is not null)
        {
            return new ServiceError.Conflict($"{name} was deleted by your institution and is kept for the retention: restore it instead of registering it again", "name");
        }
        if (holder.InstitutionId == institution.Id)
        {
            return new ServiceError.Conflict($"{name} is already registered on this platform, by your institution", "name");
        }
        var claim = await db.DomainClaims.FirstOrDefaultAsync(c => c.DomainName == name && c.ClaimantInstitutionId == institution.Id && c.ResolvedAt == null, ct).ConfigureAwait(false);
        if (claim is null)
        {
            claim = new DomainClaim { DomainName = name, ClaimantInstitutionId = institution.Id, ChallengeToken = DomainVerification.NewToken(), At = time.GetUtcNow().UtcDateTime };
            db.DomainClaims.Add(claim);
        }
        else
        {
            claim.Attempts++;
        }
        db.Record(time, caller, institution.Id, "domain.claim", name, "refused: already registered on this platform; recorded for the operator");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new ServiceError.Conflict(
            $"{AlreadyRegistered(name)}. If it is yours, publish TXT {DomainVerification.ChallengeName(name)} \"{DomainVerification.ChallengeValue(claim.ChallengeToken)}\" "
            + $"and ask the operator to resolve claim {claim.Id}", "name");
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
        // Ownership first: the check below expects the report-authorisation record, published only once it is proved.
        await VerifyOwnershipAsync(institution, domain, ct).ConfigureAwait(false);
        var report = await new DomainChecker(dns) { Dnssec = dnssec.Probe }.CheckAsync(domain.Name, _provider.Profile(domain.CustomMailFrom), institution.Code, ct).ConfigureAwait(false);
        report = await ExpectIdleRevocationAsync(institution, domain, report, ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        var dkimOk = report.Verdict(CheckArea.Dkim) is AreaVerdict.Ok or AreaVerdict.Warning;
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
        var firstError = report.Findings.FirstOrDefault(f => f.Severity == FindingSeverity.Error && f.Temporary == run.Incomplete)?.Message;
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
    /// Marks the domain verified the first time its DKIM CNAMEs (every selector, at its own target) or its TXT
    /// challenge are in DNS, then publishes its report-authorisation record. Until then it has none, and its reports
    /// are not attributed. A DNS server that refuses the publish is retried in the background (ZonePublishRetry).
    /// </summary>
    private async Task VerifyOwnershipAsync(Institution institution, SenderDomain domain, CancellationToken ct)
    {
        if (domain.VerifiedAt is not null)
        {
            return;
        }
        if (domain.ChallengeToken.Length == 0)
        {
            // A domain registered before ownership checks existed gets its token on its first check.
            domain.ChallengeToken = DomainVerification.NewToken();
        }
        var profile = _provider.Profile(false);
        var cnames = profile.Selectors.Select(s => PublishPlan.Dkim(domain.Name, institution.Code, profile, s)).ToList();
        var how = await DomainVerification.DelegatedAsync(dns, cnames, ct).ConfigureAwait(false) ? "its DKIM selectors point at our keys"
            : await DomainVerification.ChallengeFoundAsync(dns, domain.Name, domain.ChallengeToken, ct).ConfigureAwait(false) ? $"TXT {DomainVerification.ChallengeName(domain.Name)} holds its token"
            : null;
        if (how is null)
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return;
        }
        domain.VerifiedAt = time.GetUtcNow().UtcDateTime;
        db.Record(time, "system", institution.Id, "domain.verify", domain.Name, $"ownership proved: {how}");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        try
        {
            await publishing.PublishAsync(ct).ConfigureAwait(false);
        }
        catch (ZonePublishException)
        {
            // Logged, raised and retried by the publishing service; the check goes on and reports what DNS serves.
        }
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
        var findings = report.Findings.Select(f => f.Code == "dkim-key-revoked" && f.Subject is { } n && revokedIdle.Contains(n)
            ? f with { Severity = FindingSeverity.Info, Code = "dkim-idle-key-revoked", Message = $"{f.Subject}: the previous key, revoked after the last rotation as planned; the next rotation publishes a new one here" }
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
            metrics.RotationStep("blocked");
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
            return new ServiceError.SigningBlocked($"signing stays off for {domain.Name}: {string.Join("; ", findings.Select(b => b.Message))}", findings);
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
            key = keys.Import(institution.Id, selector.Name, target, pem, _quotas);
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
        // The deleted row already counts against the cap, but a cap lowered since (or a race) can leave the institution
        // at or over it; a restore must not take it further.
        var live = await db.Domains.CountAsync(d => d.InstitutionId == institution.Id, ct).ConfigureAwait(false);
        if (live >= _quotas.MaxDomainsPerInstitution)
        {
            return new ServiceError.QuotaExceeded(
                $"institution {institution.Code} has {live} live domains, the most one institution may hold ({QuotaOptions.Section}:MaxDomainsPerInstitution = {_quotas.MaxDomainsPerInstitution}): delete one before restoring",
                $"{QuotaOptions.Section}:MaxDomainsPerInstitution", _quotas.MaxDomainsPerInstitution);
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

    /// <summary>
    /// Proves ownership now: a check (which looks for the DKIM CNAMEs and the TXT challenge), or, for the operator
    /// only, an override with its reason audited (a customer vouched for by contract, DNS not yet delegated).
    /// A domain still unverified after the check is a conflict that says what to publish.
    /// </summary>
    public async Task<Result<SenderDomain>> VerifyAsync(Institution institution, SenderDomain domain, Caller caller, bool operatorOverride, string? reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(caller);
        if (domain.VerifiedAt is not null)
        {
            return domain;
        }
        if (operatorOverride)
        {
            if (Scope.RequireOperator(caller) is { } refused)
            {
                return refused;
            }
            if (string.IsNullOrWhiteSpace(reason))
            {
                return new ServiceError.Invalid("an operator override needs a reason (it is audited)", "reason");
            }
            domain.VerifiedAt = time.GetUtcNow().UtcDateTime;
            db.Record(time, caller, institution.Id, "domain.verify", domain.Name, $"vouched for by the operator: {(reason.Length > 500 ? reason[..500] : reason)}");
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await publishing.PublishAsync(ct).ConfigureAwait(false);
            return domain;
        }
        await CheckAsync(institution, domain, ct).ConfigureAwait(false);
        if (domain.VerifiedAt is null)
        {
            return new ServiceError.Conflict($"{domain.Name} is not verified: neither its DKIM selectors point at our keys nor does TXT "
                + $"{DomainVerification.ChallengeName(domain.Name)} hold \"{DomainVerification.ChallengeValue(domain.ChallengeToken)}\"; publish one, then verify again");
        }
        return domain;
    }

    /// <summary>
    /// Resolves a claim in the claimant's favour once DNS serves the claim's challenge token: the holder's domain is
    /// deleted (its keys revoked as on any delete, its history with it: it was never the holder's to keep) and the
    /// domain registered anew for the claimant, verified by that same proof.
    /// </summary>
    public async Task<Result<SenderDomain>> TransferAsync(DomainClaim claim, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (claim.ResolvedAt is not null)
        {
            return new ServiceError.Conflict($"claim {claim.Id} is already resolved ({claim.Resolution})");
        }
        if (!await DomainVerification.ChallengeFoundAsync(dns, claim.DomainName, claim.ChallengeToken, ct).ConfigureAwait(false))
        {
            return new ServiceError.Conflict($"TXT {DomainVerification.ChallengeName(claim.DomainName)} does not hold the claimant's token "
                + $"\"{DomainVerification.ChallengeValue(claim.ChallengeToken)}\": the claimant has not proved control of {claim.DomainName} yet");
        }
        var claimant = await db.Institutions.FirstOrDefaultAsync(i => i.Id == claim.ClaimantInstitutionId, ct).ConfigureAwait(false);
        if (claimant is null)
        {
            return new ServiceError.NotFound($"the claimant of claim {claim.Id} no longer exists");
        }
        // The holder's row may be soft-deleted already (a squatter who deleted when claimed): it still holds the name.
        if (await db.Domains.IgnoreQueryFilters().Include(d => d.Institution).FirstOrDefaultAsync(d => d.Name == claim.DomainName, ct).ConfigureAwait(false) is { Institution: { } holder } held)
        {
            db.Record(time, caller, holder.Id, "domain.transfer", held.Name, $"to the claimant of claim {claim.Id}, who proved control by TXT challenge"
                + (held.DeletedAt is null ? null : " (the holder had deleted it)"));
            if (held.DeletedAt is null)
            {
                await DeleteAsync(holder, held, caller, ct).ConfigureAwait(false);
            }
            else
            {
                // Its keys were revoked and unpublished by that delete; only the audit entry is new.
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            // Not kept for the retention like a delete: the history was never the holder's, and the name must be free
            // for the claimant now. Reports and checks cascade from the row; counters are keyed by name.
            await db.Domains.IgnoreQueryFilters().Where(x => x.Id == held.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            await db.SignedCounts.Where(c => c.Domain == held.Name).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            db.Entry(held).State = EntityState.Detached;
        }
        if (!(await CreateAsync(claimant, caller, claim.DomainName, false, ct).ConfigureAwait(false)).TryGet(out var created, out var error))
        {
            return error;
        }
        var domain = created.Domain;
        domain.VerifiedAt = time.GetUtcNow().UtcDateTime;
        claim.ResolvedAt = domain.VerifiedAt;
        claim.Resolution = "transferred";
        db.Record(time, caller, claimant.Id, "domain.verify", domain.Name, $"ownership proved: TXT {DomainVerification.ChallengeName(domain.Name)} holds the token of claim {claim.Id}");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await publishing.PublishAsync(ct).ConfigureAwait(false);
        return domain;
    }

    private string Target(ProviderSelector selector, string code, string domain) => _provider.KeyTargets(code, domain).First(t => t.Selector == selector).Target;
}
