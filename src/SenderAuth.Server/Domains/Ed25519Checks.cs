using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Check;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Server.Domains;

/// <summary>
/// What a domain check means for the Ed25519 key of a domain that signs with both (RFC 8463): its selectors are
/// checked like the RSA ones, but until its key first signs a missing CNAME only delays the second signature, so it
/// is a warning (the domain's state and its RSA signing are not affected); the first check that finds them delegated
/// activates the key, which from then on rotates like the RSA pair.
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
    /// While no Ed25519 key of the domain signs, its selectors' errors (and "could not check") are warnings that say
    /// the second signature waits for them.
    /// </summary>
    public async Task<DomainCheckReport> ExpectPendingAsync(Institution institution, SenderDomain domain, DomainCheckReport report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(report);
        var targets = Provider.Ed25519KeyTargets(institution.Code, domain.Name).Select(t => t.Target).ToList();
        if (await db.Keys.AnyAsync(k => targets.Contains(k.TargetName) && k.State == DkimKeyState.Active, ct).ConfigureAwait(false))
        {
            return report;
        }
        var names = Names(Provider, institution.Code, domain.Name);
        var findings = report.Findings.Select(f => f.Area is CheckArea.Dkim or CheckArea.Dnssec && f.Severity == FindingSeverity.Error && names.Contains(f.Subject ?? "")
            ? f with { Severity = FindingSeverity.Warning, Temporary = false, Message = f.Message + " (Ed25519: the second signature starts once this is right; RSA signing is not affected)" }
            : f).ToList();
        return report with { Findings = findings };
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
        var live = await db.Keys.Where(k => targets.Contains(k.TargetName) && k.State != DkimKeyState.Revoked).ToListAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var key in live.Where(k => k.State == DkimKeyState.Created))
        {
            if (await ZonePublishingService.ServedAsync(dns, key, ct).ConfigureAwait(false))
            {
                key.State = DkimKeyState.Published;
                key.PublishedAt = now;
                db.Record(time, "system", institution.Id, "key.published", key.TargetName, $"served through {key.Selector}._domainkey.{domain.Name}");
            }
        }
        if (live.Any(k => k.State == DkimKeyState.Active))
        {
            return false;
        }
        // As for RSA: the first selector signs first, and only a key DNS serves at its target now.
        DkimKey? first = null;
        foreach (var key in live.Where(k => k.State == DkimKeyState.Published && k.Algorithm == "ed25519").OrderBy(k => targets.IndexOf(k.TargetName)).ThenByDescending(k => k.Id))
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
        db.Record(time, "system", institution.Id, "key.activate", first.TargetName, $"selector {first.Selector} (Ed25519)");
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
