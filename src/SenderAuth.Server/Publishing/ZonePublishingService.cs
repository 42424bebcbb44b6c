using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dns;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// Publishes the provider zone after every change, one publish at a time, and confirms over DNS that new keys
/// are served before they are marked Published: nothing signs with a key that is not in DNS.
/// </summary>
public sealed partial class ZonePublishingService(
    IServiceScopeFactory scopes, IZonePublisher publisher, IOptions<ServerOptions> options, TimeProvider time,
    ServerMetrics metrics, ILogger<ZonePublishingService> logger)
{
    private const string SerialSetting = "zone.serial";
    private const string DigestSetting = "zone.digest";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ProviderOptions _provider = options.Value.Provider;

    /// <summary>The zone as last published by this instance (null before the first publish).</summary>
    public ProviderZone? Current { get; private set; }

    public string PublisherKind => publisher.Kind;

    public async Task<ProviderZone> PublishAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
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
            var records = await ProviderZoneBuilder.BuildRecordsAsync(db, _provider, ct).ConfigureAwait(false);
            var serial = await NextSerialAsync(db, records, ct).ConfigureAwait(false);
            var zone = new ProviderZone(DnsName.Normalize(_provider.Zone), serial, records);
            try
            {
                await publisher.PublishAsync(zone, ct).ConfigureAwait(false);
            }
            catch (ZonePublishException e)
            {
                metrics.PublishFailed();
                LogPublishFailed(logger, publisher.Kind, e.Message);
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
        finally
        {
            _gate.Release();
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
                db.Record(time, "system", key.InstitutionId, "key.published", key.TargetName, $"served by {publisher.Kind} at {server}");
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing the provider zone through {Kind} failed: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string kind, string reason);
}
