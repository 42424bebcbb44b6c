using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dns;
using SenderAuth.Json;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// Publishes the provider zone after every change, one publish at a time, and confirms over DNS that new keys
/// are served before they are marked Published: nothing signs with a key that is not in DNS.
/// </summary>
public sealed partial class ZonePublishingService(
    IServiceScopeFactory scopes, IZonePublisher publisher, IOptions<ProviderOptions> provider, TimeProvider time,
    ServerMetrics metrics, ILogger<ZonePublishingService> logger)
{
    private const string SerialSetting = "zone.serial";
    private const string DigestSetting = "zone.digest";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ProviderOptions _provider = provider.Value;

    /// <summary>The zone as last published by this instance (null before the first publish).</summary>
    public ProviderZone? Current { get; private set; }

    public PublishingMode PublisherKind => publisher.Kind;

    /// <summary>Why the last publish failed, or null when it succeeded (readiness and the retry loop read it).</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Released when a publish fails: <see cref="ZonePublishRetry"/> waits on it to start retrying.</summary>
    internal SemaphoreSlim Failed { get; } = new(0, 1);

    public async Task<ProviderZone> PublishAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var zone = await PublishLockedAsync(ct).ConfigureAwait(false);
            if (LastFailure is not null)
            {
                LastFailure = null;
                LogRecovered(logger, SenderAuthJson.Token(publisher.Kind), zone.Serial);
                await RaiseAsync(ServerEventType.ZonePublishRecovered, $"the provider zone is published again (serial {zone.Serial})", ct).ConfigureAwait(false);
            }
            return zone;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var first = LastFailure is null;
            LastFailure = e is ZonePublishException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            if (Failed.CurrentCount == 0)
            {
                Failed.Release();
            }
            if (first)
            {
                await RaiseAsync(ServerEventType.ZonePublishFailed, LastFailure, CancellationToken.None).ConfigureAwait(false);
            }
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A platform event (not one tenant's): logged, audited and sent to the operator's webhooks. Best effort: when
    /// the database is what fails, the log line is all there is.
    /// </summary>
    private async Task RaiseAsync(ServerEventType evt, string reason, CancellationToken ct)
    {
        var name = SenderAuthJson.Token(evt);
        LogEvent(logger, name, reason);
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var now = time.GetUtcNow().UtcDateTime;
            db.Record(time, "system", null, name, DnsName.Normalize(_provider.Zone), reason.Length > 1000 ? reason[..1000] : reason);
            await WebhookOutbox.EnqueueOperatorAsync(db, new ServerEvent(evt, "", null, now, reason, new PublisherDetails(publisher.Kind)), ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogEventNotStored(logger, name, e.Message);
        }
    }

    private async Task<ProviderZone> PublishLockedAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        // Several instances on one PostgreSQL: one publish at a time across all of them, or an instance that
        // read the zone just before another saved a key could publish after it and take the key out again.
        // The transaction-scoped advisory lock is released on commit, or by the server if the instance dies.
        await using var exclusive = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false) : null;
        if (exclusive is not null)
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7208637601)", ct).ConfigureAwait(false);
        }
        var build = await ProviderZoneBuilder.BuildAsync(db, _provider, ct).ConfigureAwait(false);
        var records = build.Records;
        await FlagAsync(db, build, ct).ConfigureAwait(false);
        var serial = await NextSerialAsync(db, records, ct).ConfigureAwait(false);
        var zone = new ProviderZone(DnsName.Normalize(_provider.Zone), serial, records);
        try
        {
            await publisher.PublishAsync(zone, ct).ConfigureAwait(false);
        }
        catch (ZonePublishException e)
        {
            metrics.PublishFailed();
            LogPublishFailed(logger, SenderAuthJson.Token(publisher.Kind), e.Message);
            throw;
        }
        Current = zone;
        metrics.Published();
        await ConfirmServedAsync(db, ct).ConfigureAwait(false);
        if (exclusive is not null)
        {
            await exclusive.CommitAsync(ct).ConfigureAwait(false);
        }
        return zone;
    }

    /// <summary>
    /// Writes each domain's publish problem (set, changed or cleared) and tells its institution when one appears;
    /// records that belong to no domain are logged for the operator.
    /// </summary>
    private async Task FlagAsync(SenderAuthDb db, ZoneBuild build, CancellationToken ct)
    {
        foreach (var problem in build.Unattributed)
        {
            LogSkipped(logger, "(no domain)", problem);
        }
        var ids = build.DomainProblems.Keys.ToList();
        var rows = await db.Domains.Include(d => d.Institution).Where(d => d.PublishProblem != null || ids.Contains(d.Id)).ToListAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var domain in rows)
        {
            var problem = build.DomainProblems.TryGetValue(domain.Id, out var p) ? (p.Length > 1000 ? p[..1000] : p) : null;
            if (problem == domain.PublishProblem)
            {
                continue;
            }
            if (problem is not null)
            {
                LogSkipped(logger, domain.Name.Length > 80 ? domain.Name[..80] + "…" : domain.Name, problem);
                db.Record(time, "system", domain.InstitutionId, AuditActions.DomainPublishProblem, domain.Name, problem);
                await WebhookOutbox.EnqueueAsync(db, domain.InstitutionId, new ServerEvent(ServerEventType.DomainPublishProblem, domain.Institution?.Code ?? "", domain.Name, now, problem), ct).ConfigureAwait(false);
            }
            domain.PublishProblem = problem;
        }
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another writer changed the domain meanwhile; the next publish writes the flag again.
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Serial = max(previous + 1, Unix time) when the content changed; unchanged content keeps its serial.</summary>
    private async Task<uint> NextSerialAsync(SenderAuthDb db, IReadOnlyList<ZoneRecord> records, CancellationToken ct)
    {
        var digest = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', records.Select(r => $"{r.Name} {r.Type} {r.Ttl} {r.Data}")))));
        var settings = await db.Settings.Where(s => s.Key == SerialSetting || s.Key == DigestSetting).ToDictionaryAsync(s => s.Key, ct).ConfigureAwait(false);
        var previous = settings.TryGetValue(SerialSetting, out var s) ? uint.Parse(s.Value, CultureInfo.InvariantCulture) : 0u;
        if (settings.TryGetValue(DigestSetting, out var d) && d.Value == digest && previous != 0)
        {
            return previous;
        }
        var now = (uint)Math.Min(uint.MaxValue, time.GetUtcNow().ToUnixTimeSeconds());
        var serial = Math.Max(previous + 1, now);
        Upsert(db, settings, SerialSetting, serial.ToString(CultureInfo.InvariantCulture));
        Upsert(db, settings, DigestSetting, digest);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return serial;
    }

    private static void Upsert(SenderAuthDb db, Dictionary<string, ServerSetting> settings, string key, string value)
    {
        if (settings.TryGetValue(key, out var row))
        {
            row.Value = value;
        }
        else
        {
            db.Settings.Add(new ServerSetting { Key = key, Value = value });
        }
    }

    /// <summary>
    /// Marks Created keys Published once the authoritative server answers with exactly their record. A publisher
    /// without a server (a zone file loaded elsewhere) leaves that to the domain check, which reads the key
    /// through the institution's CNAME.
    /// </summary>
    private async Task ConfirmServedAsync(SenderAuthDb db, CancellationToken ct)
    {
        if (publisher.AuthoritativeServer is not { } server)
        {
            return;
        }
        var pending = await db.Keys.Where(k => k.State == DkimKeyState.Created).ToListAsync(ct).ConfigureAwait(false);
        if (pending.Count == 0)
        {
            return;
        }
        var dns = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [server], Timeout = TimeSpan.FromSeconds(2), Retries = 1 });
        foreach (var key in pending)
        {
            if (await ServedAsync(dns, key, ct).ConfigureAwait(false))
            {
                key.State = DkimKeyState.Published;
                key.PublishedAt = time.GetUtcNow().UtcDateTime;
                db.Record(time, "system", key.InstitutionId, AuditActions.KeyPublished, key.TargetName, $"served by {SenderAuthJson.Token(publisher.Kind)} at {server}");
            }
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Whether DNS serves this key's record at its target (the exact p= value).</summary>
    public static async Task<bool> ServedAsync(IDnsResolver dns, DkimKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(key);
        var answer = await dns.QueryAsync(key.TargetName, DnsRecordType.Txt, ct).ConfigureAwait(false);
        var expected = KeyStore.TxtValue(key);
        return answer.Of<TxtRecord>().Any(t => t.Text == expected);
    }

    [LoggerMessage(EventId = LogEvents.Publishing + 6, Level = LogLevel.Warning, Message = "Provider zone: a record of {Domain} is left out, the rest is published: {Problem}")]
    private static partial void LogSkipped(ILogger logger, string domain, string problem);

    [LoggerMessage(EventId = LogEvents.Publishing + 7, Level = LogLevel.Information, Message = "Provider zone published again through {Kind}, serial {Serial}")]
    private static partial void LogRecovered(ILogger logger, string kind, uint serial);

    [LoggerMessage(EventId = LogEvents.Publishing + 8, Level = LogLevel.Warning, Message = "Event {Event}: {Reason}")]
    private static partial void LogEvent(ILogger logger, string @event, string reason);

    [LoggerMessage(EventId = LogEvents.Publishing + 9, Level = LogLevel.Warning, Message = "Event {Event} could not be stored for webhooks: {Reason}")]
    private static partial void LogEventNotStored(ILogger logger, string @event, string reason);

    [LoggerMessage(EventId = LogEvents.Publishing + 10, Level = LogLevel.Error, Message = "Publishing the provider zone through {Kind} failed: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string kind, string reason);
}
