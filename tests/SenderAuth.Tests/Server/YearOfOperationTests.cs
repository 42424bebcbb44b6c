using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Store.Data;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;
using SenderAuth.Server.Keys;
using SenderAuth.Server.Monitoring;
using SenderAuth.Server.Publishing;

namespace SenderAuth.Tests.Server;

/// <summary>Tests that publish the ticketing.test provider zone on the test Knot by RFC 2136 run one at a time.</summary>
[Trait("Layer", "server")]
[CollectionDefinition(Name)]
public sealed class ProviderZoneCollection
{
    public const string Name = "ticketing.test provider zone";
}

/// <summary>
/// A year (and a week) of operation on a fake clock against the real Knot, which receives the provider zone by
/// RFC 2136 and serves the institutions' zones: three domains in two key groups, four rotations each, a DNS
/// outage, one domain whose CNAMEs are deleted across a rotation (degraded → reminders → suspended → restored →
/// recovered), and the server restarted after every rotation step. Every simulated hour a message is signed
/// and verified over DNS, and last hour's message is verified again (mail in flight): none may fail because of
/// a rotation.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "knot")]
[Collection(ProviderZoneCollection.Name)]
public sealed class YearOfOperationTests
{
    private static readonly DateTimeOffset Start = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly int Days = int.TryParse(Environment.GetEnvironmentVariable("SENDERAUTH_YEAR_DAYS"), out var d) ? d : 372;
    private const int OutageDay = 45;
    private const int DeleteDay = 178;
    private const int RestoreDay = 186;

