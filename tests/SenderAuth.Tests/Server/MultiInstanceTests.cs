using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Store.Data;

namespace SenderAuth.Tests.Server;

/// <summary>
/// Three real server processes (<c>./senderauth serve</c>) on one fresh PostgreSQL database, with the
/// scheduler on in each, short real-time intervals, the provider zone published to the test Knot by RFC 2136 and
/// the institutions' records in Knot. Two rounds of emergency rotations run over three key groups; during the first
/// the instance holding a rotation lease is killed with SIGKILL. From the database: no domain check ran twice (two
/// instances taking the same due check would leave two check runs moments apart), none was lost (no gap longer than
/// the interval plus the dead instance's lease), every rotation step is audited exactly once per rotation, every
/// rotation finished with the new key active and the old one revoked; and the surviving instances sign with the new
/// keys, verified over DNS.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "knot")]
[Trait("Needs", "postgres")]
[Collection(ProviderZoneCollection.Name)]
public sealed class MultiInstanceTests
{
    private const string OperatorKey = "multi-instance-operator-key-0123456789";
    // The same master key for every instance: each must open the private keys the others generated.
    private static readonly string MasterKey = Convert.ToBase64String(Enumerable.Range(40, 32).Select(i => (byte)i).ToArray());
    private const int Instances = 3;
    private const int Groups = 3;
    private const int Rounds = 2;
    // Every check interval (pending, verified, degraded, failed, retry) is this, so the spacing of a domain's check
    // runs says whether one ran twice, whatever state the domain is in.
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private static readonly string[] Steps = ["rotation.generated", "rotation.publishing", "rotation.served", "rotation.retaining", "rotation.idle"];

