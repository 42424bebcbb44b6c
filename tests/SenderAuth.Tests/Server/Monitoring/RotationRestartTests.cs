using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Dkim;
using SenderAuth.Store.Data;
using SenderAuth.Server.Keys;
using SenderAuth.Server.Monitoring;

namespace SenderAuth.Tests.Server.Monitoring;

/// <summary>
/// The one rotation step that takes two commits (the new key, then the rotation row pointing at it): a crash
/// between them leaves a key nobody points at. The next pass must end in the same state as a clean run.
/// </summary>
[Trait("Layer", "server")]
public sealed class RotationRestartTests
{
    [Fact]
    public async Task A_crash_inside_the_generate_step_leaves_one_new_key_and_the_rotation_continues()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Monitoring:MaxStepsPerPass"] = "1" });
        var client = host.Client();
        await client.CreateInstitution("crash");
        await client.CreateDomain("crash", "crash.example");
        const string sel1 = "sel1-crash._domainkey.dkim.ticketing.example";
        const string sel2 = "sel2-crash._domainkey.dkim.ticketing.example";
        long orphan;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var domain = await db.Domains.Include(d => d.Institution).SingleAsync(d => d.Name == "crash.example");
            // Not signing: the canary after each step needs the institution's DNS, which this test has none of.
            var active = await db.Keys.SingleAsync(k => k.TargetName == sel1);
            active.State = DkimKeyState.Active;
            db.Rotations.Add(new KeyRotation { InstitutionId = domain.InstitutionId, GroupTarget = sel1, Step = RotationStep.Idle, Requested = true });
            // The first commit of the generate step, as a crash would leave it: standby revoked, a new key, rotation still idle.
            var standby = await db.Keys.SingleAsync(k => k.TargetName == sel2);
            standby.State = DkimKeyState.Revoked;
            var key = scope.ServiceProvider.GetRequiredService<KeyStore>().Generate(domain.InstitutionId, "stxsel2", sel2, DkimKeyType.Rsa, 1024);
            db.Keys.Add(key);
            await db.SaveChangesAsync();
            orphan = key.Id;
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var rotation = await db.Rotations.SingleAsync(r => r.GroupTarget == sel1);
            Assert.True(await scope.ServiceProvider.GetRequiredService<KeyRotator>().AdvanceAsync(rotation, TestContext.Current.CancellationToken));
            Assert.Equal(RotationStep.Generated, rotation.Step);
            var live = await db.Keys.Where(k => k.TargetName == sel2 && k.State != DkimKeyState.Revoked).ToListAsync();
            var next = Assert.Single(live);
            Assert.Equal(rotation.NewKeyId, next.Id);
            Assert.NotEqual(orphan, next.Id);
            Assert.Equal(DkimKeyState.Revoked, (await db.Keys.SingleAsync(k => k.Id == orphan)).State);
            Assert.Equal((await db.Keys.SingleAsync(k => k.TargetName == sel1)).Id, rotation.OldKeyId);

            Assert.True(await scope.ServiceProvider.GetRequiredService<KeyRotator>().AdvanceAsync(rotation, TestContext.Current.CancellationToken));
            Assert.Equal(RotationStep.Publishing, rotation.Step);
            var zone = await (await client.GetAsync("/api/v1/provider-zone")).Content.ReadAsStringAsync();
            Assert.Contains(next.PublicKey[..60], zone, StringComparison.Ordinal);
            var audit = await db.Audit.Where(a => a.Subject == sel1 && a.Action.StartsWith("rotation.")).Select(a => a.Action).ToListAsync();
            Assert.Equal(["rotation.generated", "rotation.publishing"], audit);
        }
        var status = await (await client.GetAsync("/api/v1/institutions/crash/domains/crash.example/rotation")).Json(HttpStatusCode.OK);
        Assert.Equal("publishing", status["step"]!.GetValue<string>());
        Assert.Equal("stxsel1", status["signingSelector"]!.GetValue<string>());
        Assert.Equal("wait until DNS serves the new key through every CNAME", status["next"]!.GetValue<string>());
    }
}
