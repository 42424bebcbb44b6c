using Microsoft.Extensions.Options;
using SenderAuth.Dns;
using SenderAuth.Onboarding;

namespace SenderAuth.Server.Domains;

/// <summary>
/// Proof that an institution controls a domain: its DKIM CNAMEs at our keys or its TXT challenge in DNS, or the
/// operator's override with a reason. A domain is verified once; then its report-authorisation record is published.
/// </summary>
public sealed class DomainOwnership(SenderAuthDb db, IDnsResolver dns, ZonePublishingService publishing, IOptions<ProviderOptions> provider, TimeProvider time)
{
    /// <summary>
    /// Marks the domain verified the first time its DKIM CNAMEs (every selector, at its own target) or its TXT
    /// challenge are in DNS, then publishes its report-authorisation record. Until then it has none, and its reports
    /// are not attributed. A DNS server that refuses the publish is retried in the background (ZonePublishRetry).
    /// </summary>
    public async Task ProveAsync(Institution institution, SenderDomain domain, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        if (domain.VerifiedAt is not null)
        {
            return;
        }
        if (domain.ChallengeToken.Length == 0)
        {
            // A domain registered before ownership checks existed gets its token on its first check.
            domain.ChallengeToken = DomainVerification.NewToken();
        }
        var profile = provider.Value.Profile(false);
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
        db.Record(time, "system", institution.Id, AuditActions.DomainVerify, domain.Name, $"ownership proved: {how}");
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
    /// The operator vouches for the domain (a customer vouched for by contract, DNS not yet delegated): only the
    /// operator, only with a reason, which is audited.
    /// </summary>
    public async Task<Result<SenderDomain>> OverrideAsync(Institution institution, SenderDomain domain, Caller caller, string? reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        if (Scope.RequireOperator(caller) is { } refused)
        {
            return refused;
        }
        if (string.IsNullOrWhiteSpace(reason))
        {
            return new ServiceError.Invalid("an operator override needs a reason (it is audited)", "reason");
        }
        domain.VerifiedAt = time.GetUtcNow().UtcDateTime;
        db.Record(time, caller, institution.Id, AuditActions.DomainVerify, domain.Name, $"vouched for by the operator: {(reason.Length > 500 ? reason[..500] : reason)}");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await publishing.PublishAsync(ct).ConfigureAwait(false);
        return domain;
    }
}
