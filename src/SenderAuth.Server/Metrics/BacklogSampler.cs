using SenderAuth.Json;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Metrics;

/// <summary>
/// The gauges: webhook deliveries waiting, report files waiting in the watched directory, quarantined report files,
/// domains by state and rotations blocked. Read from the database every <see cref="MetricsOptions.SampleSeconds"/>
/// by this background loop, not inside a scrape: a slow or unreachable database must not hang /metrics. When a
/// sample fails the gauges report nothing (no stale value passes for a current one) until the next one succeeds.
/// </summary>
/// <remarks>
/// Values are the whole database's: every instance sharing a PostgreSQL database reports the same numbers, so
/// alerts take <c>max</c> over instances, not <c>sum</c>.
/// </remarks>
public sealed partial class BacklogSampler : BackgroundService
{
    private static readonly DomainState[] States = Enum.GetValues<DomainState>();
    private readonly IServiceScopeFactory _scopes;
    private readonly MetricsOptions _options;
    private readonly StoreOptions _store;
    private readonly TimeProvider _time;
    private readonly ILogger<BacklogSampler> _log;
    private readonly IHostApplicationLifetime _lifetime;
    private volatile Sample? _last;

    public BacklogSampler(IServiceScopeFactory scopes, IOptions<MetricsOptions> options, IOptions<StoreOptions> store, TimeProvider time, ServerMetrics metrics, IHostApplicationLifetime lifetime, ILogger<BacklogSampler> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(metrics);
        _scopes = scopes;
        _options = options.Value;
        _store = store.Value;
        _time = time;
        _log = log;
        _lifetime = lifetime;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("senderauth.webhook.queue", () => Read(s => s.Webhooks), "{delivery}", "Webhook deliveries not yet delivered nor given up");
        meter.CreateObservableGauge("senderauth.report.queue", () => Read(s => s.ReportFiles), "{file}", "Report files waiting in the watched directory (SenderAuth:Reports:WatchDirectory)");
        meter.CreateObservableGauge("senderauth.report.quarantine", () => Read(s => s.Quarantined), "{file}", "Report files kept in quarantine");
        meter.CreateObservableGauge("senderauth.rotations.blocked", () => Read(s => s.BlockedRotations), "{rotation}", "Key rotations stopped (a canary failed or a step cannot proceed)");
        meter.CreateObservableGauge("senderauth.domains", ReadDomains, "{domain}", "Sender domains (not deleted), by state");
    }

    /// <summary>
    /// Reads everything once now (the loop; tests): true when the gauges hold the new values, false when the read
    /// failed (logged, and the gauges then report nothing until a read succeeds).
    /// </summary>
    public async Task<bool> SampleOnceAsync(CancellationToken ct)
    {
        try
        {
            using var scope = _scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var webhooks = await db.WebhookDeliveries.CountAsync(d => d.DeliveredAt == null && !d.GaveUp, ct).ConfigureAwait(false);
            var quarantined = await db.QuarantinedReports.CountAsync(ct).ConfigureAwait(false);
            var blocked = await db.Rotations.CountAsync(r => r.Step == RotationStep.Blocked, ct).ConfigureAwait(false);
            var byState = await db.Domains.Where(d => d.DeletedAt == null).GroupBy(d => d.State)
                .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct).ConfigureAwait(false);
            var domains = States.ToDictionary(s => s, s => (long)(byState.FirstOrDefault(b => b.Key == s)?.Count ?? 0));
            _last = new Sample(webhooks, WaitingFiles(), quarantined, blocked, domains);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A database that is down (or not migrated yet) must not stop the server: logged, sampled again next tick.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _last = null;
            LogSampleFailed(_log, e.GetType().Name, e.Message, _options.SampleSeconds);
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.SampleSeconds), _time);
        try
        {
            // Not before every hosted service has started: the start-up tasks migrate the database first.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
            {
                await started.Task.ConfigureAwait(false);
            }
            do
            {
                await SampleOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Files at the top of the watched directory: what the next scans will claim (its subfolders hold claimed and finished files).</summary>
    private long WaitingFiles()
    {
        var dir = _store.Reports.WatchDirectory;
        if (string.IsNullOrWhiteSpace(dir) || !Directory.Exists(dir))
        {
            return 0;
        }
        return new DirectoryInfo(dir).EnumerateFiles().LongCount();
    }

    private IEnumerable<Measurement<long>> Read(Func<Sample, long> value) =>
        _last is { } s ? [new Measurement<long>(value(s))] : [];

    private IEnumerable<Measurement<long>> ReadDomains() =>
        _last is { } s
            ? s.Domains.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("state", SenderAuthJson.Token(d.Key))))
            : [];

    private sealed record Sample(long Webhooks, long ReportFiles, long Quarantined, long BlockedRotations, Dictionary<DomainState, long> Domains);

    [LoggerMessage(EventId = LogEvents.Metrics + 1, Level = LogLevel.Warning, Message = "Metrics: reading the queue and state gauges failed ({Type}: {Reason}); they report nothing until the next sample in {Seconds} s")]
    private static partial void LogSampleFailed(ILogger logger, string type, string reason, double seconds);
}
