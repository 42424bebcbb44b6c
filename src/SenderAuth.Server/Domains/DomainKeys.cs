using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Check;
using SenderAuth.Dkim;

namespace SenderAuth.Server.Domains;

/// <summary>
/// A domain's DKIM keys at its selector targets: the new ones a registration or a restore needs, and the revocation
/// of the ones a deletion leaves unused. The audit entries join the caller's unit of work.
/// </summary>
public sealed class DomainKeys(SenderAuthDb db, KeyStore keys, IOptions<ProviderOptions> provider, TimeProvider time)
{
    private ProviderOptions Provider => provider.Value;

    /// <summary>The key target of <paramref name="selector"/> for a domain of the institution <paramref name="code"/>.</summary>
    public static string Target(ProviderOptions provider, ProviderSelector selector, string code, string domain)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return provider.KeyTargets(code, domain).First(t => t.Selector == selector).Target;
    }

    /// <summary>The key targets that hold a key that is not revoked (the ones a restore need not regenerate).</summary>
    public async Task<HashSet<string>> LiveTargetsAsync(CancellationToken ct) =>
        (await db.Keys.Where(k => k.State != DkimKeyState.Revoked).Select(k => k.TargetName).Distinct().ToListAsync(ct).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);

    /// <summary>A new key at each of the domain's targets that has no live key (added to this unit of work, with their audit entries).</summary>
    public void GenerateMissing(Institution institution, string domain, Caller caller, HashSet<string> live)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(live);
        foreach (var selector in Provider.Selectors)
        {
            var target = Target(Provider, selector, institution.Code, domain);
            if (live.Add(target))
            {
                Generate(institution, selector, target, caller);
            }
        }
    }

    /// <summary>For a new registration: a key at each target that has none, counting the ones added in this unit of work.</summary>
    public async Task GenerateForNewAsync(Institution institution, string domain, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        foreach (var selector in Provider.Selectors)
        {
            var target = Target(Provider, selector, institution.Code, domain);
            var hasKey = db.Keys.Local.Any(k => k.TargetName == target && k.State != DkimKeyState.Revoked)
                || await db.Keys.AnyAsync(k => k.TargetName == target && k.State != DkimKeyState.Revoked, ct).ConfigureAwait(false);
            if (!hasKey)
            {
                Generate(institution, selector, target, caller);
            }
        }
    }

    /// <summary>
    /// An Ed25519 key at each of the domain's Ed25519 targets that has no live key (added to this unit of work, with
    /// their audit entries); the targets hold the institution code by default, so its domains share the pair.
    /// Returns how many were generated.
    /// </summary>
    public async Task<int> GenerateEd25519Async(Institution institution, string domain, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        var generated = 0;
        foreach (var (selector, target) in Provider.Ed25519KeyTargets(institution.Code, domain))
        {
            // By institution too (defence in depth, as SigningService and KeyEndpoints): the target names hold the
            // institution code, but a key of another institution must never count as this one's.
            if (!await db.Keys.AnyAsync(k => k.InstitutionId == institution.Id && k.TargetName == target && k.State != DkimKeyState.Revoked, ct).ConfigureAwait(false))
            {
                db.Keys.Add(keys.Generate(institution.Id, selector.Name, target, DkimKeyType.Ed25519, Provider.RsaBits));
                db.Record(time, caller, institution.Id, AuditActions.KeyGenerate, target, $"ed25519 for selector {selector.Name}");
                generated++;
            }
        }
        return generated;
    }

    /// <summary>Revokes the domain's keys that no other live domain of the institution signs with (shared targets stay).</summary>
    public async Task RevokeUnusedAsync(Institution institution, SenderDomain domain, string why, Caller caller, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var others = await db.Domains.Where(d => d.InstitutionId == institution.Id && d.Id != domain.Id).Select(d => new { d.Name, d.Ed25519Enabled }).ToListAsync(ct).ConfigureAwait(false);
        var stillUsed = others.SelectMany(o => Provider.DomainKeyTargets(institution.Code, o.Name, o.Ed25519Enabled)).ToHashSet();
        // The Ed25519 pair too (also when the domain turned it off, which keeps its keys published), unless another
        // Ed25519 domain of the institution shares it.
        foreach (var target in Provider.DomainKeyTargets(institution.Code, domain.Name, ed25519: true))
        {
            if (stillUsed.Contains(target))
            {
                continue;
            }
            foreach (var key in await db.Keys.Where(k => k.InstitutionId == institution.Id && k.TargetName == target && k.State != DkimKeyState.Revoked).ToListAsync(ct).ConfigureAwait(false))
            {
                key.State = DkimKeyState.Revoked;
                key.RevokedAt = now;
                db.Record(time, caller, institution.Id, AuditActions.KeyRevoke, target, why);
            }
        }
    }

    private void Generate(Institution institution, ProviderSelector selector, string target, Caller caller)
    {
        db.Keys.Add(keys.Generate(institution.Id, selector.Name, target, DkimKeyType.Rsa, Provider.RsaBits));
        db.Record(time, caller, institution.Id, AuditActions.KeyGenerate, target, $"rsa-{Provider.RsaBits} for selector {selector.Name}");
    }
}
