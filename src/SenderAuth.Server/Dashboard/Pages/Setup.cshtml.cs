using SenderAuth.Check;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>The onboarding wizard after the domain exists: publish the records, check, enable signing.</summary>
public sealed class SetupModel(SenderAuthDb db, DomainChecks checks, DomainRecords records, DomainSigning signing, IOptions<ProviderOptions> provider, TimeProvider time)
    : DomainPageBase(db, checks, records, signing, provider.Value, time)
{
    /// <summary>1 register (done), 2 publish (until a check finds no record missing), 3 check until the delegation is right, 4 enable signing, 5 done.</summary>
    public int Step => View.Domain.SigningEnabled ? 5
        : View.CanEnableSigning ? 4
        : View.Latest is not null && View.Records.All(r => r.Verdict != AreaVerdict.Error) ? 3
        : 2;
}
