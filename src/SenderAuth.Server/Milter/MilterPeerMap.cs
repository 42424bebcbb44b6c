using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Server.Milter;

/// <summary>
/// Milter:PeerInstitutions at work: which institution, if any, an SMTP client (address, SMTP AUTH identity) is tied
/// to. Codes are looked up in the database once found (institutions are not renamed); a code not found yet is
/// looked up again next time, and until then the client is tied to no existing institution, so it may sign for none.
/// </summary>
internal sealed class MilterPeerMap(IReadOnlyList<MilterPeerInstitution> entries, IServiceScopeFactory scopes)
{
    private readonly ConcurrentDictionary<string, long> _ids = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The client is tied to this institution (its code, and its id when it exists).</summary>
    public sealed record Mapping(string Code, long? InstitutionId, string Why);

    public bool Enabled => entries.Count > 0;

    public async ValueTask<Mapping?> FindAsync(MilterEnvelope envelope, CancellationToken ct)
    {
        var entry = entries.FirstOrDefault(e => e.Matches(envelope.ClientIp, envelope.AuthIdentity));
        if (entry is null)
        {
            return null;
        }
        var why = string.Join(" and ", new[]
        {
            string.IsNullOrWhiteSpace(entry.Network) ? null : $"client {envelope.ClientIp} in {entry.Network}",
            string.IsNullOrWhiteSpace(entry.AuthIdentity) ? null : $"SMTP AUTH {envelope.AuthIdentity}",
        }.Where(w => w is not null));
        if (_ids.TryGetValue(entry.Institution, out var known))
        {
            return new Mapping(entry.Institution, known, why);
        }
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var id = await db.Institutions.Where(i => i.Code == entry.Institution).Select(i => (long?)i.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (id is { } found)
            {
                _ids[entry.Institution] = found;
            }
            return new Mapping(entry.Institution, id, why);
        }
    }
}
