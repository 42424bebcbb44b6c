using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SenderAuth.Server.Keys;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.TenantAttacks;

/// <summary>
/// The quota, rate-limit and file attacks of issue 18, each tried by a hostile tenant against the real server
/// process (<c>./senderauth serve</c>) holding two institutions, "tenanta" (the attacker) and "tenantb" (the
/// bystander): the attack must be refused with its limit named and leave the other tenant's service intact, and the
/// server must restart on the same data afterwards and serve both.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "knot")]
public sealed partial class QuotaAttacks
{
    private const string OperatorKey = "quota-attacks-operator-key-0123456789";
    private const string Attacker = "tenanta";
    private const string Bystander = "tenantb";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DomainFlood_StopsAtTheQuotaWith409NamingIt_AndTheOtherTenantStillRegisters()
    {
        string[] settings = ["--SenderAuth:Quotas:MaxDomainsPerInstitution=3"];
        await AttackAsync(settings, async (server, a, b) =>
        {
            for (var i = 1; i <= 3; i++)
            {
                await (await a.PostJson($"/api/v1/institutions/{Attacker}/domains", new { name = $"flood{i}.example" })).Json(HttpStatusCode.Created);
            }
            var refused = await (await a.PostJson($"/api/v1/institutions/{Attacker}/domains", new { name = "flood4.example" })).Json(HttpStatusCode.Conflict);
            AssertLimit(refused, "SenderAuth:Quotas:MaxDomainsPerInstitution", 3);
            await (await b.PostJson($"/api/v1/institutions/{Bystander}/domains", new { name = "bystander.example" })).Json(HttpStatusCode.Created);
        });
        // The quota holds across the restart (it counts rows, not requests); AttackAsync restarted the server already.
    }

    [Fact]
    public async Task OversizedRsaKeyImport_IsRefusedWith400NamingTheLimit_AndNothingChanges()
    {
        await AttackAsync([], async (server, a, b) =>
        {
            await (await a.PostJson($"/api/v1/institutions/{Attacker}/domains", new { name = "bigkey.example" })).Json(HttpStatusCode.Created);
            var keysBefore = await a.GetStringAsync($"/api/v1/institutions/{Attacker}/domains/bigkey.example/keys", Ct);
            // 4608 bits stands for the 16384-bit key of the review: over the 4096-bit limit, and quick enough to generate here.
            using var huge = RSA.Create(4608);
            var refused = await (await a.PutAsJsonAsync($"/api/v1/institutions/{Attacker}/domains/bigkey.example/keys/stxsel2",
                new { pem = huge.ExportPkcs8PrivateKeyPem() }, Ct)).Json(HttpStatusCode.BadRequest);
            var detail = refused["detail"]!.GetValue<string>();
            Assert.Contains("4608 bits", detail, StringComparison.Ordinal);
            Assert.Contains("SenderAuth:Quotas:MaxRsaBits = 4096", detail, StringComparison.Ordinal);
            Assert.Equal("pem", refused["field"]!.GetValue<string>());
            Assert.Equal(keysBefore, await a.GetStringAsync($"/api/v1/institutions/{Attacker}/domains/bigkey.example/keys", Ct));
        });
    }

