using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Check;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Server.Domains;

/// <summary>
/// Signing for a domain: on only after a check finds the DKIM delegation right (with a key DNS serves activated),
/// off at any time; and a key brought by the institution for a selector that is not signing.
/// </summary>
public sealed class DomainSigning(SenderAuthDb db, KeyStore keys, DomainChecks checks, KeyRotator rotator, SigningService signing, ZonePublishingService publishing,
    IDnsResolver dns, IOptions<ProviderOptions> provider, IOptions<QuotaOptions> quotas, TimeProvider time)
{
    private ProviderOptions Provider => provider.Value;

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
                db.Record(time, caller, institution.Id, AuditActions.SigningDisable, domain.Name);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                signing.Invalidate();
            }
            return false;
        }
        var (run, report) = await checks.CheckAsync(institution, domain, ct).ConfigureAwait(false);
        var blocking = report.Findings.Where(f => f.Area == CheckArea.Dkim && f.Severity == FindingSeverity.Error).ToList();
        if (!run.DkimDelegated)
        {
            // "Could not check" (a timeout anywhere in the check) blocks too: the delegation was not seen.
            var findings = blocking.Count > 0 ? blocking : report.Findings.Where(f => f.Temporary).ToList();
            return new ServiceError.SigningBlocked($"signing stays off for {domain.Name}: {string.Join("; ", findings.Select(b => b.Message))}", findings);
        }
        var targets = Provider.KeyTargets(institution.Code, domain.Name).Select(t => t.Target).ToList();
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
            db.Record(time, caller, institution.Id, AuditActions.KeyActivate, first.TargetName, $"selector {first.Selector}");
        }
        await rotator.EnsureAsync(institution, domain, ct).ConfigureAwait(false);
        if (!domain.SigningEnabled)
        {
            domain.SigningEnabled = true;
            domain.SigningChangedAt = time.GetUtcNow().UtcDateTime;
            db.Record(time, caller, institution.Id, AuditActions.SigningEnable, domain.Name);
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
        var selector = Provider.Selectors.FirstOrDefault(s => s.Name.Equals(selectorName, StringComparison.OrdinalIgnoreCase));
        if (selector is null)
        {
            return new ServiceError.Invalid($"unknown selector \"{selectorName}\": use {string.Join(" or ", Provider.Selectors.Select(s => s.Name))}", "selector");
        }
        var target = DomainKeys.Target(Provider, selector, institution.Code, domain.Name);
        var current = await db.Keys.Where(k => k.InstitutionId == institution.Id && k.TargetName == target && k.State != DkimKeyState.Revoked).ToListAsync(ct).ConfigureAwait(false);
        if (current.Any(k => k.State == DkimKeyState.Active))
        {
            return new ServiceError.Conflict($"selector {selector.Name} is signing: import into the other selector, then rotate", "selector");
        }
        DkimKey key;
        try
        {
            key = keys.Import(institution.Id, selector.Name, target, pem, DkimKeyType.Rsa, quotas.Value);
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
        db.Record(time, caller, institution.Id, AuditActions.KeyImport, target, $"{key.Algorithm.Token()}-{key.Bits} for selector {selector.Name}; replaces {current.Count} key(s)");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await publishing.PublishAsync(ct).ConfigureAwait(false);
        return key;
    }
}
