using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Server.Monitoring;

/// <summary>
/// Claims rows for one instance with a conditional UPDATE (free or expired lease → ours): the database decides,
/// on SQLite and PostgreSQL alike, so each due check or rotation step runs in exactly one instance, and a claim
/// of an instance that died expires instead of being lost. SQLite serves one instance only (the file is
/// locked to one writer), so there the claim is a no-op instead of two more committed transactions per item.
/// </summary>
public static class Leases
{
    /// <summary>This process, as lease owner.</summary>
    public static readonly string Instance = Name($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}");

    private static string Name(string text) => text.Length <= 100 ? text : text[^100..];

    public static async Task<bool> ClaimDomainAsync(SenderAuthDb db, long id, DateTime now, TimeSpan lease, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.IsSqlite())
        {
            return true;
        }
        var until = now + lease;
        return await db.Domains.Where(d => d.Id == id && (d.LeaseUntil == null || d.LeaseUntil < now || d.LeaseOwner == Instance))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseOwner, Instance).SetProperty(d => d.LeaseUntil, until), ct).ConfigureAwait(false) == 1;
    }

    public static Task ReleaseDomainAsync(SenderAuthDb db, long id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.IsSqlite())
        {
            return Task.CompletedTask;
        }
        return db.Domains.Where(d => d.Id == id && d.LeaseOwner == Instance)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseOwner, (string?)null).SetProperty(d => d.LeaseUntil, (DateTime?)null), ct);
    }

    public static async Task<bool> ClaimRotationAsync(SenderAuthDb db, long id, DateTime now, TimeSpan lease, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.IsSqlite())
        {
            return true;
        }
        var until = now + lease;
        return await db.Rotations.Where(r => r.Id == id && (r.LeaseUntil == null || r.LeaseUntil < now || r.LeaseOwner == Instance))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseOwner, Instance).SetProperty(r => r.LeaseUntil, until), ct).ConfigureAwait(false) == 1;
    }

    public static Task ReleaseRotationAsync(SenderAuthDb db, long id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.IsSqlite())
        {
            return Task.CompletedTask;
        }
        return db.Rotations.Where(r => r.Id == id && r.LeaseOwner == Instance)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseOwner, (string?)null).SetProperty(r => r.LeaseUntil, (DateTime?)null), ct);
    }
}
