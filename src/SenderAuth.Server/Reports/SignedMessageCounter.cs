using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Server.Reports;

/// <summary>
/// Counts the messages the server signed per From domain, selector and UTC day, for reconciliation with DMARC
/// reports. Counting happens in memory on the signing path (a database write per message would cost more than the
/// signature); a background loop adds the counts to the database every few seconds and once more at shutdown.
/// </summary>
public sealed class SignedMessageCounter(IServiceScopeFactory scopes, TimeProvider time, ILogger<SignedMessageCounter> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private ConcurrentDictionary<(string Domain, string Selector, DateTime Day), long> _pending = new();

    public void Add(string domain, string selector)
    {
        var key = (domain, selector, time.GetUtcNow().UtcDateTime.Date);
        _pending.AddOrUpdate(key, 1, static (_, n) => n + 1);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the pending counts to the database; what fails to be written is kept for the next flush.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var batch = Interlocked.Exchange(ref _pending, new());
        if (batch.IsEmpty)
        {
            return;
        }
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            foreach (var ((domain, selector, day), n) in batch)
            {
                await AddAsync(db, domain, selector, day, n, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or OperationCanceledException)
        {
            foreach (var (key, n) in batch)
            {
                _pending.AddOrUpdate(key, n, (_, m) => m + n);
            }
            if (e is not OperationCanceledException)
            {
                log.LogWarning(new EventId(LogEvents.Reports + 15), e, "could not write signed-message counts; kept for the next try");
            }
        }
    }

    // Update first, insert when absent; an instance inserting the same key at the same moment makes the insert
    // fail on the primary key, and the update then finds the row.
    private static async Task AddAsync(SenderAuthDb db, string domain, string selector, DateTime day, long n, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var updated = await db.SignedCounts.Where(c => c.Domain == domain && c.Selector == selector && c.Day == day)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Count, c => c.Count + n), ct).ConfigureAwait(false);
            if (updated > 0)
            {
                return;
            }
            db.SignedCounts.Add(new SignedCount { Domain = domain, Selector = selector, Day = day, Count = n });
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (DbUpdateException e) when (ReportImporter.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}
