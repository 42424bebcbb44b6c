using Microsoft.EntityFrameworkCore;
using SenderAuth.Dns;
using SenderAuth.Json;

namespace SenderAuth.Server.Domains;

/// <summary>The operator's resolution of a domain claim in the claimant's favour, once DNS serves the claim's token.</summary>
public sealed class DomainTransfer(SenderAuthDb db, IDnsResolver dns, DomainDeletion deletion, DomainRegistration registration, ZonePublishingService publishing, TimeProvider time)
{
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
            return new ServiceError.Conflict($"claim {claim.Id} is already resolved ({(claim.Resolution is { } how ? SenderAuthJson.Token(how) : null)})");
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
            db.Record(time, caller, holder.Id, AuditActions.DomainTransfer, held.Name, $"to the claimant of claim {claim.Id}, who proved control by TXT challenge"
                + (held.DeletedAt is null ? null : " (the holder had deleted it)"));
            if (held.DeletedAt is null)
            {
                await deletion.DeleteAsync(holder, held, caller, ct).ConfigureAwait(false);
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
        if (!(await registration.CreateAsync(claimant, caller, claim.DomainName, false, ct).ConfigureAwait(false)).TryGet(out var created, out var error))
        {
            return error;
        }
        var domain = created.Domain;
        domain.VerifiedAt = time.GetUtcNow().UtcDateTime;
        claim.ResolvedAt = domain.VerifiedAt;
        claim.Resolution = ClaimResolution.Transferred;
        db.Record(time, caller, claimant.Id, AuditActions.DomainVerify, domain.Name, $"ownership proved: TXT {DomainVerification.ChallengeName(domain.Name)} holds the token of claim {claim.Id}");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await publishing.PublishAsync(ct).ConfigureAwait(false);
        return domain;
    }
}
