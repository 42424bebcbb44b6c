using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Onboarding;

namespace SenderAuth.Server.Domains;

/// <summary>
/// Registers a sender domain: the name's rules, the institution's quota, a name held elsewhere turned into a claim
/// for the operator, then the domain, its keys and its audit entries in one unit of work, and the zone republished.
/// </summary>
public sealed class DomainRegistration(SenderAuthDb db, DomainKeys keys, DomainRecords records, ZonePublishingService publishing,
    IOptions<ProviderOptions> provider, IOptions<QuotaOptions> quotas, TimeProvider time, PublicSuffixList suffixes)
{
    public async Task<Result<(SenderDomain Domain, PublishPlan Records)>> CreateAsync(Institution institution, Caller caller, string input, bool customMailFrom, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        var zone = provider.Value.Zone;
        if (!NameRules.TryDomain(input, out var name, out var error))
        {
            return new ServiceError.Invalid(error, "name");
        }
        if (DnsName.IsSubdomainOf(name, zone))
        {
            return new ServiceError.Invalid($"{name} is inside the provider zone {zone}: institutions send from their own domains", "name");
        }
        if (suffixes.IsPublicSuffix(name))
        {
            return new ServiceError.Invalid($"{name} is a public suffix (Public Suffix List): nobody owns it as a whole; register your own domain under it", "name");
        }
        if (PublishedNames.Problem(name, institution.Code, provider.Value) is { } tooLong)
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
        await keys.GenerateForNewAsync(institution, name, caller, ct).ConfigureAwait(false);
        db.Record(time, caller, institution.Id, AuditActions.DomainCreate, name, customMailFrom ? "custom MAIL FROM" : null);
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
        var plan = await records.RecordsAsync(institution, domain, ct).ConfigureAwait(false);
        return (domain, plan);
    }

    private static string AlreadyRegistered(string name) => $"{name} is already registered on this platform";

    /// <summary>
    /// The quota refusal when the institution is at its domain cap, else null. Deleted rows count until purged: else
    /// create, delete, create, restore doubles the cap. Two creations racing past this count can end one over the
    /// quota; the quota bounds a flood, not an exact number.
    /// </summary>
    private async Task<ServiceError?> OverDomainQuotaAsync(Institution institution, CancellationToken ct)
    {
        var max = quotas.Value.MaxDomainsPerInstitution;
        var held = await db.Domains.IgnoreQueryFilters().CountAsync(d => d.InstitutionId == institution.Id, ct).ConfigureAwait(false);
        return held < max ? null : new ServiceError.QuotaExceeded(
            $"institution {institution.Code} has {held} domains (deleted ones count until purged), the most one institution may register "
            + $"({QuotaOptions.Section}:MaxDomainsPerInstitution = {max}): delete one and wait for the purge, or ask the operator",
            $"{QuotaOptions.Section}:MaxDomainsPerInstitution", max);
    }

    /// <summary>
    /// A registration of a domain that is taken: 409 without naming the holder (another tenant's customer list is
    /// not the claimant's business). A claim by another institution is recorded for the operator, with a challenge
    /// token of its own: publishing it proves control and lets the operator transfer the domain.
    /// </summary>
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
        db.Record(time, caller, institution.Id, AuditActions.DomainClaim, name, "refused: already registered on this platform; recorded for the operator");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new ServiceError.Conflict(
            $"{AlreadyRegistered(name)}. If it is yours, publish TXT {DomainVerification.ChallengeName(name)} \"{DomainVerification.ChallengeValue(claim.ChallengeToken)}\" "
            + $"and ask the operator to resolve claim {claim.Id}", "name");
    }
}
