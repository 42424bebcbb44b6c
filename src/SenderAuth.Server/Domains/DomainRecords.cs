using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dns;
using SenderAuth.Json;
using SenderAuth.Onboarding;

namespace SenderAuth.Server.Domains;

/// <summary>The records a domain publishes: the engine's <see cref="PublishPlan"/> for it, kept with the domain.</summary>
public sealed class DomainRecords(SenderAuthDb db, IDnsResolver dns, IOptions<ProviderOptions> provider)
{
    /// <summary>Computes the records to publish (the SPF merge reads DNS) and stores them with the domain when they changed.</summary>
    public async Task<PublishPlan> RecordsAsync(Institution institution, SenderDomain domain, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var records = await PublishPlan.DecideAsync(dns, domain.Name, institution.Code, provider.Value.Profile(domain.CustomMailFrom, domain.Ed25519Enabled), ct).ConfigureAwait(false);
        var json = JsonSerializer.Serialize(records.Records, SenderAuthJson.Options);
        if (json != domain.ExpectedRecordsJson)
        {
            domain.ExpectedRecordsJson = json;
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException)
            {
                // The scheduler changed the row meanwhile; the records are stored on the next read.
            }
        }
        return records;
    }
}