    [Fact]
    public async Task A_year_of_checks_and_rotations_never_fails_a_signature()
    {
        var dns = Env("SENDERAUTH_TEST_DNS");
        var tsig = Env("SENDERAUTH_TEST_TSIG").Split(':', 3);
        var zone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        var providerZone = Env("SENDERAUTH_TEST_SERVER_ZONE");
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider(Start);
        var outage = new OutageSwitch();
        var data = Directory.CreateTempSubdirectory("sa-year-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["SenderAuth:Publishing:Mode"] = "rfc2136",
            ["SenderAuth:Publishing:Rfc2136Server"] = dns,
            ["SenderAuth:Publishing:TsigKeyName"] = tsig[1],
            ["SenderAuth:Publishing:TsigSecret"] = tsig[2],
            ["SenderAuth:Provider:Zone"] = providerZone,
            ["SenderAuth:Provider:DkimZone"] = "dkim." + providerZone,
            ["SenderAuth:Provider:SpfInclude"] = "spf." + providerZone,
            ["SenderAuth:Provider:ReportAddress"] = "mailto:{code}@rua." + providerZone,
            ["SenderAuth:Provider:KeyTtl"] = "300",
            // Daily instead of hourly re-checks keep the year under two minutes; pending and degraded domains still go hourly.
            ["SenderAuth:Monitoring:VerifiedInterval"] = "1.00:00:00",
            ["SenderAuth:Monitoring:DegradedInterval"] = "01:00:00",
            ["SenderAuth:Monitoring:Jitter"] = "0",
            ["SenderAuth:Monitoring:MaxStepsPerPass"] = "1",
        };
        void Services(IServiceCollection services)
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<IDnsResolver>(sp => new OutageResolver(
                ResolverSetup.Create(sp.GetRequiredService<IOptions<ResolverOptions>>().Value, sp.GetRequiredService<IOptions<ProviderOptions>>().Value, sp.GetRequiredService<IZonePublisher>()), outage));
        }
        var host = await ServerHost.StartAsync("sqlite", settings, Services, data);
        try
        {
            var client = host.Client();
            var domains = new[] { ("yra", $"y1a.{zone}"), ("yra", $"y1b.{zone}"), ("yrb", $"y2.{zone}") };
            await client.CreateInstitution("yra");
            await client.CreateInstitution("yrb");
            foreach (var (code, domain) in domains)
            {
                await client.CreateDomain(code, domain);
                var fragment = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/records?format=zone", ct)).Content.ReadAsStringAsync(ct);
                await KnotUpdate.AddAsync(dns, tsig, zone, fragment);
                await (await client.PostJson($"/api/v1/institutions/{code}/domains/{domain}/signing", new { enabled = true })).Json(HttpStatusCode.OK);
            }
            await AddWebhookAsync(host, "yrb");
            var cnames = (await (await client.GetAsync($"/api/v1/institutions/yrb/domains/y2.{zone}/records?format=zone", ct)).Content.ReadAsStringAsync(ct))
                .Split('\n').Where(l => l.Contains(" CNAME ", StringComparison.Ordinal)).ToList();

            // Receivers' DNS: the real servers, never the outage switch the server sees.
            var receiver = ResolverSetup.Create(host.Services.GetRequiredService<IOptions<ResolverOptions>>().Value, host.Services.GetRequiredService<IOptions<ProviderOptions>>().Value, host.Services.GetRequiredService<IZonePublisher>());
            var verifier = new DkimVerifier(receiver, timeProvider: clock);
            var failures = new List<string>();
            var previous = new Dictionary<string, byte[]>();
            var lastSteps = new Dictionary<string, RotationStep>();
            var restarts = 0;
            TimeSpan timeMonitor = default, timeSign = default, timeVerify = default, timeChecks = default;
            var checks = 0;
            var outageStates = new List<string>();
            for (var hour = 1; hour <= Days * 24; hour++)
            {
                clock.Advance(TimeSpan.FromHours(1));
                var day = hour / 24;
                outage.Down = day == OutageDay && hour % 24 < 6;
                if (hour == DeleteDay * 24)
                {
                    await KnotUpdate.SendAsync(dns, tsig, zone, cnames.Select(l => "update delete " + l));
                }
                if (hour == RestoreDay * 24)
                {
                    await KnotUpdate.SendAsync(dns, tsig, zone, cnames.Select(l => "update add " + l));
                }
                var sw = Stopwatch.StartNew();
                var pass = await host.Services.GetRequiredService<MonitorService>().RunOnceAsync(ct);
                timeMonitor += sw.Elapsed;
                if (pass.Checked > 0) { timeChecks += sw.Elapsed; checks += pass.Checked; }
                if (outage.Down)
                {
                    outageStates.AddRange(await StatesAsync(host));
                }

                // Restart after every rotation step: the next steps must continue from the database alone.
                var steps = await RotationStepsAsync(host);
                if (steps.Any(s => !lastSteps.TryGetValue(s.Key, out var before) || before != s.Value) && lastSteps.Count > 0)
                {
                    await host.DisposeAsync();
                    host = await ServerHost.StartAsync("sqlite", settings, Services, data);
                    client = host.Client();
                    restarts++;
                }
                lastSteps = steps;

                var y2Broken = day >= DeleteDay && day < RestoreDay + 1;
                foreach (var (_, domain) in domains)
                {
                    if (domain.StartsWith("y1b", StringComparison.Ordinal) && hour % 24 != 0)
                    {
                        continue;
                    }
                    var sw2 = Stopwatch.StartNew();
                    var response = await client.Sign(ApiClient.Message($"tickets@{domain}", $"hour {hour}"));
                    timeSign += sw2.Elapsed;
                    if (domain.StartsWith("y2", StringComparison.Ordinal) && y2Broken)
                    {
                        continue;
                    }
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Add($"hour {hour} {domain}: sign {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                        continue;
                    }
                    var signed = await response.Content.ReadAsByteArrayAsync(ct);
                    var sw3 = Stopwatch.StartNew();
                    await VerifyAsync(verifier, signed, $"hour {hour} {domain}", failures, ct);
                    timeVerify += sw3.Elapsed;
                    if (previous.TryGetValue(domain, out var inFlight))
                    {
                        await VerifyAsync(verifier, inFlight, $"hour {hour} {domain} (signed an hour earlier)", failures, ct);
                    }
                    previous[domain] = signed;
                }
                if (failures.Count > 5)
                {
                    break;
                }
            }

            TestContext.Current.SendDiagnosticMessage($"checks {checks} in {timeChecks}, monitor {timeMonitor}, sign {timeSign}, verify {timeVerify}, restarts {restarts}");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            // Four switches per key group; the last one's retention may still run when the simulation ends.
            var switched = await db.Audit.Where(a => a.Action == "rotation.retaining").GroupBy(a => a.Subject).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
            Assert.Equal(2, switched.Count);
            Assert.All(switched, c => Assert.True(c.Count >= 4, $"{c.Key}: {c.Count} rotations"));
            Assert.True(await db.Audit.CountAsync(a => a.Action == "rotation.idle", ct) >= 6, "rotations completed (old key revoked)");
            Assert.True(restarts >= 24, $"{restarts} restarts");

            // The outage: "could not check", never a change of state.
            Assert.NotEmpty(outageStates);
            Assert.All(outageStates, s => Assert.Equal("Verified", s));
            Assert.True(await db.CheckRuns.AnyAsync(c => c.Incomplete, ct));

            var y2 = await db.Domains.SingleAsync(d => d.Name == $"y2.{zone}", ct);
            var history = await db.Transitions.Where(t => t.DomainId == y2.Id).OrderBy(t => t.Id).Select(t => $"{t.From}->{t.To}").ToListAsync(ct);
            Assert.Equal(["Pending->Verified", "Verified->Degraded", "Degraded->Failed", "Failed->Verified"], history);
            Assert.False(y2.SigningSuspended);
            var events = await db.WebhookDeliveries.Select(d => d.Event).ToListAsync(ct);
            foreach (var expected in new[] { "domain.degraded", "domain.degraded.reminder", "domain.failed", "domain.recovered", "rotation.retaining" })
            {
                Assert.Contains(expected, events);
            }
            Assert.Contains(await db.Audit.Select(a => a.Action).ToListAsync(ct), a => a == "signing.suspend");
            // The rotation that fell in the deletion waited for DNS while the domain still signed (its grace period):
            // no switch between the deletion and the suspension.
            var suspended = await db.Audit.Where(a => a.Action == "signing.suspend").Select(a => a.At).SingleAsync(ct);
            var y2Switches = await db.Audit.Where(a => a.Action == "rotation.retaining" && EF.Functions.Like(a.Subject, "sel1-yrb%")).Select(a => a.At).ToListAsync(ct);
            Assert.DoesNotContain(y2Switches, at => at >= Start.UtcDateTime.AddDays(DeleteDay) && at < suspended);
            // It was due then: its canary failed (the CNAMEs were gone), it stopped, and it resumed once y2 no longer signed.
            Assert.True(await db.Audit.AnyAsync(a => a.Action == "rotation.blocked" && EF.Functions.Like(a.Subject, "sel1-yrb%") && a.At >= Start.UtcDateTime.AddDays(DeleteDay) && a.At < suspended, ct),
                "a rotation of y2's keys was due while its CNAMEs were deleted, and its canary stopped it");
            Assert.True(await db.Audit.AnyAsync(a => a.Action == "rotation.idle" && a.Detail!.StartsWith("resumed") && EF.Functions.Like(a.Subject, "sel1-yrb%"), ct),
                "the stopped rotation resumed");
        }
        finally
        {
            await host.DisposeAsync();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // Best effort, as ServerHost's own: a pooled SQLite connection closing late may recreate the -wal
                // file while the folder is removed (seen once on a loaded machine); a left temp folder is harmless.
            }
        }
    }

    private static async Task VerifyAsync(DkimVerifier verifier, byte[] message, string what, List<string> failures, CancellationToken ct)
    {
        var outcome = await verifier.VerifyAsync(message, ct);
        var signature = outcome.Signatures.FirstOrDefault();
        if (signature?.Result != DkimResult.Pass)
        {
            failures.Add($"{what}: {signature?.Result} {signature?.Reason} {signature?.Detail}");
        }
    }

    private static async Task<Dictionary<string, RotationStep>> RotationStepsAsync(ServerHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        return await db.Rotations.ToDictionaryAsync(r => r.GroupTarget, r => r.Step);
    }

    private static async Task<List<string>> StatesAsync(ServerHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        return await db.Domains.Select(d => d.State.ToString()).ToListAsync();
    }

    private static async Task AddWebhookAsync(ServerHost host, string code)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        var protector = scope.ServiceProvider.GetRequiredService<KeyProtector>();
        var institution = await db.Institutions.SingleAsync(i => i.Code == code);
        const string url = "http://127.0.0.1:9/hook";
        db.Webhooks.Add(new Webhook { InstitutionId = institution.Id, Url = url, SealedSecret = protector.Seal("secret"u8, "webhook:" + url), CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    private static string Env(string name)
    {
        var value = TestServers.Get(name);
        if (value is null)
        {
            Assert.Skip($"{name} is unset (the test Knot is not running): run ./run-tests");
        }
        return value;
    }

    private sealed class OutageSwitch
    {
        public volatile bool Down;
    }

    /// <summary>The server's DNS, with an outage switch: every question times out while it is on.</summary>
    private sealed class OutageResolver(IDnsResolver inner, OutageSwitch outage) : IDnsResolver
    {
        public ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default) =>
            outage.Down ? ValueTask.FromResult(DnsAnswer.Timeout) : inner.QueryAsync(name, type, cancellationToken);
    }
}