    [Fact]
    public async Task DeadWebhookEndpoints_OfOneTenant_DoNotDelayAnotherTenantsDeliveries()
    {
        string[] settings =
        [
            "--SenderAuth:Notifications:IntervalSeconds=0.2", "--SenderAuth:Notifications:TimeoutSeconds=30", "--SenderAuth:Notifications:LeaseSeconds=60",
            "--SenderAuth:Notifications:Parallelism=4", "--SenderAuth:Quotas:WebhookDeliveriesInFlightPerInstitution=2",
            "--SenderAuth:Quotas:MaxWebhooksPerInstitution=2",
            // The receivers listen on loopback, which webhook delivery refuses unless the operator allows it.
            "--SenderAuth:Notifications:AllowedNetworks:0=127.0.0.0/8",
        ];
        await using var dead = HangingEndpoint.Start();
        await using var receiver = await WebhookReceiver.StartAsync();
        await AttackAsync(settings, async (server, a, b) =>
        {
            // The attacker fills its webhook quota with receivers that accept the connection and never answer.
            var hooks = new List<long>();
            for (var i = 0; i < 2; i++)
            {
                var created = await (await a.PostJson("/api/v1/webhooks", new { url = $"{dead.Url}/hook{i}" })).Json(HttpStatusCode.Created);
                hooks.Add(created["id"]!.GetValue<long>());
            }
            var overQuota = await (await a.PostJson("/api/v1/webhooks", new { url = $"{dead.Url}/hook9" })).Json(HttpStatusCode.Conflict);
            AssertLimit(overQuota, "SenderAuth:Quotas:MaxWebhooksPerInstitution", 2);
            foreach (var hook in hooks)
            {
                for (var i = 0; i < 6; i++)
                {
                    await (await a.PostAsync($"/api/v1/webhooks/{hook}/test", null, Ct)).Json(HttpStatusCode.Accepted);
                }
            }
            await WaitUntilAsync(() => dead.Open >= 2, TimeSpan.FromSeconds(20), "the attacker's deliveries never reached its hanging endpoint");

            // While they hang (30 s each), the bystander's delivery goes out at once.
            var bHook = await (await b.PostJson("/api/v1/webhooks", new { url = receiver.Url })).Json(HttpStatusCode.Created);
            receiver.Secret = bHook["secret"]!.GetValue<string>();
            var clock = Stopwatch.StartNew();
            await (await b.PostAsync($"/api/v1/webhooks/{bHook["id"]!.GetValue<long>()}/test", null, Ct)).Json(HttpStatusCode.Accepted);
            await WaitUntilAsync(() => receiver.Received.Count > 0, TimeSpan.FromSeconds(10),
                "the bystander's webhook was not delivered within 10 s while the attacker's endpoint hung");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
            Assert.True(receiver.Received[0].SignatureValid);
            // The attacker never held more than its in-flight quota, whatever the number of its webhooks and queued events.
            Assert.True(dead.MostOpen <= 2, $"the attacker had {dead.MostOpen} deliveries in flight at once; its quota is 2");
            Assert.True(dead.Open >= 1, "the attacker's deliveries should still be hanging: the bystander was not merely served after them");
        });
        // After the restart the bystander's webhooks are still delivered.
        Assert.True(receiver.Received.Count >= 2, $"after the restart the bystander got {receiver.Received.Count} deliveries");
    }

