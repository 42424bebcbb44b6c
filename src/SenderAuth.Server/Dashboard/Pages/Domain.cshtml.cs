using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>One domain: records with their live status, check now, DNSSEC, the signing switch, rotation and history.</summary>
public sealed class DomainModel(SenderAuthDb db, DomainChecks checks, DomainRecords records, DomainSigning signing, IOptions<ProviderOptions> provider, TimeProvider time)
    : DomainPageBase(db, checks, records, signing, provider.Value, time);
