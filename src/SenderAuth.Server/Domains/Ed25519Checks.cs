using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Check;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Server.Domains;

/// <summary>
/// What a domain check means for the Ed25519 signature of a domain that signs with both (RFC 8463): its selectors are
/// checked like the RSA ones, but their errors are warnings (the domain's state and its RSA signing are not
/// affected). Per domain: the first check of the domain that finds them delegated starts its second signature (and
/// activates the institution's pair when none signs yet), a later check that finds them broken stops it.
/// </summary>
public sealed class Ed25519Checks(SenderAuthDb db, KeyRotator rotator, IDnsResolver dns, IOptions<ProviderOptions> provider, TimeProvider time)
{
    private ProviderOptions Provider => provider.Value;

    /// <summary>Whether the check found every Ed25519 selector of the domain delegated to a valid Ed25519 key.</summary>
    public static bool Delegated(DomainCheckReport report, ProviderOptions provider, string code, string domain)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(provider);
        return provider.Ed25519Selectors.All(s => report.Findings.Any(f => f.Code == CheckCodes.DkimOk && f.Subject == $"{s.Name}._domainkey.{domain}"))
            && !report.Findings.Any(f => f.Severity == FindingSeverity.Error && Names(provider, code, domain).Contains(f.Subject ?? ""));
    }

    /// <summary>
    /// Whether the check found a lasting error (not "could not check") at the domain's Ed25519 selectors or their
    /// targets: a delegation verified before is lost (a CNAME removed or changed).
    /// </summary>
    public static bool Broken(DomainCheckReport report, ProviderOptions provider, string code, string domain)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(provider);
        var names = Names(provider, code, domain);
        return report.Findings.Any(f => f.Area is CheckArea.Dkim or CheckArea.Dnssec && f.Severity == FindingSeverity.Error && !f.Temporary && names.Contains(f.Subject ?? ""));
    }

    /// <summary>
    /// The Ed25519 selectors' errors (and "could not check") are warnings that say what they mean for the second
    /// signature: it waits for them while the domain is pending, it stops while a verified delegation is broken. Never
    /// errors, so the Ed25519 part never degrades the domain nor stops its RSA signing (docs/server.md).
    /// </summary>
    public static DomainCheckReport Soften(DomainCheckReport report, ProviderOptions provider, string code, SenderDomain domain)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(domain);
        var names = Names(provider, code, domain.Name);
        var meaning = domain.Ed25519DelegatedAt is null
            ? " (Ed25519: the second signature starts once this is right; RSA signing is not affected)"
            : " (Ed25519: the second signature stops until this is right; RSA signing is not affected)";
        var findings = report.Findings.Select(f => f.Area is CheckArea.Dkim or CheckArea.Dnssec && f.Severity == FindingSeverity.Error && names.Contains(f.Subject ?? "")
            ? f with { Severity = FindingSeverity.Warning, Temporary = false, Message = f.Message + meaning }
            : f).ToList();
        return report with { Findings = findings };
    }

    /// <summary>
    /// Keeps what this check found about THIS domain's Ed25519 delegation (the pair is shared by the institution's
    /// domains, so its state says nothing about one domain's CNAMEs): found delegated, the domain signs with Ed25519
    /// from now on; found broken, it stops (RSA goes on). "Could not check" changes nothing. Returns whether it changed
    /// (the signing cache must then be dropped).
    /// </summary>
    public bool Track(Institution institution, SenderDomain domain, bool delegated, bool broken)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        if (delegated && domain.Ed25519DelegatedAt is null)
        {
            domain.Ed25519DelegatedAt = time.GetUtcNow().UtcDateTime;
            db.Record(time, "system", institution.Id, "ed25519.delegated", domain.Name, "the check found its Ed25519 CNAMEs; messages carry the second signature");
            return true;
        }
        if (broken && !delegated && domain.Ed25519DelegatedAt is not null)
        {
            domain.Ed25519DelegatedAt = null;
            db.Record(time, "system", institution.Id, "ed25519.stopped", domain.Name, "the check found an Ed25519 CNAME wrong or gone; RSA signing goes on");
            return true;
        }
        return false;
    }

    /// <summary>
    /// After a check that found the Ed25519 selectors delegated: keys DNS serves there become Published, and when
    /// none signs yet the first selector's served key is activated and the pair's rotation row created. Returns
    /// whether a key was activated (the signing cache must then be dropped).
    /// </summary>
    public async Task<bool> ActivateAsync(Institution institution, SenderDomain domain, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var pair = Provider.Ed25519KeyTargets(institution.Code, domain.Name);
        var targets = pair.Select(t => t.Target).ToList();
        // By institution too: defence in depth, as SigningService and KeyEndpoints.
        var live = await db.Keys.Where(k => k.InstitutionId == institution.Id && targets.Contains(k.TargetName) && k.State != DkimKeyState.Revoked).ToListAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var key in live.Where(k => k.State == DkimKeyState.Created))
        {
            if (await ZonePublishingService.ServedAsync(dns, key, ct).ConfigureAwait(false))
            {
                key.State = DkimKeyState.Published;
                key.PublishedAt = now;
                db.Record(time, "system", institution.Id, AuditActions.KeyPublished, key.TargetName, $"served through {key.Selector}._domainkey.{domain.Name}");
            }
        }
        if (live.Any(k => k.State == DkimKeyState.Active))
        {
            return false;
        }
        // As for RSA: the first selector signs first, and only a key DNS serves at its target now.
        DkimKey? first = null;
        foreach (var key in live.Where(k => k.State == DkimKeyState.Published && k.Algorithm == DkimKeyType.Ed25519).OrderBy(k => targets.IndexOf(k.TargetName)).ThenByDescending(k => k.Id))
        {
            if (await ZonePublishingService.ServedAsync(dns, key, ct).ConfigureAwait(false))
            {
                first = key;
                break;
            }
        }
        if (first is null)
        {
            return false;
        }
        first.State = DkimKeyState.Active;
        first.ActivatedAt = now;
        db.Record(time, "system", institution.Id, AuditActions.KeyActivate, first.TargetName, $"selector {first.Selector} (Ed25519)");
        await rotator.EnsureAsync(institution, domain, ct, DkimKeyType.Ed25519).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The Ed25519 selector names of the domain and their targets: the subjects of their findings.</summary>
    private static HashSet<string> Names(ProviderOptions provider, string code, string domain)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (selector, target) in provider.Ed25519KeyTargets(code, domain))
        {
            names.Add($"{selector.Name}._domainkey.{domain}");
            names.Add(target);
        }
        return names;
    }
}