    [Fact]
    public async Task BehindATrustedProxy_OneClientsFailures_LockOutOnlyThatClient()
    {
        string[] settings =
        [
            "--SenderAuth:Proxies:KnownProxies:0=127.0.0.1", "--SenderAuth:ClientLimits:SignInFailuresPerClient=3",
            "--SenderAuth:ClientLimits:FailedAuthPerMinute=10",
        ];
        await AttackAsync(settings, async (server, a, b) =>
        {
            // Sign-in: the script behind the proxy fails until it is refused; a user behind the same proxy signs in.
            using var script = DashboardClient(server, "198.51.100.66");
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(script, $"sa_guess{i}-not-a-key-at-all-0000000000000")).StatusCode);
            }
            using var locked = await SignInAsync(script, $"sa_guess9-not-a-key-at-all-0000000000000");
            Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
            Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a refused sign-in says when to retry");
            Assert.Contains("too many failed sign-ins", await locked.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            using var user = DashboardClient(server, "198.51.100.77");
            using var signedIn = await SignInAsync(user, KeyOf(b));
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            Assert.Equal("/dashboard", signedIn.Headers.Location?.OriginalString);
            Assert.Contains("Failed dashboard sign-in from 198.51.100.66", server.Log, StringComparison.Ordinal);

            // The API: a client sending bad keys is refused before its keys are looked up; other clients are not.
            using var flood = Api(server, "sa_bad-key-from-a-script-000000000000000000", "198.51.100.99");
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await flood.GetAsync("/api/v1/institutions", Ct)).StatusCode);
            }
            var refused = await flood.GetAsync("/api/v1/institutions", Ct);
            Assert.NotNull(refused.Headers.RetryAfter);
            AssertLimit(await refused.Json(HttpStatusCode.TooManyRequests), "SenderAuth:ClientLimits:FailedAuthPerMinute", 10);
            // Ahead of authentication: even a good key from that client waits out the minute.
            using var sameClientGoodKey = Api(server, KeyOf(a), "198.51.100.99");
            Assert.Equal(HttpStatusCode.TooManyRequests, (await sameClientGoodKey.GetAsync($"/api/v1/institutions/{Attacker}", Ct)).StatusCode);
            using var other = Api(server, KeyOf(b), "198.51.100.100");
            await (await other.GetAsync($"/api/v1/institutions/{Bystander}", Ct)).Json(HttpStatusCode.OK);
            // The proxy's own address (no forwarded header) is a client of its own, not the sum of those behind it.
            await (await b.GetAsync($"/api/v1/institutions/{Bystander}", Ct)).Json(HttpStatusCode.OK);
        });
    }

    [Fact]
    public async Task WithNoProxyConfigured_ForwardedHeadersAreIgnored_SoAClientCannotChooseTheAddressItIsCountedOn()
    {
        string[] settings = ["--SenderAuth:ClientLimits:FailedAuthPerMinute=3"];
        await AttackAsync(settings, async (server, a, b) =>
        {
            // Each bad-key request claims another address; with no trusted proxy they all count against the real one.
            for (var i = 0; i < 3; i++)
            {
                using var spoofing = Api(server, "sa_bad-key-from-a-script-000000000000000000", $"203.0.113.{i + 1}");
                Assert.Equal(HttpStatusCode.Unauthorized, (await spoofing.GetAsync("/api/v1/institutions", Ct)).StatusCode);
            }
            using var fresh = Api(server, "sa_bad-key-from-a-script-000000000000000000", "203.0.113.200");
            var refused = await fresh.GetAsync("/api/v1/institutions", Ct);
            AssertLimit(await refused.Json(HttpStatusCode.TooManyRequests), "SenderAuth:ClientLimits:FailedAuthPerMinute", 3);
            Assert.Contains("127.0.0.1", (await (await fresh.GetAsync("/api/v1/institutions", Ct)).Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task KeyRequestFlood_Gets429NamingTheLimit_WhileTheOtherTenantsKeyIsServed()
    {
        string[] settings = ["--SenderAuth:Limits:RequestsPerSecond=5", "--SenderAuth:Limits:Burst=5"];
        await AttackAsync(settings, async (server, a, b) =>
        {
            var flood = await Task.WhenAll(Enumerable.Range(0, 120).Select(_ => a.GetAsync($"/api/v1/institutions/{Attacker}", Ct)));
            var limited = flood.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            // 5 at once and 5 more a second: however slowly this machine sends the 120, most are over.
            Assert.True(limited.Count >= 60, $"only {limited.Count} of 120 requests in a burst over a 5/s limit were refused");
            Assert.All(flood, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{(int)r.StatusCode}"));
            Assert.NotNull(limited[0].Headers.RetryAfter);
            AssertLimit(await limited[0].Json(HttpStatusCode.TooManyRequests), "SenderAuth:Limits:RequestsPerSecond", 5);
            // The bystander's key has its own bucket.
            await (await b.GetAsync($"/api/v1/institutions/{Bystander}", Ct)).Json(HttpStatusCode.OK);
            foreach (var r in flood)
            {
                r.Dispose();
            }
        });
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task FirstRun_LeavesTheDataFolderToTheServersUserOnly_AndARestartTightensAnOlderFolder()
    {
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        const UnixFileMode ownerFolder = owner | UnixFileMode.UserExecute;
        var data = Directory.CreateTempSubdirectory("sa-files-");
        try
        {
            // A data folder that does not exist yet: the server creates it.
            var folder = Path.Combine(data.FullName, "data");
            await using (var server = await StartAsync(folder, []))
            {
                using var op = server.Client();
                await op.CreateInstitution(Attacker);
                var db = Path.Combine(folder, "senderauth.db");
                Assert.Equal(ownerFolder, File.GetUnixFileMode(folder));
                foreach (var file in new[] { db, db + "-wal", db + "-shm", Path.Combine(folder, "master.key") })
                {
                    Assert.True(File.Exists(file), $"{file} should exist while the server runs");
                    Assert.Equal(owner, File.GetUnixFileMode(file));
                }
                Assert.DoesNotContain("Master key placement", server.Log, StringComparison.Ordinal);
            }
            // An older version left them readable by everyone: the next start takes that back, and says so.
            File.SetUnixFileMode(folder, ownerFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            File.SetUnixFileMode(Path.Combine(folder, "senderauth.db"), owner | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            await using (var again = await StartAsync(folder, []))
            {
                Assert.Equal(ownerFolder, File.GetUnixFileMode(folder));
                Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(folder, "senderauth.db")));
                Assert.Contains("permissions tightened", again.Log, StringComparison.Ordinal);
                using var op = again.Client();
                Assert.Contains(Attacker, await op.GetStringAsync("/api/v1/institutions", Ct), StringComparison.Ordinal);
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public void MasterKeyBesideTheData_IsWarnedAbout_OnlyWhenTheServerListensBeyondLoopback()
    {
        var data = Directory.CreateTempSubdirectory("sa-mk-");
        try
        {
            File.WriteAllText(Path.Combine(data.FullName, "master.key"), Convert.ToBase64String(new byte[32]));
            var warning = MasterKeyPlacement.Warning(false, data.FullName, ["http://127.0.0.1:8080", "http://0.0.0.0:8080"]) ?? "";
            Assert.Contains("http://0.0.0.0:8080", warning, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", warning, StringComparison.Ordinal);
            Assert.Contains("SENDERAUTH_MASTER_KEY", warning, StringComparison.Ordinal);
            Assert.NotNull(MasterKeyPlacement.Warning(false, data.FullName, ["http://[::]:8080"]));
            Assert.NotNull(MasterKeyPlacement.Warning(false, data.FullName, ["http://*:8080"]));
            Assert.Null(MasterKeyPlacement.Warning(false, data.FullName, ["http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost:8080"]));
            // SENDERAUTH_MASTER_KEY set: the file is not what protects the keys.
            Assert.Null(MasterKeyPlacement.Warning(true, data.FullName, ["http://0.0.0.0:8080"]));
            Assert.Null(MasterKeyPlacement.Warning(false, Path.Combine(data.FullName, "elsewhere"), ["http://0.0.0.0:8080"]));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public void QuotaProxyAndClientSettings_OutOfRange_AreRefusedAtStartWithTheSettingNamed()
    {
        var options = new SenderAuth.Server.Hosting.ServerOptions();
        options.Provider.ApplyDefaults();
        options.Notifications.ApplyDefaults();
        Assert.Empty(OptionsCheck.Validate(options).Failures ?? []);
        options.Quotas.MaxDomainsPerInstitution = 0;
        options.Quotas.WebhookDeliveriesInFlightPerInstitution = options.Notifications.Parallelism;
        options.Quotas.MaxRsaBits = 16384;
        options.Quotas.MaxQueuedDeliveriesPerInstitution = 0;
        options.Proxies.KnownProxies.Add("proxy.example");
        options.Proxies.KnownNetworks.Add("10.0.0.0/33");
        options.ClientLimits.SignInFailuresPerClient = 0;
        var failures = OptionsCheck.Validate(options).Failures!.ToList();
        foreach (var setting in new[] { "SenderAuth:Quotas:MaxDomainsPerInstitution", "SenderAuth:Quotas:WebhookDeliveriesInFlightPerInstitution", "SenderAuth:Quotas: MinRsaBits",
            "SenderAuth:Quotas:MaxQueuedDeliveriesPerInstitution", "SenderAuth:Proxies:KnownProxies", "SenderAuth:Proxies:KnownNetworks", "SenderAuth:ClientLimits:SignInFailuresPerClient" })
        {
            Assert.Contains(failures, f => f.StartsWith(setting, StringComparison.Ordinal));
        }
        // Generated keys obey the same sizes as imported ones.
        options = new SenderAuth.Server.Hosting.ServerOptions();
        options.Quotas.MaxRsaBits = 2048;
        options.Provider.RsaBits = 3072;
        Assert.Contains(OptionsCheck.Validate(options).Failures!, f => f.StartsWith("SenderAuth:Provider:RsaBits (3072) must be within", StringComparison.Ordinal));
    }

    /// <summary>
    /// A fresh server with the two tenants (each with an admin key), the attack, then a restart on the same data that
    /// must come up and serve both tenants their own institution.
    /// </summary>
    private static async Task AttackAsync(string[] settings, Func<ServerProcess, HttpClient, HttpClient, Task> attack)
    {
        var data = Directory.CreateTempSubdirectory("sa-quota-");
        try
        {
            string keyA, keyB;
            await using (var server = await StartAsync(data.FullName, settings))
            {
                using var op = server.Client();
                await op.CreateInstitution(Attacker);
                await op.CreateInstitution(Bystander);
                keyA = await op.CreateInstitutionKey(Attacker);
                keyB = await op.CreateInstitutionKey(Bystander);
                using var a = Api(server, keyA);
                using var b = Api(server, keyB);
                await attack(server, a, b);
            }
            await using var again = await StartAsync(data.FullName, settings);
            using var a2 = Api(again, keyA);
            using var b2 = Api(again, keyB);
            Assert.Equal(Attacker, (await (await a2.GetAsync($"/api/v1/institutions/{Attacker}", Ct)).Json(HttpStatusCode.OK))["code"]!.GetValue<string>());
            Assert.Equal(Bystander, (await (await b2.GetAsync($"/api/v1/institutions/{Bystander}", Ct)).Json(HttpStatusCode.OK))["code"]!.GetValue<string>());
            await (await b2.GetAsync($"/api/v1/institutions/{Attacker}", Ct)).Json(HttpStatusCode.NotFound);
            // A webhook of the bystander, if the attack registered one, is delivered by the restarted server too.
            var hooks = (await (await b2.GetAsync("/api/v1/webhooks", Ct)).Json(HttpStatusCode.OK))["items"]!.AsArray();
            foreach (var hook in hooks)
            {
                // Counted from what is recorded now: a delivery the stopped server made but had not yet recorded is
                // leased to it and comes back only after its lease (delivery is at least once), so "2 delivered" races.
                var id = hook!["id"]!.GetValue<long>();
                var before = await DeliveredAsync(b2, id);
                await (await b2.PostAsync($"/api/v1/webhooks/{id}/test", null, Ct)).Json(HttpStatusCode.Accepted);
                await WaitUntilAsync(async () => await DeliveredAsync(b2, id) > before, TimeSpan.FromSeconds(15), "the restarted server did not deliver the bystander's webhook");
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static async Task<int> DeliveredAsync(HttpClient client, long hook)
    {
        var page = await (await client.GetAsync($"/api/v1/webhooks/{hook}/deliveries", Ct)).Json(HttpStatusCode.OK);
        return page["items"]!.AsArray().Count(d => d!["deliveredAt"] is not null);
    }

    private static Task<ServerProcess> StartAsync(string data, string[] settings)
    {
        string[] args = ["serve", "--data", data, "--dns", "127.0.0.1:0", "--SenderAuth:Resolver:TimeoutSeconds=1", .. settings];
        if (TestServers.Get("SENDERAUTH_TEST_DNS") is { Length: > 0 } dns)
        {
            args = [.. args, "--resolver", dns];
        }
        // No master key given: the first run generates master.key into the data folder, as `serve` does with no setup.
        return ServerProcess.StartAsync(args, OperatorKey, null, Ct);
    }

    /// <summary>An API client with a key, optionally as a client behind the trusted proxy (X-Forwarded-For).</summary>
    private static HttpClient Api(ServerProcess server, string key, string? forwardedFor = null)
    {
        var client = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (forwardedFor is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        }
        return client;
    }

    private static string KeyOf(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>A browser-like client (cookies, no redirects followed) behind the proxy.</summary>
    private static HttpClient DashboardClient(ServerProcess server, string forwardedFor)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string key)
    {
        var form = await client.GetStringAsync("/dashboard/signin", Ct);
        return await client.PostAsync("/dashboard/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = CsrfField().Match(form).Groups[1].Value,
            ["key"] = key,
        }), Ct);
    }

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    private static void AssertLimit(JsonNode problem, string limit, long value)
    {
        Assert.Equal(limit, problem["limit"]?.GetValue<string>());
        Assert.Equal(value, problem["limitValue"]?.GetValue<long>());
        Assert.Contains(limit, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan within, string failure) =>
        WaitUntilAsync(() => Task.FromResult(condition()), within, failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan within, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > within)
            {
                Assert.Fail(failure);
            }
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>
    /// A webhook receiver that accepts connections and never answers (a dead backend behind a live load balancer):
    /// every POST to it lasts the sender's whole timeout. Counts the connections open now and the most at once.
    /// </summary>
    private sealed class HangingEndpoint : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly List<TcpClient> _held = [];
        private readonly Task _accepting;
        private int _open;
        private int _mostOpen;

        private HangingEndpoint()
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public static HangingEndpoint Start() => new();

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public int Open => Volatile.Read(ref _open);

        public int MostOpen => Volatile.Read(ref _mostOpen);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync();
                    lock (_held)
                    {
                        _held.Add(client);
                    }
                    var now = Interlocked.Increment(ref _open);
                    InterlockedMax(ref _mostOpen, now);
                    _ = DrainAsync(client);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        /// <summary>Reads (and ignores) the request until the sender gives up and closes.</summary>
        private async Task DrainAsync(TcpClient client)
        {
            var buffer = new byte[4096];
            try
            {
                var stream = client.GetStream();
                while (await stream.ReadAsync(buffer) > 0)
                {
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
            }
            Interlocked.Decrement(ref _open);
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
            lock (_held)
            {
                foreach (var c in _held)
                {
                    c.Dispose();
                }
            }
        }
    }
}
