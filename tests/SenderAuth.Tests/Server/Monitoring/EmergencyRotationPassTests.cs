using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Server.Monitoring;
using SenderAuth.Server.Publishing;
using SenderAuth.Store.Data;

namespace SenderAuth.Tests.Server.Monitoring;

/// <summary>
/// An emergency rotation skips the TTL wait, so with the default MaxStepsPerPass (4) one scheduler pass goes from
/// idle through generate and publish to the switch. Publishing confirms the new key (Created → Published) in its own
/// database session; the switch then writes that key in the rotator's session and must not carry a stale copy of it
/// (issue 24: it failed as a concurrency conflict). And a real conflict in a step fails only that step: the pass goes
/// on and the next pass continues the rotation from the database.
/// </summary>
[Trait("Layer", "server")]
public sealed class EmergencyRotationPassTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Emergency_rotation_with_default_steps_per_pass_switches_in_one_pass()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var client = host.Client();
        var (sel1, sel2) = await RotatingDomainAsync(host, client, "emrsa");
        var api = "/api/v1/institutions/emrsa/domains/emrsa.example/rotation";
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostJson(api, new { emergency = true })).StatusCode);
        var confirmedBefore = await ConfirmedAsync(host, sel2);

        // The scheduler's own entry point, as the server's timer calls it.
        var pass = await host.Services.GetRequiredService<MonitorService>().RunOnceAsync(Ct);

        Assert.Equal(1, pass.RotationsAdvanced);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var rotation = await db.Rotations.AsNoTracking().SingleAsync(r => r.GroupTarget == sel1, Ct);
            Assert.Equal(RotationStep.Retaining, rotation.Step);
            var next = await db.Keys.AsNoTracking().SingleAsync(k => k.Id == rotation.NewKeyId, Ct);
            Assert.Equal((sel2, DkimKeyState.Active), (next.TargetName, next.State));
            // Confirmed served by the publishing service in the same pass, before the switch.
            Assert.NotNull(next.PublishedAt);
            Assert.Equal(confirmedBefore + 1, await ConfirmedAsync(host, sel2));
            Assert.Equal(DkimKeyState.Retiring, (await db.Keys.AsNoTracking().SingleAsync(k => k.Id == rotation.OldKeyId, Ct)).State);
            Assert.Equal(["rotation.generated", "rotation.publishing", "rotation.retaining"], await RotationAuditAsync(db, sel1));
        }
        var status = await (await client.GetAsync(api, Ct)).Json(HttpStatusCode.OK);
        Assert.Equal(("retaining", "stxsel2"), (status["step"]!.GetValue<string>(), status["signingSelector"]!.GetValue<string>()));

        // Cutting the retention short (the old key is the compromised one) ends the rotation at the next pass.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostJson(api, new { emergency = true })).StatusCode);
        Assert.Equal(1, (await host.Services.GetRequiredService<MonitorService>().RunOnceAsync(Ct)).RotationsAdvanced);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var rotation = await db.Rotations.AsNoTracking().SingleAsync(r => r.GroupTarget == sel1, Ct);
            Assert.Equal(RotationStep.Idle, rotation.Step);
            Assert.Equal(DkimKeyState.Revoked, (await db.Keys.AsNoTracking().SingleAsync(k => k.Id == rotation.OldKeyId, Ct)).State);
            Assert.Equal(DkimKeyState.Active, (await db.Keys.AsNoTracking().SingleAsync(k => k.Id == rotation.NewKeyId, Ct)).State);
        }
    }

    [Fact]
    public async Task A_conflict_inside_a_step_fails_that_step_only_and_the_next_pass_continues()
    {
        var publisher = default(InterferingPublisher);
        await using var host = await ServerHost.StartAsync("sqlite", services: services =>
        {
            var inner = services.Last(d => d.ServiceType == typeof(IZonePublisher));
            services.AddSingleton<IZonePublisher>(sp =>
                publisher = new InterferingPublisher((IZonePublisher)inner.ImplementationFactory!(sp), sp.GetRequiredService<IServiceScopeFactory>()));
        });
        var client = host.Client();
        var (sel1, sel2) = await RotatingDomainAsync(host, client, "emcon");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostJson("/api/v1/institutions/emcon/domains/emcon.example/rotation", new { emergency = true })).StatusCode);
        // While the generated key is published, another writer saves the rotation row: the rotator's copy is stale.
        publisher!.TouchRotationOnce = sel1;

        var monitor = host.Services.GetRequiredService<MonitorService>();
        var failed = await monitor.RunOnceAsync(Ct);

        Assert.Null(publisher.TouchRotationOnce);
        Assert.Equal(0, failed.RotationsAdvanced);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            // The conflicting step was rolled back whole: still generated, nothing of the publishing step stored.
            Assert.Equal(RotationStep.Generated, (await db.Rotations.AsNoTracking().SingleAsync(r => r.GroupTarget == sel1, Ct)).Step);
            Assert.Equal(["rotation.generated"], await RotationAuditAsync(db, sel1));
        }

        var next = await monitor.RunOnceAsync(Ct);

        Assert.Equal(1, next.RotationsAdvanced);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var rotation = await db.Rotations.AsNoTracking().SingleAsync(r => r.GroupTarget == sel1, Ct);
            Assert.Equal(RotationStep.Retaining, rotation.Step);
            Assert.Equal((sel2, DkimKeyState.Active), await db.Keys.AsNoTracking().Where(k => k.Id == rotation.NewKeyId).Select(k => ValueTuple.Create(k.TargetName, k.State)).SingleAsync(Ct));
            Assert.Equal(["rotation.generated", "rotation.publishing", "rotation.retaining"], await RotationAuditAsync(db, sel1));
        }
    }

    /// <summary>
    /// A domain whose RSA pair rotates: the first key active and the rotation row idle. Not signing, as in
    /// RotationRestartTests: the switch waits for DNS and the canary only for signing domains, and this test has no
    /// institution DNS; the provider zone itself is on the host's built-in DNS, which confirms published keys.
    /// </summary>
    private static async Task<(string Sel1, string Sel2)> RotatingDomainAsync(ServerHost host, HttpClient client, string code)
    {
        await client.CreateInstitution(code);
        await client.CreateDomain(code, $"{code}.example");
        var sel1 = $"sel1-{code}._domainkey.dkim.ticketing.example";
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        var domain = await db.Domains.SingleAsync(d => d.Name == $"{code}.example", Ct);
        (await db.Keys.SingleAsync(k => k.TargetName == sel1, Ct)).State = DkimKeyState.Active;
        db.Rotations.Add(new KeyRotation { InstitutionId = domain.InstitutionId, GroupTarget = sel1, Step = RotationStep.Idle, NextRotationAt = DateTime.UtcNow.AddDays(90) });
        await db.SaveChangesAsync(Ct);
        return (sel1, $"sel2-{code}._domainkey.dkim.ticketing.example");
    }

    /// <summary>How often the publishing service confirmed a key at this target served (audit key.published).</summary>
    private static async Task<int> ConfirmedAsync(ServerHost host, string target)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SenderAuthDb>().Audit.CountAsync(a => a.Action == "key.published" && a.Subject == target, Ct);
    }

    /// <summary>The rotation steps audited for the group, in order (rotation.served names the new key's target, not the group).</summary>
    private static Task<List<string>> RotationAuditAsync(SenderAuthDb db, string group) =>
        db.Audit.AsNoTracking().Where(a => a.Subject == group && a.Action.StartsWith("rotation.") && a.Action != "rotation.emergency")
            .OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct);

    /// <summary>
    /// The host's publisher, which once saves the named rotation row from its own session while it publishes the
    /// generated key (any earlier publish in the pass, e.g. after a domain check, leaves it armed).
    /// </summary>
    private sealed class InterferingPublisher(IZonePublisher inner, IServiceScopeFactory scopes) : IZonePublisher
    {
        public string? TouchRotationOnce { get; set; }

        public PublishingMode Kind => inner.Kind;

        public System.Net.IPEndPoint? AuthoritativeServer => inner.AuthoritativeServer;

        public async Task PublishAsync(ProviderZone zone, CancellationToken cancellationToken)
        {
            await inner.PublishAsync(zone, cancellationToken);
            if (TouchRotationOnce is not { } group)
            {
                return;
            }
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var row = await db.Rotations.SingleAsync(r => r.GroupTarget == group, cancellationToken);
            if (row.Step != RotationStep.Generated)
            {
                return;
            }
            TouchRotationOnce = null;
            // Only its version changes (SaveChanges bumps it for every modified row), as any other write would.
            db.Entry(row).State = EntityState.Modified;
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