    [Fact]
    public async Task Three_instances_share_checks_and_rotations_and_take_over_from_a_killed_one()
    {
        var admin = TestServers.Get("SENDERAUTH_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(admin))
        {
            Assert.Skip("SENDERAUTH_TEST_POSTGRES is not set: the PostgreSQL test server (tests/servers/postgres) was not started; run ./run-tests");
        }
        var dns = Env("SENDERAUTH_TEST_DNS");
        var tsig = Env("SENDERAUTH_TEST_TSIG").Split(':', 3);
        var zone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        var providerZone = Env("SENDERAUTH_TEST_SERVER_ZONE");
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        var phases = new List<string>();
        var clock = Stopwatch.StartNew();
        void Phase(string name) => phases.Add($"{name} {clock.Elapsed.TotalSeconds:0.0} s");

        var dbName = $"sa_multi_{Guid.NewGuid():N}";
        await using (var c = new NpgsqlConnection(admin))
        {
            await c.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{dbName}\"", c);
            await create.ExecuteNonQueryAsync(ct);
        }
        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = dbName }.ConnectionString;
        var data = Directory.CreateTempSubdirectory("sa-multi-");
        var servers = new List<ServerProcess>();
        var run = Guid.NewGuid().ToString("N")[..6];
        var groups = Enumerable.Range(0, Groups).Select(i => (Code: $"mi{run}{i}", Domain: $"mi{run}{i}.{zone}")).ToList();
        var published = new List<string>();
        using var stopSampling = new CancellationTokenSource();
        Task? sampler = null;
        try
        {
            string[] Args(int i) =>
            [
                "serve", "--data", Directory.CreateDirectory(Path.Combine(data.FullName, $"i{i}")).FullName, "--dns", "127.0.0.1:0",
                "--database", "postgres", "--connection-string", cs, "--resolver", dns,
                "--SenderAuth:Resolver:TimeoutSeconds=1",
                "--SenderAuth:Publishing:Mode=rfc2136",
                $"--SenderAuth:Publishing:Rfc2136Server={dns}",
                $"--SenderAuth:Publishing:TsigKeyName={tsig[1]}",
                $"--SenderAuth:Publishing:TsigSecret={tsig[2]}",
                $"--SenderAuth:Provider:Zone={providerZone}",
                $"--SenderAuth:Provider:DkimZone=dkim.{providerZone}",
                $"--SenderAuth:Provider:SpfInclude=spf.{providerZone}",
                $"--SenderAuth:Provider:ReportAddress=mailto:{{code}}@rua.{providerZone}",
                // A rotation's switch must be seen by the other instances' signing caches before the old key is revoked.
                "--SenderAuth:Signing:CacheSeconds=1",
                "--SenderAuth:Monitoring:Tick=00:00:01",
                $"--SenderAuth:Monitoring:PendingInterval={Interval}",
                $"--SenderAuth:Monitoring:VerifiedInterval={Interval}",
                $"--SenderAuth:Monitoring:DegradedInterval={Interval}",
                $"--SenderAuth:Monitoring:FailedInterval={Interval}",
                $"--SenderAuth:Monitoring:IncompleteRetry={Interval}",
                $"--SenderAuth:Monitoring:Lease={Lease}",
                "--SenderAuth:Monitoring:Jitter=0",
                // One step per pass: every step is claimed on its own, so the instances compete for each one.
                "--SenderAuth:Monitoring:MaxStepsPerPass=1",
                // No scheduled rotation in the test's window: only the requested ones, so each can be counted.
                "--SenderAuth:Monitoring:RotationInterval=1.00:00:00",
                "--SenderAuth:Monitoring:MinRotationInterval=00:00:00",
                "--SenderAuth:Monitoring:EmergencyRetention=00:00:03",
            ];
            // The first instance migrates the fresh database alone; the others find it migrated.
            servers.Add(await ServerProcess.StartAsync(Args(0), OperatorKey, MasterKey, ct));
            servers.AddRange(await Task.WhenAll(ServerProcess.StartAsync(Args(1), OperatorKey, MasterKey, ct), ServerProcess.StartAsync(Args(2), OperatorKey, MasterKey, ct)));
            Phase("started");

            // Onboarding, each group through another instance.
            for (var i = 0; i < Groups; i++)
            {
                using var api = servers[i % Instances].Client();
                var (code, domain) = groups[i];
                await api.CreateInstitution(code);
                await api.CreateDomain(code, domain);
                var fragment = await (await api.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/records?format=zone", ct)).Content.ReadAsStringAsync(ct);
                var lines = fragment.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith(';')).ToList();
                await KnotUpdate.SendAsync(dns, tsig, zone, lines.Select(l => "update add " + l));
                published.AddRange(lines);
                await EnableSigningAsync(api, code, domain, ct);
            }
            var windowStart = DateTime.UtcNow;
            Phase("onboarded");

            await using var db = new PostgresSenderAuthDb(new DbContextOptionsBuilder<PostgresSenderAuthDb>().UseNpgsql(cs).Options);
            var rotationIds = await db.Rotations.AsNoTracking().OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(ct);
            Assert.Equal(Groups, rotationIds.Count);

            // Who holds leases, sampled all along: shows the instances sharing the work.
            var owners = new ConcurrentDictionary<int, int>();
            sampler = Task.Run(() => SampleLeaseOwnersAsync(cs, owners, stopSampling.Token), CancellationToken.None);

            Kill? kill = null;
            for (var round = 1; round <= Rounds; round++)
            {
                var requested = DateTime.UtcNow;
                var alive = servers.Where(s => !s.Killed).ToList();
                for (var i = 0; i < Groups; i++)
                {
                    using var api = alive[(i + round) % alive.Count].Client();
                    var (code, domain) = groups[i];
                    // A body with its length: the endpoint reads no body without one (PostAsJsonAsync streams it chunked).
                    var status = await (await api.PostRaw($"/api/v1/institutions/{code}/domains/{domain}/rotation", "{\"emergency\":true}")).Json(HttpStatusCode.Accepted);
                    Assert.True(status["emergency"]!.GetValue<bool>(), status.ToJsonString());
                }
                if (round == 1)
                {
                    kill = await KillLeaseHolderAsync(db, servers, ct);
                    output?.WriteLine(kill.Describe());
                }
                await WaitRotatedAsync(db, requested, TimeSpan.FromSeconds(round == 1 ? 90 : 60), ct);
                Phase($"round {round} rotated");
            }
            Assert.NotNull(kill);

            // Let the checks run on past the kill long enough that a lost one would show as a gap.
            var settle = kill.At + Lease + Interval + Interval - DateTime.UtcNow;
            if (settle > TimeSpan.Zero)
            {
                await Task.Delay(settle, ct);
            }
            var windowEnd = DateTime.UtcNow;
            Phase("checks window closed");
            await stopSampling.CancelAsync();
            await sampler;

            // Checks: none ran twice (two runs of a domain within half the interval), none was lost (a gap longer than
            // the interval, a tick, a check's time and a dead instance's lease).
            var domainIds = await db.Domains.AsNoTracking().Where(d => d.Name.StartsWith($"mi{run}")).ToDictionaryAsync(d => d.Id, d => d.Name, ct);
            var runs = await db.CheckRuns.AsNoTracking().Where(r => domainIds.Keys.Contains(r.DomainId) && r.At >= windowStart && r.At <= windowEnd)
                .OrderBy(r => r.At).Select(r => new { r.DomainId, r.At }).ToListAsync(ct);
            var expectedRuns = (int)((windowEnd - windowStart - Lease) / (Interval + TimeSpan.FromSeconds(2)));
            foreach (var (id, name) in domainIds)
            {
                var times = runs.Where(r => r.DomainId == id).Select(r => r.At).ToList();
                Assert.True(times.Count >= Math.Max(expectedRuns, 3), $"{name}: {times.Count} check runs in {(windowEnd - windowStart).TotalSeconds:0} s, expected at least {expectedRuns}");
                var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
                Assert.True(gaps.Min() >= Interval / 2, $"{name}: two check runs {gaps.Min().TotalMilliseconds:0} ms apart (a due check ran twice): {Times(times)}");
                // The slack covers a tick and a check's own time on a loaded machine; a claim lost for good shows below.
                var longest = Interval + Lease + TimeSpan.FromSeconds(5);
                Assert.True(gaps.Max() <= longest, $"{name}: {gaps.Max().TotalSeconds:0.0} s without a check (a claim was lost): {Times(times)}");
                Assert.Contains(times, t => t > kill.At + Lease);
            }

            // Rotations: each step audited exactly once per rotation, every rotation complete.
            var rotations = await db.Rotations.AsNoTracking().OrderBy(r => r.Id).ToListAsync(ct);
            var audit = await db.Audit.AsNoTracking().Where(a => a.Action.StartsWith("rotation.")).OrderBy(a => a.Id).ToListAsync(ct);
            foreach (var rotation in rotations)
            {
                // One key group per institution: its rotation entries (rotation.served names the new key's target, not the group).
                var actions = audit.Where(a => a.InstitutionId == rotation.InstitutionId).Select(a => a.Action).ToList();
                Assert.Equal(Rounds, actions.Count(a => a == "rotation.emergency"));
                foreach (var step in Steps)
                {
                    Assert.True(actions.Count(a => a == step) == Rounds, $"{rotation.GroupTarget}: {step} audited {actions.Count(a => a == step)} times in {Rounds} rotations: {string.Join(", ", actions)}");
                }
                // In order, rotation after rotation: a step that ran twice or out of turn would break the sequence.
                Assert.Equal(Enumerable.Repeat<string[]>(["rotation.emergency", .. Steps], Rounds).SelectMany(s => s), actions);
                Assert.Equal(RotationStep.Idle, rotation.Step);
                Assert.False(rotation.Requested);
                // A live instance may hold a lease for a moment (a pass that listed the rotation before it went idle),
                // but the killed instance's lease was taken over when it expired.
                Assert.NotEqual(kill.Pid, OwnerPid(rotation.LeaseOwner));
                var keys = await db.Keys.AsNoTracking().Where(k => k.InstitutionId == rotation.InstitutionId).ToListAsync(ct);
                var active = Assert.Single(keys, k => k.State == DkimKeyState.Active);
                Assert.Equal(rotation.NewKeyId, active.Id);
                Assert.Equal(DkimKeyState.Revoked, keys.Single(k => k.Id == rotation.OldKeyId).State);
                Assert.All(keys.Where(k => k.Id != active.Id), k => Assert.Equal(DkimKeyState.Revoked, k.State));
            }
            // The killed instance's rotation waited for its lease to expire: nobody stepped it while the lease held.
            if (kill.HeldUntil is { } heldUntil)
            {
                var killed = rotations.Single(r => r.Id == kill.RotationId);
                var group = killed.GroupTarget;
                var after = audit.Where(a => a.InstitutionId == killed.InstitutionId && a.Action != "rotation.emergency" && a.At > kill.At).ToList();
                Assert.NotEmpty(after);
                Assert.True(after.Min(a => a.At) >= heldUntil, $"{group} was stepped at {after.Min(a => a.At):O}, before the dead instance's lease ran out at {heldUntil:O}");
            }

            // The work was shared: more than one instance was seen holding leases before the kill.
            var pids = servers.Select(s => s.Pid).ToHashSet();
            Assert.True(owners.Keys.Count(pids.Contains) >= 2, $"leases seen held by instances {string.Join(", ", owners.Select(o => $"{o.Key}×{o.Value}"))} of {string.Join(", ", pids)}");

            // Every surviving instance signs with the new keys, and the signatures verify over DNS (the test Knot
            // serves the institutions' zone and the provider zone, as receivers would find them).
            // As the servers resolve (ResolverSetup): Knot does not follow the institution's CNAME into the provider
            // zone, so the forwarding resolver follows it, to the provider zone's authoritative server (Knot again).
            var knot = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(dns)], Timeout = TimeSpan.FromSeconds(2) });
            var verifier = new DkimVerifier(new ForwardingDnsResolver(knot, [new(providerZone, knot)]));
            var signedCount = 0;
            foreach (var server in servers.Where(s => !s.Killed))
            {
                using var api = server.Client();
                for (var i = 0; i < Groups; i++)
                {
                    var (code, domain) = groups[i];
                    var institutionId = (await db.Institutions.AsNoTracking().SingleAsync(n => n.Code == code, ct)).Id;
                    var activeSelector = (await db.Keys.AsNoTracking().SingleAsync(k => k.InstitutionId == institutionId && k.State == DkimKeyState.Active, ct)).Selector;
                    using var response = await api.Sign(ApiClient.Message($"tickets@{domain}", $"after the rotations, via {server.Url.Port}"));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal($"signed; d={domain}; s={activeSelector}", response.Headers.GetValues("SenderAuth-Signing").Single());
                    var outcome = await verifier.VerifyAsync(await response.Content.ReadAsByteArrayAsync(ct), ct);
                    var signature = Assert.Single(outcome.Signatures);
                    Assert.True(signature.Result == DkimResult.Pass, $"{domain} via {server.Url}: {signature.Result} {signature.Reason} {signature.Detail}");
                    signedCount++;
                }
            }
            Assert.Equal((Instances - 1) * Groups, signedCount);
            output?.WriteLine($"{runs.Count} check runs over {(windowEnd - windowStart).TotalSeconds:0} s for {Groups} domains; {Rounds * Groups} rotations; "
                + $"lease holders seen (pid×samples): {string.Join(", ", owners.Select(o => $"{o.Key}×{o.Value}"))}; {signedCount} signatures verified; "
                + string.Join(", ", phases));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What each instance logged (the scheduler logs failed passes): the cause is usually there.
            foreach (var server in servers)
            {
                output?.WriteLine($"--- instance {server.Url} (pid {server.Pid}{(server.Killed ? ", killed" : "")}):\n{server.LogTail(80)}");
            }
            throw;
        }
        finally
        {
            await stopSampling.CancelAsync();
            if (sampler is not null)
            {
                await sampler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            }
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
            if (published.Count > 0)
            {
                await KnotUpdate.SendAsync(dns, tsig, zone, published.Select(l => "update delete " + l));
            }
            data.Delete(recursive: true);
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(admin);
            await c.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{dbName}\" WITH (FORCE)", c);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The instance that was killed, and whether it died holding a rotation's lease (then until when it held).</summary>
    private sealed record Kill(DateTime At, int Pid, long RotationId, RotationStep Step, DateTime? HeldUntil)
    {
        public string Describe() => HeldUntil is { } until
            ? $"killed pid {Pid} holding the lease of rotation {RotationId} in step {Step}; the lease runs to {until:O}"
            : $"killed pid {Pid} right after it held the lease of rotation {RotationId} (step {Step}); it had released it";
    }

    /// <summary>
    /// Waits until an instance holds a rotation's lease (it is inside a step), then kills that instance with SIGKILL.
    /// </summary>
    private static async Task<Kill> KillLeaseHolderAsync(SenderAuthDb db, List<ServerProcess> servers, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var now = DateTime.UtcNow;
            var held = await db.Rotations.AsNoTracking().Where(r => r.LeaseOwner != null && r.LeaseUntil > now)
                .Select(r => new { r.Id, r.Step, r.LeaseOwner }).ToListAsync(ct);
            foreach (var h in held)
            {
                if (servers.FirstOrDefault(s => s.Pid == OwnerPid(h.LeaseOwner)) is { } victim)
                {
                    victim.Kill();
                    var at = DateTime.UtcNow;
                    var row = await db.Rotations.AsNoTracking().SingleAsync(r => r.Id == h.Id, ct);
                    return new Kill(at, victim.Pid, h.Id, row.Step, row.LeaseOwner == h.LeaseOwner ? row.LeaseUntil : null);
                }
            }
            await Task.Delay(5, ct);
        }
        Assert.Fail("no instance was seen holding a rotation lease within 60 s of the rotation requests");
        throw new UnreachableException();
    }

    /// <summary>Waits until every rotation has finished since the request: back to Idle, revoked (LastRotatedAt after it).</summary>
    private static async Task WaitRotatedAsync(SenderAuthDb db, DateTime requested, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var rows = await db.Rotations.AsNoTracking().ToListAsync(ct);
            if (rows.All(r => r.Step == RotationStep.Idle && !r.Requested && r.LastRotatedAt >= requested))
            {
                return;
            }
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"rotations not finished within {timeout.TotalSeconds} s: "
                    + string.Join("; ", rows.Select(r => $"{r.GroupTarget} {r.Step} requested={r.Requested} emergency={r.Emergency} served={r.ServedAt:O} due={r.StepDueAt:O} "
                    + $"lease={r.LeaseOwner}/{r.LeaseUntil:O} {r.BlockedReason}")));
            }
            await Task.Delay(200, ct);
        }
    }

    private static async Task SampleLeaseOwnersAsync(string cs, ConcurrentDictionary<int, int> owners, CancellationToken ct)
    {
        await using var db = new PostgresSenderAuthDb(new DbContextOptionsBuilder<PostgresSenderAuthDb>().UseNpgsql(cs).Options);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var held = await db.Domains.AsNoTracking().Where(d => d.LeaseOwner != null).Select(d => d.LeaseOwner!)
                    .Concat(db.Rotations.AsNoTracking().Where(r => r.LeaseOwner != null).Select(r => r.LeaseOwner!)).ToListAsync(ct);
                foreach (var owner in held)
                {
                    owners.AddOrUpdate(OwnerPid(owner), 1, (_, n) => n + 1);
                }
                await Task.Delay(10, ct);
            }
        }
        catch (OperationCanceledException)
        {
            // Sampling ends with the test's window.
        }
    }

    /// <summary>The process id in a lease owner ("machine:pid:guid").</summary>
    private static int OwnerPid(string? owner) =>
        owner?.Split(':') is [.., var pid, _] && int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1;

    private static string Times(List<DateTime> times) => string.Join(" ", times.Select(t => t.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)));

    /// <summary>
    /// Enabling runs a check through the API, outside the scheduler's leases: when another instance's scheduled check
    /// commits the same domain row meanwhile, the API answers 409 (changed at the same time) and the client retries.
    /// </summary>
    private static async Task EnableSigningAsync(HttpClient api, string code, string domain, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await api.PostJson($"/api/v1/institutions/{code}/domains/{domain}/signing", new { enabled = true });
            if (response.StatusCode != HttpStatusCode.Conflict || attempt == 10)
            {
                var body = await response.Json(HttpStatusCode.OK);
                Assert.True(body["signingEnabled"]!.GetValue<bool>(), body.ToJsonString());
                return;
            }
            await Task.Delay(200, ct);
        }
    }

    private static string Env(string name)
    {
        var value = TestServers.Get(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            Assert.Skip($"{name} is unset (the test Knot is not running): run ./run-tests");
        }
        return value;
    }
}
