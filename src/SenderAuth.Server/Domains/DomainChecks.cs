using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Check;
using SenderAuth.Dns;
using SenderAuth.Json;

namespace SenderAuth.Server.Domains;

/// <summary>
/// Checks a domain now (the engine's <see cref="DomainChecker"/> against the provider profile) and keeps the result:
/// the check run, ownership proved on the way, the state machine's verdict, keys DNS serves marked published; and
/// verification on request, which is such a check or the operator's override.
/// </summary>
public sealed class DomainChecks(SenderAuthDb db, IDnsResolver dns, DnssecSetting dnssec, DomainOwnership ownership, DomainStateUpdates states,
    Ed25519Checks ed25519Checks, SigningService signing, IOptions<ProviderOptions> provider, IOptions<MonitorOptions> monitor, TimeProvider time, ServerMetrics metrics)
{
    private ProviderOptions Provider => provider.Value;

    /// <summary>
    /// Runs the engine's domain check now, stores it, and applies the state machine: the state, the transition
    /// with its findings, the events for webhooks and the next check time commit together.
    /// </summary>
    public async Task<(CheckRun Run, DomainCheckReport Report)> CheckAsync(Institution institution, SenderDomain domain, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        // Ownership first: the check below expects the report-authorisation record, published only once it is proved.
        await ownership.ProveAsync(institution, domain, ct).ConfigureAwait(false);
        var ed25519 = domain.Ed25519Enabled && Provider.AllowEd25519;
        var report = await new DomainChecker(dns) { Dnssec = dnssec.Probe }.CheckAsync(domain.Name, Provider.Profile(domain.CustomMailFrom, ed25519), institution.Code, ct).ConfigureAwait(false);
        report = await ExpectIdleRevocationAsync(institution, domain, report, ct).ConfigureAwait(false);
        var ed25519Delegated = ed25519 && Ed25519Checks.Delegated(report, Provider, institution.Code, domain.Name);
        var ed25519Broken = ed25519 && Ed25519Checks.Broken(report, Provider, institution.Code, domain.Name);
        if (ed25519)
        {
            report = Ed25519Checks.Soften(report, Provider, institution.Code, domain);
        }
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
        var verdict = new DomainStateMachine(monitor.Value).Next(domain, run.Passed, run.Incomplete, firstError, now);
        var stateChanged = verdict.State != domain.State;
        await states.ApplyAsync(institution, domain, verdict, findingsJson, now, ct).ConfigureAwait(false);
        if (dkimOk)
        {
            await ConfirmKeysThroughCnameAsync(institution, domain, ct).ConfigureAwait(false);
        }
        // This domain's second signature starts when this check finds its own CNAMEs delegated, stops when it finds
        // them broken; the institution's pair is activated (its rotation row created) when none of its keys signs yet.
        var ed25519Changed = ed25519 && ed25519Checks.Track(institution, domain, ed25519Delegated, ed25519Broken);
        var ed25519Activated = ed25519Delegated && await ed25519Checks.ActivateAsync(institution, domain, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (verdict.SuspendSigning || verdict.RestoreSigning || ed25519Activated || ed25519Changed)
        {
            signing.Invalidate();
        }
        if (stateChanged && domain.SigningEnabled && !domain.SigningSuspended)
        {
            await states.CanaryAsync(institution, domain, findingsJson, ct).ConfigureAwait(false);
        }
        metrics.Checked(run.Passed ? "passed" : run.Incomplete ? "incomplete" : "failed");
        return (run, report);
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
            return await ownership.OverrideAsync(institution, domain, caller, reason, ct).ConfigureAwait(false);
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
    /// Between rotations the idle selector serves the revoked old key (empty p=) by design; the engine's check,
    /// which does not know which selector is idle, calls that an error. Here it is information, as long as the
    /// other selector signs with a live key.
    /// </summary>
    private async Task<DomainCheckReport> ExpectIdleRevocationAsync(Institution institution, SenderDomain domain, DomainCheckReport report, CancellationToken ct)
    {
        if (!report.Findings.Any(f => f.Code == CheckCodes.DkimKeyRevoked))
        {
            return report;
        }
        // Per pair: the RSA pair, and the Ed25519 pair of a domain that signs with it too (it rotates the same way).
        var pairs = new List<List<string>> { Provider.KeyTargets(institution.Code, domain.Name).Select(t => t.Target).ToList() };
        if (domain.Ed25519Enabled)
        {
            pairs.Add(Provider.Ed25519KeyTargets(institution.Code, domain.Name).Select(t => t.Target).ToList());
        }
        var revokedIdle = new HashSet<string>(StringComparer.Ordinal);
        foreach (var targets in pairs)
        {
            var keys = await db.Keys.AsNoTracking().Where(k => targets.Contains(k.TargetName)).ToListAsync(ct).ConfigureAwait(false);
            if (keys.Any(k => k.State == DkimKeyState.Active))
            {
                revokedIdle.UnionWith(keys.GroupBy(k => k.TargetName)
                    .Where(g => g.OrderByDescending(k => k.Id).First().State == DkimKeyState.Revoked)
                    .Select(g => g.Key));
            }
        }
        if (revokedIdle.Count == 0)
        {
            return report;
        }
        var findings = report.Findings.Select(f => f.Code == CheckCodes.DkimKeyRevoked && f.Subject is { } n && revokedIdle.Contains(n)
            ? f with { Severity = FindingSeverity.Info, Code = CheckCodes.DkimIdleKeyRevoked, Message = $"{f.Subject}: the previous key, revoked after the last rotation as planned; the next rotation publishes a new one here" }
            : f).ToList();
        return report with { Findings = findings };
    }

    /// <summary>
    /// After a check that found the delegation right, a key that DNS (the server's resolvers) serves at its target
    /// is Published, even when the publisher has no server of its own to ask (zone-file mode).
    /// </summary>
    private async Task ConfirmKeysThroughCnameAsync(Institution institution, SenderDomain domain, CancellationToken ct)
    {
        foreach (var selector in Provider.Selectors)
        {
            var target = DomainKeys.Target(Provider, selector, institution.Code, domain.Name);
            var key = await db.Keys.FirstOrDefaultAsync(k => k.TargetName == target && k.State == DkimKeyState.Created, ct).ConfigureAwait(false);
            if (key is not null && await ZonePublishingService.ServedAsync(dns, key, ct).ConfigureAwait(false))
            {
                key.State = DkimKeyState.Published;
                key.PublishedAt = time.GetUtcNow().UtcDateTime;
                db.Record(time, "system", institution.Id, AuditActions.KeyPublished, target, $"served through {selector.Name}._domainkey.{domain.Name}");
            }
        }
    }
}
