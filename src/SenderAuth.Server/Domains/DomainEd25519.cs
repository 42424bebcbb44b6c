using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dkim;

namespace SenderAuth.Server.Domains;

/// <summary>Where a domain's Ed25519 signature stands: POST and GET …/ed25519 answer it, the dashboard shows it.</summary>
/// <param name="Enabled">The domain signs with Ed25519 too once its selectors are delegated.</param>
/// <param name="Allowed">The operator allows Ed25519 signatures (SenderAuth:Provider:AllowEd25519).</param>
/// <param name="SigningSelector">The Ed25519 selector signing now; null while none does.</param>
/// <param name="Selectors">The Ed25519 selectors the domain delegates (their CNAMEs are in the records to publish when enabled).</param>
/// <param name="Next">What happens next, in one sentence.</param>
public sealed record Ed25519Status(string Domain, bool Enabled, bool Allowed, string? SigningSelector, IReadOnlyList<string> Selectors, string Next);

/// <summary>
/// The per-domain Ed25519 signature (RFC 8463) beside the RSA one: turning it on generates the Ed25519 pair at its
/// own targets, publishes it, adds the two CNAMEs to the records to publish and checks at once (the key signs from
/// the first check that finds them delegated: <see cref="Ed25519Checks"/>); turning it off drops the second
/// signature at once and the CNAMEs from the records, and keeps the keys published for mail in flight.
/// </summary>
public sealed class DomainEd25519(SenderAuthDb db, DomainKeys keys, DomainRecords records, DomainChecks checks, SigningService signing,
    ZonePublishingService publishing, IOptions<ProviderOptions> provider, TimeProvider time)
{
    private ProviderOptions Provider => provider.Value;

    public async Task<Result<Ed25519Status>> SetAsync(Institution institution, SenderDomain domain, Caller caller, bool enable, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        if (!enable)
        {
            if (domain.Ed25519Enabled)
            {
                domain.Ed25519Enabled = false;
                // Turned on again, it waits for a check that finds its CNAMEs anew (they may be gone by then).
                domain.Ed25519DelegatedAt = null;
                db.Record(time, caller, institution.Id, "ed25519.disable", domain.Name);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                signing.Invalidate();
                await records.RecordsAsync(institution, domain, ct).ConfigureAwait(false);
            }
            return await StatusAsync(institution, domain, ct).ConfigureAwait(false);
        }
        if (!Provider.AllowEd25519)
        {
            return new ServiceError.Refused($"this server does not sign with Ed25519 (SenderAuth:Provider:AllowEd25519 is false): {domain.Name} signs with RSA only");
        }
        if (!domain.Ed25519Enabled)
        {
            domain.Ed25519Enabled = true;
            db.Record(time, caller, institution.Id, "ed25519.enable", domain.Name);
            var generated = await keys.GenerateEd25519Async(institution, domain.Name, caller, ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            if (generated > 0)
            {
                await publishing.PublishAsync(ct).ConfigureAwait(false);
            }
            await records.RecordsAsync(institution, domain, ct).ConfigureAwait(false);
        }
        // Checked now, so a domain whose CNAMEs are already there signs with both from this answer on.
        await checks.CheckAsync(institution, domain, ct).ConfigureAwait(false);
        return await StatusAsync(institution, domain, ct).ConfigureAwait(false);
    }

    public Task<Ed25519Status> StatusAsync(Institution institution, SenderDomain domain, CancellationToken ct) => StatusAsync(db, Provider, institution, domain, ct);

    /// <summary>Where the domain's Ed25519 signature stands (the API's answer and the dashboard's line).</summary>
    public static async Task<Ed25519Status> StatusAsync(SenderAuthDb db, ProviderOptions provider, Institution institution, SenderDomain domain, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var pair = provider.Ed25519KeyTargets(institution.Code, domain.Name);
        var targets = pair.Select(t => t.Target).ToList();
        // Signing only once this domain's own delegation was verified (the pair may be active for another domain).
        var active = domain.Ed25519DelegatedAt is null ? null : await db.Keys.AsNoTracking()
            .Where(k => k.InstitutionId == institution.Id && targets.Contains(k.TargetName) && k.State == DkimKeyState.Active)
            .Select(k => k.Selector).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var selectors = pair.Select(p => p.Selector.Name).ToList();
        var next = (domain.Ed25519Enabled, provider.AllowEd25519, active) switch
        {
            (false, _, _) => "off: messages carry the RSA signature only",
            (true, false, _) => "off on this server (SenderAuth:Provider:AllowEd25519 is false): messages carry the RSA signature only",
            (true, true, null) => $"publish the CNAMEs of {string.Join(" and ", selectors)} (in the records to publish); the first check that finds them adds the Ed25519 signature",
            _ => domain.SigningEnabled ? $"signed messages carry an Ed25519 signature (s={active}) beside the RSA one" : $"the Ed25519 key of {active} is ready; it signs once signing is on",
        };
        return new Ed25519Status(domain.Name, domain.Ed25519Enabled, provider.AllowEd25519, active, selectors, next);
    }
}
