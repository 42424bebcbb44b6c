using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Monitoring;

/// <summary>What one scheduler pass did.</summary>
public sealed record MonitorPass(int Checked, int RotationsAdvanced, int Skipped);

/// <summary>
/// The scheduler: on every tick (PeriodicTimer on the TimeProvider) it claims the domains whose check is due and
/// the rotations with a step due, and runs them with bounded concurrency. Claims are leases in the database, so
/// with several instances on one PostgreSQL each piece of work runs once, and a dead instance's claims expire.
/// </summary>
public sealed partial class MonitorService(IServiceScopeFactory scopes, IOptions<MonitorOptions> options, TimeProvider time, ILogger<MonitorService> logger)
    : BackgroundService
{
    private readonly MonitorOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(_options.Tick, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One bad pass must not stop the scheduler; the next tick tries again.
                LogPassFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One pass: due checks, then due rotation steps. Tests call it directly.</summary>
    public async Task<MonitorPass> RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<long> due;
        List<long> rotations;
        using (var scope = scopes.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            due = await db.Domains.AsNoTracking()
                .Where(d => d.NextCheckAt != null && d.NextCheckAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now))
                .OrderBy(d => d.NextCheckAt).Select(d => d.Id).Take(_options.BatchSize).ToListAsync(ct).ConfigureAwait(false);
        }
        var checkedCount = 0;
        var skipped = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = ct }, async (id, token) =>
        {
            if (await CheckOneAsync(id, now, token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref checkedCount);
            }
            else
            {
                Interlocked.Increment(ref skipped);
            }
        }).ConfigureAwait(false);

        using (var scope = scopes.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            await EnsureRotationsAsync(scope.ServiceProvider, db, ct).ConfigureAwait(false);
            now = time.GetUtcNow().UtcDateTime;
            rotations = await db.Rotations.AsNoTracking()
                .Where(r => (r.Step == RotationStep.Idle && (r.Requested || r.NextRotationAt <= now))
                    || r.Step == RotationStep.Generated || r.Step == RotationStep.Publishing
                    || (r.Step == RotationStep.Retaining && r.StepDueAt <= now)
                    || r.Step == RotationStep.Blocked)
                .Where(r => r.LeaseUntil == null || r.LeaseUntil < now)
                .Select(r => r.Id).ToListAsync(ct).ConfigureAwait(false);
        }
        var advanced = 0;
        foreach (var id in rotations)
        {
            if (await AdvanceOneAsync(id, ct).ConfigureAwait(false))
            {
                advanced++;
            }
        }
        return new MonitorPass(checkedCount, advanced, skipped);
    }

    private async Task<bool> CheckOneAsync(long id, DateTime now, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        if (!await Leases.ClaimDomainAsync(db, id, now, _options.Lease, ct).ConfigureAwait(false))
        {
            return false;
        }
        try
        {
            var domain = await db.Domains.Include(d => d.Institution).FirstOrDefaultAsync(d => d.Id == id, ct).ConfigureAwait(false);
            if (domain?.Institution is not { } institution || domain.NextCheckAt > now)
            {
                return false;
            }
            await scope.ServiceProvider.GetRequiredService<DomainChecks>().CheckAsync(institution, domain, ct).ConfigureAwait(false);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Edited through the API meanwhile: the next tick checks it again with the new values.
            return false;
        }
        finally
        {
            await Leases.ReleaseDomainAsync(db, id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<bool> AdvanceOneAsync(long id, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        if (!await Leases.ClaimRotationAsync(db, id, time.GetUtcNow().UtcDateTime, _options.Lease, ct).ConfigureAwait(false))
        {
            return false;
        }
        try
        {
            var rotation = await db.Rotations.FirstAsync(r => r.Id == id, ct).ConfigureAwait(false);
            return await scope.ServiceProvider.GetRequiredService<KeyRotator>().AdvanceAsync(rotation, ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException e)
        {
            // Another writer saved a row of this step meanwhile: the step's one SaveChanges was rolled back whole, so
            // the rotation is still at its last saved step and the next tick runs it again from fresh rows. The other
            // rotations of this pass go on.
            LogRotationConflict(logger, id, e.Message);
            return false;
        }
        finally
        {
            await Leases.ReleaseRotationAsync(db, id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Every signing domain has its rotation row (domains enabled before rotation existed get one here).</summary>
    private static async Task EnsureRotationsAsync(IServiceProvider services, SenderAuthDb db, CancellationToken ct)
    {
        var signingDomains = await db.Domains.Include(d => d.Institution).Where(d => d.SigningEnabled).ToListAsync(ct).ConfigureAwait(false);
        if (signingDomains.Count == 0)
        {
            return;
        }
        var known = (await db.Rotations.Select(r => r.GroupTarget).ToListAsync(ct).ConfigureAwait(false)).ToHashSet();
        var rotator = services.GetRequiredService<KeyRotator>();
        foreach (var domain in signingDomains)
        {
            // Only groups without a row cost a query: at 10,000 domains this runs every tick.
            if (known.Contains(rotator.GroupTarget(domain.Institution!.Code, domain.Name)))
            {
                continue;
            }
            var rotation = await rotator.EnsureAsync(domain.Institution!, domain, ct).ConfigureAwait(false);
            known.Add(rotation.GroupTarget);
        }
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another instance created the same rows first (unique GroupTarget): theirs stand.
        }
    }

    [LoggerMessage(EventId = LogEvents.Monitoring + 3, Level = LogLevel.Warning, Message = "Rotation {Rotation}: a step met a concurrent change and was rolled back; the next tick retries it: {Reason}")]
    private static partial void LogRotationConflict(ILogger logger, long rotation, string reason);

    [LoggerMessage(EventId = LogEvents.Monitoring + 2, Level = LogLevel.Error, Message = "A scheduler pass failed; the next tick retries")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
