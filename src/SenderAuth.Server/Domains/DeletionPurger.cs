using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Domains;

/// <summary>
/// Ends the retention of soft-deleted domains and institutions: on every tick (PeriodicTimer on the TimeProvider)
/// what was deleted more than <see cref="RetentionOptions.DeletedDays"/> ago is removed for good, with its reports,
/// checks, history and keys (the database's cascades), each with an audit entry. Safe on several instances: a
/// row two instances both delete is simply gone for the second.
/// </summary>
public sealed partial class DeletionPurger(IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider time, ILogger<DeletionPurger> logger)
    : BackgroundService
{
    private readonly RetentionOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first pass waits one period: hosted services start before the start-up migrations have run.
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(_options.PurgeEveryMinutes), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await PurgeAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One bad pass must not stop the purge; the next tick tries again.
                LogPassFailed(logger, e);
            }
        }
    }

    /// <summary>One pass; the value is how many domains and institutions were purged. Tests call it directly.</summary>
    public async Task<(int Domains, int Institutions)> PurgeAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        var cutoff = time.GetUtcNow().UtcDateTime - _options.Deleted;
        var domains = await db.Domains.IgnoreQueryFilters().Where(d => d.DeletedAt != null && d.DeletedAt < cutoff)
            .Select(d => new { d.Id, d.Name, d.InstitutionId }).ToListAsync(ct).ConfigureAwait(false);
        var purgedDomains = 0;
        foreach (var d in domains)
        {
            // One transaction per domain: the rows and the audit entry go together, and of two instances purging at
            // once only the one that deleted the row records it.
            var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                if (await db.Domains.IgnoreQueryFilters().Where(x => x.Id == d.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false) == 0)
                {
                    continue;
                }
                // Counters are keyed by name, not by a foreign key: they go with the domain.
                await db.SignedCounts.Where(c => c.Domain == d.Name).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                db.Record(time, "system", d.InstitutionId, AuditActions.DomainPurge, d.Name, $"deleted more than {_options.DeletedDays} days ago: reports, checks and history removed");
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                purgedDomains++;
            }
        }
        var institutions = await db.Institutions.IgnoreQueryFilters().Where(i => i.DeletedAt != null && i.DeletedAt < cutoff)
            .Select(i => new { i.Id, i.Code }).ToListAsync(ct).ConfigureAwait(false);
        var purgedInstitutions = 0;
        foreach (var i in institutions)
        {
            var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                var names = await db.Domains.IgnoreQueryFilters().Where(d => d.InstitutionId == i.Id).Select(d => d.Name).ToListAsync(ct).ConfigureAwait(false);
                // Domains, keys, rotations, webhooks and declared senders cascade from the institution.
                if (await db.Institutions.IgnoreQueryFilters().Where(x => x.Id == i.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false) == 0)
                {
                    continue;
                }
                await db.SignedCounts.Where(c => names.Contains(c.Domain)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await db.ApiKeys.Where(k => k.InstitutionId == i.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                db.Record(time, "system", i.Id, AuditActions.InstitutionPurge, i.Code, $"deleted more than {_options.DeletedDays} days ago: domains, reports and keys removed");
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                purgedInstitutions++;
            }
        }
        if (purgedDomains + purgedInstitutions > 0)
        {
            LogPurged(logger, purgedDomains, purgedInstitutions);
        }
        return (purgedDomains, purgedInstitutions);
    }

    [LoggerMessage(EventId = LogEvents.Domains + 1, Level = LogLevel.Error, Message = "The retention purge failed; it runs again at the next tick")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = LogEvents.Domains + 2, Level = LogLevel.Information, Message = "Purged {Domains} domains and {Institutions} institutions past their retention")]
    private static partial void LogPurged(ILogger logger, int domains, int institutions);
}
