using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Domains;

/// <summary>
/// Soft delete of a domain and its restore within the retention; the purge after it is <see cref="DeletionPurger"/>.
/// </summary>
public sealed class DomainDeletion(SenderAuthDb db, DomainKeys keys, SigningService signing, ZonePublishingService publishing,
    IOptions<QuotaOptions> quotas, IOptions<RetentionOptions> retention, TimeProvider time)
{
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
        await keys.RevokeUnusedAsync(institution, domain, $"domain {domain.Name} deleted", caller, now, ct).ConfigureAwait(false);
        domain.DeletedAt = now;
        domain.SigningEnabled = false;
        domain.SigningChangedAt = now;
        domain.NextCheckAt = null;
        db.Record(time, caller, institution.Id, AuditActions.DomainDelete, domain.Name, $"restorable until {now + retention.Value.Deleted:u}; keys revoked and unpublished");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        signing.Invalidate();
        await publishing.PublishAsync(ct).ConfigureAwait(false);
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
            return new ServiceError.NotFound($"no deleted domain \"{name}\" in institution \"{institution.Code}\" (restorable for {retention.Value.Deleted.TotalDays:0} days after deletion)");
        }
        // The deleted row already counts against the cap, but a cap lowered since (or a race) can leave the institution
        // at or over it; a restore must not take it further.
        var max = quotas.Value.MaxDomainsPerInstitution;
        var live = await db.Domains.CountAsync(d => d.InstitutionId == institution.Id, ct).ConfigureAwait(false);
        if (live >= max)
        {
            return new ServiceError.QuotaExceeded(
                $"institution {institution.Code} has {live} live domains, the most one institution may hold ({QuotaOptions.Section}:MaxDomainsPerInstitution = {max}): delete one before restoring",
                $"{QuotaOptions.Section}:MaxDomainsPerInstitution", max);
        }
        var now = time.GetUtcNow().UtcDateTime;
        domain.DeletedAt = null;
        domain.State = DomainState.Pending;
        domain.StateReason = "restored: waiting for its records to check again";
        domain.NextCheckAt = now;
        domain.SigningSuspended = false;
        domain.DegradedSince = null;
        keys.GenerateMissing(institution, name, caller, await keys.LiveTargetsAsync(ct).ConfigureAwait(false));
        if (domain.Ed25519Enabled)
        {
            // Its Ed25519 pair was revoked with the deletion when no other domain used it; it starts again like a new one.
            await keys.GenerateEd25519Async(institution, name, caller, ct).ConfigureAwait(false);
        }
        db.Record(time, caller, institution.Id, AuditActions.DomainRestore, name, "pending again; turn signing on once its keys are served");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await publishing.PublishAsync(ct).ConfigureAwait(false);
        return domain;
    }
}
