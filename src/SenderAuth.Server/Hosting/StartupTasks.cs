using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Server.Hosting;

/// <summary>
/// What runs once before the server takes requests (hosted services start before Kestrel listens): the built-in
/// DNS server, migrations, the operator key, the provider key, a first publish (retried in the background when it fails).
/// </summary>
public sealed class StartupTasks(IServiceProvider services) : IHostedService
{
    /// <summary>The operator key generated on this start (printed once by the banner), or null.</summary>
    public string? GeneratedOperatorKey { get; private set; }

    // Held from the start, not resolved when stopping: the container may be disposed by then (a test host's entry
    // point disposes it while the factory is still stopping the services behind a hosted service that awaits).
    private BuiltInDnsServer? _dns;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<ServerOptions>>().Value;
        _dns = services.GetRequiredService<IZonePublisher>() as BuiltInDnsServer;
        if (_dns is not null)
        {
            await _dns.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        GeneratedOperatorKey = await RunAsync(options, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_dns is not null)
        {
            await _dns.StopAsync().ConfigureAwait(false);
        }
    }

    private async Task<string?> RunAsync(ServerOptions options, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<SenderAuthDb>();
        var time = sp.GetRequiredService<TimeProvider>();
        await MigrateAsync(db, sp.GetRequiredService<ILoggerFactory>().CreateLogger("SenderAuth.Migrations"), ct).ConfigureAwait(false);
        var generated = await EnsureOperatorKeyAsync(db, options, time, ct).ConfigureAwait(false);
        await EnsureProviderKeyAsync(db, sp.GetRequiredService<KeyStore>(), options.Provider, time, ct).ConfigureAwait(false);
        try
        {
            await sp.GetRequiredService<ZonePublishingService>().PublishAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Degrade, never exit: the publishing service logged it, raised zone.publish-failed and woke
            // ZonePublishRetry; /ready says not ready with the reason until a publish succeeds. Exiting here took
            // the milter (and so all outgoing mail) down with one bad record or a DNS server that was down.
            sp.GetRequiredService<ILogger<StartupTasks>>().LogError(new EventId(LogEvents.Hosting + 1), e, "The first publish of the provider zone failed; the server starts and retries in the background");
        }
        return generated;
    }

    /// <summary>
    /// Brings the schema up to date at start, each migration logged with its time (the store's
    /// <see cref="StoreMigrations"/>, shared with <c>senderauth report --db</c>); a database from a newer release is
    /// refused with <see cref="DatabaseTooNewException"/> before anything changes.
    /// </summary>
    public static Task MigrateAsync(SenderAuthDb db, ILogger logger, CancellationToken ct) => StoreMigrations.MigrateAsync(db, logger, ct);

    private static async Task<string?> EnsureOperatorKeyAsync(SenderAuthDb db, ServerOptions options, TimeProvider time, CancellationToken ct)
    {
        if (options.OperatorKey is { } configured)
        {
            var hash = ApiKeyFormat.Hash(configured);
            if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash, ct).ConfigureAwait(false))
            {
                db.ApiKeys.Add(new ApiKey { Name = "configured", Scopes = ApiScopes.Store([ApiScope.Admin]), Prefix = ApiKeyFormat.Visible(configured), Hash = hash, CreatedAt = time.GetUtcNow().UtcDateTime });
                db.Record(time, "system", null, AuditActions.ApiKeyCreate, "operator:configured", "from SENDERAUTH_OPERATOR_KEY");
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            return null;
        }
        if (await db.ApiKeys.AnyAsync(k => k.InstitutionId == null && k.RevokedAt == null, ct).ConfigureAwait(false))
        {
            return null;
        }
        var key = ApiKeyFormat.Generate();
        db.ApiKeys.Add(new ApiKey { Name = "first-run", Scopes = ApiScopes.Store([ApiScope.Admin]), Prefix = ApiKeyFormat.Visible(key), Hash = ApiKeyFormat.Hash(key), CreatedAt = time.GetUtcNow().UtcDateTime });
        db.Record(time, "system", null, AuditActions.ApiKeyCreate, "operator:first-run", "generated on first start, printed once");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return key;
    }

    /// <summary>The provider's own key, for institutions whose policy signs unknown domains with the provider domain.</summary>
    private static async Task EnsureProviderKeyAsync(SenderAuthDb db, KeyStore keys, ProviderOptions provider, TimeProvider time, CancellationToken ct)
    {
        if (await db.Keys.AnyAsync(k => k.InstitutionId == null && k.State != DkimKeyState.Revoked, ct).ConfigureAwait(false))
        {
            return;
        }
        var target = $"{provider.OwnSelector}._domainkey.{DnsName.Normalize(provider.Zone)}";
        db.Keys.Add(keys.Generate(null, provider.OwnSelector, target, DkimKeyType.Rsa, provider.RsaBits));
        db.Record(time, "system", null, AuditActions.KeyGenerate, target, "the provider's own key");
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }
}
