using Microsoft.EntityFrameworkCore;
using SenderAuth.Store.Data;

namespace SenderAuth.Bench.Harness.Seeding;

/// <summary>What the monitor did since a moment: domains checked, check runs, passed runs, seconds to the first and last.</summary>
public sealed record Sweep(int Domains, int Runs, int Passed, double? FirstSeconds, double? LastSeconds);

/// <summary>
/// row_monitor's writes and reads of the server's database, beside the running server, through its EF Core model.
/// </summary>
/// <remarks>
/// Why not all through the API: creating a domain republishes the whole provider zone, so 10,000 creates cost minutes
/// (docs/benchmarks.md); the row creates one domain per institution through the API (keys, zone, a create's cost at
/// full size) and inserts the rest here, as Pending rows not yet due. Audit entries of inserted domains are left out;
/// nothing reads them here.
/// </remarks>
public static class MonitorDomains
{
    /// <summary>Adds the domains of <paramref name="list"/> not in <paramref name="skip"/> as Pending, not yet due (NextCheckAt null).</summary>
    public static async Task<int> InsertAsync(SenderAuthDb db, IEnumerable<(string Code, string Domain)> list, IReadOnlySet<string> skip, CancellationToken ct)
    {
        var ids = await db.Institutions.ToDictionaryAsync(i => i.Code, i => i.Id, ct).ConfigureAwait(false);
        var now = DateTime.UtcNow;
        var rows = list.Where(p => !skip.Contains(p.Domain)).Select(p => new SenderDomain
        {
            InstitutionId = ids[p.Code],
            Name = p.Domain,
            State = DomainState.Pending,
            CreatedAt = now,
            Version = 1,
        }).ToList();
        db.Domains.AddRange(rows);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return rows.Count;
    }

    /// <summary>Makes every domain due now (bench-only); returns the time written, the start of the sweep.</summary>
    public static async Task<DateTime> MakeDueAsync(SenderAuthDb db, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        await db.Domains.ExecuteUpdateAsync(s => s.SetProperty(d => d.NextCheckAt, now), ct).ConfigureAwait(false);
        return now;
    }

    /// <summary>Domains, and Verified domains.</summary>
    public static async Task<(int All, int Verified)> CountAsync(SenderAuthDb db, CancellationToken ct) =>
        (await db.Domains.CountAsync(ct).ConfigureAwait(false),
         await db.Domains.CountAsync(d => d.State == DomainState.Verified, ct).ConfigureAwait(false));

    public static async Task<Sweep> SweepAsync(SenderAuthDb db, DateTime since, CancellationToken ct)
    {
        var runs = db.CheckRuns.Where(c => c.At >= since);
        var first = await runs.MinAsync(c => (DateTime?)c.At, ct).ConfigureAwait(false);
        var last = await runs.MaxAsync(c => (DateTime?)c.At, ct).ConfigureAwait(false);
        return new Sweep(
            await runs.Select(c => c.DomainId).Distinct().CountAsync(ct).ConfigureAwait(false),
            await runs.CountAsync(ct).ConfigureAwait(false),
            await runs.CountAsync(c => c.Passed, ct).ConfigureAwait(false),
            first is { } f ? (f - since).TotalSeconds : null,
            last is { } l ? (l - since).TotalSeconds : null);
    }
}
