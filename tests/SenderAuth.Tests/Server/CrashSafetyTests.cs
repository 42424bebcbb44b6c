using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Server;

/// <summary>
/// The real server as a child process (<c>./senderauth serve</c>, the launcher's build), killed with SIGKILL
/// while concurrent clients create institutions and domains (each creation commits keys, audit entries and the
/// domain together). After a restart on the same data, everything that was acknowledged with a 2xx must be
/// there, whole: the domain, both keys, the audit entries, the key records in the provider zone; and the database
/// must open cleanly (/ready is Healthy). SQLite always; PostgreSQL too when SENDERAUTH_TEST_POSTGRES is set
/// (tests/servers/postgres), in a fresh database per run.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "knot")]
[Trait("Needs", "postgres")]
public sealed class CrashSafetyTests
{
    private const string OperatorKey = "crash-safety-operator-key-0123456789";
    // Base64 of 32 fixed bytes: the same master key on both starts, so the sealed keys open after the restart.
    private static readonly string MasterKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private const int Clients = 4;

    [Fact]
    public async Task Sqlite_KillDuringCreations_KeepsEveryAcknowledgedCreation()
    {
        var data = Directory.CreateTempSubdirectory("sa-crash-");
        try
        {
            await RunAsync(data.FullName, []);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_KillDuringCreations_KeepsEveryAcknowledgedCreation()
    {
        var admin = TestServers.Get("SENDERAUTH_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(admin))
        {
            Assert.Skip("SENDERAUTH_TEST_POSTGRES is not set: the PostgreSQL test server (tests/servers/postgres) was not started; run ./run-tests");
        }
        var ct = TestContext.Current.CancellationToken;
        var name = $"sa_crash_{Guid.NewGuid():N}";
        await using (var c = new NpgsqlConnection(admin))
        {
            await c.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", c);
            await create.ExecuteNonQueryAsync(ct);
        }
        var data = Directory.CreateTempSubdirectory("sa-crash-pg-");
        try
        {
            var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
            await RunAsync(data.FullName, ["--database", "postgres", "--connection-string", cs]);
        }
        finally
        {
            data.Delete(recursive: true);
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(admin);
            await c.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", c);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task RunAsync(string data, string[] database)
    {
        var ct = TestContext.Current.CancellationToken;
        var run = Guid.NewGuid().ToString("N")[..6];
        var acked = new ConcurrentBag<(string Code, string Domain)>();
        var ackedInstitutions = new ConcurrentBag<string>();
        var inFlight = 0;

        await using (var server = await StartAsync(data, database, ct))
        {
            using var http = server.Client();
            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var code = $"k{run}c{c}n{i}";
                    var domain = $"crash-{run}-{c}-{i}.example";
                    try
                    {
                        using var inst = await http.PostAsJsonAsync("/api/v1/institutions", new { code, name = $"Crash {c}/{i}" }, CancellationToken.None);
                        if (!inst.IsSuccessStatusCode)
                        {
                            Assert.Fail($"creating {code} before the kill: {(int)inst.StatusCode} {await inst.Content.ReadAsStringAsync(CancellationToken.None)}");
                        }
                        ackedInstitutions.Add(code);
                        using var dom = await http.PostAsJsonAsync($"/api/v1/institutions/{code}/domains", new { name = domain }, CancellationToken.None);
                        if (!dom.IsSuccessStatusCode)
                        {
                            Assert.Fail($"creating {domain} before the kill: {(int)dom.StatusCode} {await dom.Content.ReadAsStringAsync(CancellationToken.None)}");
                        }
                        acked.Add((code, domain));
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        // The server was killed under this request: its outcome is unknown, so nothing is asserted about it.
                        Interlocked.Increment(ref inFlight);
                        return;
                    }
                }
            }, CancellationToken.None)).ToList();

            // Kill once some creations are through and the clients are in the middle of others (a few seconds at most).
            var deadline = Stopwatch.StartNew();
            while (acked.Count < 6 && deadline.Elapsed < TimeSpan.FromSeconds(60) && !clients.Any(t => t.IsFaulted))
            {
                await Task.Delay(50, ct);
            }
            await Task.Delay(Random.Shared.Next(50, 400), ct);
            server.Kill();
            stop.Cancel();
            await Task.WhenAll(clients);
            Assert.True(acked.Count >= 6, $"only {acked.Count} domain creations were acknowledged before the kill");
        }

        // Restart on the same data: it must start (migrations, a first publish) and be ready.
        await using var again = await StartAsync(data, database, ct);
        using var api = again.Client();

        var audit = await AuditAsync(api, ct);
        var zoneText = await api.GetStringAsync("/api/v1/provider-zone", ct);
        var zone = ZoneFileParser.Parse(zoneText);
        var txt = zone.Records.OfType<TxtRecord>().GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Select(r => r.Text).ToList());

        foreach (var code in ackedInstitutions)
        {
            using var r = await api.GetAsync($"/api/v1/institutions/{code}", ct);
            Assert.True(r.IsSuccessStatusCode, $"institution {code} was acknowledged before the kill but is gone: {(int)r.StatusCode}");
            Assert.Contains(audit, a => a.Action == "institution.create" && a.Subject == code);
        }
        foreach (var (code, domain) in acked)
        {
            using var r = await api.GetAsync($"/api/v1/institutions/{code}/domains/{domain}", ct);
            Assert.True(r.IsSuccessStatusCode, $"domain {domain} was acknowledged before the kill but is gone: {(int)r.StatusCode}");
        }

        // Every domain there now, acknowledged or caught by the kill after its commit, is whole: both keys, its audit
        // entries, its keys' records in the provider zone.
        var institutions = await PagesAsync(api, "/api/v1/institutions", ct);
        var checkedDomains = 0;
        foreach (var code in institutions.Select(i => i.GetProperty("code").GetString()!).Where(c => c.StartsWith($"k{run}", StringComparison.Ordinal)))
        {
            foreach (var domain in (await PagesAsync(api, $"/api/v1/institutions/{code}/domains", ct)).Select(d => d.GetProperty("name").GetString()!))
            {
                checkedDomains++;
                var keys = (await api.GetFromJsonAsync<JsonElement>($"/api/v1/institutions/{code}/domains/{domain}/keys", ct)).GetProperty("items").EnumerateArray().ToList();
                Assert.NotNull(keys);
                Assert.Equal(["stxsel1", "stxsel2"], keys.Select(k => k.GetProperty("selector").GetString()).Order());
                Assert.Contains(audit, a => a.Action == "domain.create" && a.Subject == domain);
                foreach (var key in keys)
                {
                    var target = key.GetProperty("target").GetString()!;
                    var publicKey = key.GetProperty("publicKey").GetString()!;
                    Assert.Contains(audit, a => a.Action == "key.generate" && a.Subject == target);
                    Assert.True(txt.TryGetValue(DnsName.Normalize(target), out var values), $"the provider zone has no record at {target}");
                    Assert.Contains(values, v => v.Contains($"p={publicKey}", StringComparison.Ordinal));
                }
            }
        }
        Assert.True(checkedDomains >= acked.Count, $"{checkedDomains} domains listed after the restart, {acked.Count} acknowledged");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{(database.Length == 0 ? "sqlite" : "postgres")}: {ackedInstitutions.Count} institutions and {acked.Count} domains acknowledged, {inFlight} requests cut by the kill; "
            + $"after the restart {checkedDomains} domains, each whole; {audit.Count} audit entries");
    }

    private sealed record AuditEntry(string Action, string Subject);

    private static async Task<List<AuditEntry>> AuditAsync(HttpClient api, CancellationToken ct) =>
        (await PagesAsync(api, "/api/v1/audit", ct)).Select(a => new AuditEntry(a.GetProperty("action").GetString()!, a.GetProperty("subject").GetString() ?? "")).ToList();

    /// <summary>Every item of a paged list (items, page, pageSize, total), 200 at a time.</summary>
    private static async Task<List<JsonElement>> PagesAsync(HttpClient api, string path, CancellationToken ct)
    {
        var all = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var doc = await api.GetFromJsonAsync<JsonElement>($"{path}?page={page}&pageSize=200", ct);
            var items = doc.GetProperty("items").EnumerateArray().ToList();
            all.AddRange(items);
            if (items.Count == 0 || all.Count >= doc.GetProperty("total").GetInt32())
            {
                return all;
            }
        }
    }

    private static Task<ServerProcess> StartAsync(string data, string[] database, CancellationToken ct)
    {
        string[] args = ["serve", "--data", data, "--dns", "127.0.0.1:0", .. database, "--SenderAuth:Resolver:TimeoutSeconds=1"];
        if (TestServers.Get("SENDERAUTH_TEST_DNS") is { Length: > 0 } dns)
        {
            args = [.. args, "--resolver", dns];
        }
        return ServerProcess.StartAsync(args, OperatorKey, MasterKey, ct);
    }
}
