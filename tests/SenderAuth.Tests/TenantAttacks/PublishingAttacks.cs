using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SenderAuth.Dns;
using SenderAuth.Store.Data;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.TenantAttacks;

/// <summary>
/// Issue 18, "publishing never fails for all" and "domain ownership", tried as a hostile tenant against the real
/// server (<c>./senderauth serve</c> with its built-in DNS, institutions' DNS on the test Knot) with two
/// institutions: a victim and an attacker, each with its own institution key. After each attack the server is
/// restarted on the same data and must come up ready and publish again.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "knot")]
public sealed partial class PublishingAttacks
{
    private const string OperatorKey = "tenant-attack-operator-key-0123456789";
    private static readonly string MasterKey = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());
    private static int _counter;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>221 characters: every label legal, the name legal, but &lt;name&gt;._report._dmarc.rua.ticketing.example is 258.</summary>
    private static string LongName(string code) =>
        string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), (code + new string('d', 21))[..21], "example");

    [Fact]
    public async Task Long_domain_name_is_refused_and_an_injected_one_cannot_stop_the_other_tenants_keys()
    {
        await using var world = await World.StartAsync("long");
        var longName = LongName(world.Attacker);
        Assert.Equal(221, longName.Length);

        // The attack through the API: 400 naming the record that would be too long; nothing saved.
        var refused = await (await world.AttackerApi.PostJson($"/api/v1/institutions/{world.Attacker}/domains", new { name = longName })).Json(HttpStatusCode.BadRequest);
        var detail = refused["detail"]!.GetValue<string>();
        Assert.Contains("report-authorisation record", detail, StringComparison.Ordinal);
        Assert.Contains("258 characters", detail, StringComparison.Ordinal);
        Assert.Contains("at most 216", detail, StringComparison.Ordinal);
        await (await world.AttackerApi.GetAsync($"/api/v1/institutions/{world.Attacker}/domains/{longName}", Ct)).Json(HttpStatusCode.NotFound);

        // The same row written behind the API's back (a restore, a migration, a bug elsewhere), verified so its
        // authorisation record is wanted.
        await world.InsertDomainAsync(world.Attacker, longName, verified: true);

        // The victim's next change publishes: its keys go out, the bad record is left out and flagged on its own domain.
        var victimDomain = $"shop.{world.Victim}.example";
        await world.Operator.CreateDomain(world.Victim, victimDomain);
        await world.AssertVictimKeyServedAsync();
        var flagged = await (await world.AttackerApi.GetAsync($"/api/v1/institutions/{world.Attacker}/domains/{longName}", Ct)).Json(HttpStatusCode.OK);
        Assert.Contains("not published", flagged["publishProblem"]!.GetValue<string>(), StringComparison.Ordinal);
        var victim = await (await world.Operator.GetAsync($"/api/v1/institutions/{world.Victim}/domains/{victimDomain}", Ct)).Json(HttpStatusCode.OK);
        Assert.Null(victim["publishProblem"]);
        var zone = await world.ProviderZoneAsync();
        Assert.DoesNotContain(new string('a', 63), zone, StringComparison.Ordinal);
        Assert.Contains($"sel1-{world.Victim}._domainkey.dkim", zone, StringComparison.Ordinal);

        // The restart that used to exit 70: it comes up ready, publishes, and the victim can still onboard.
        await world.RestartAsync();
        await world.AssertServesAsync($"after.{world.Victim}.example");
        var still = await (await world.AttackerApi.GetAsync($"/api/v1/institutions/{world.Attacker}/domains/{longName}", Ct)).Json(HttpStatusCode.OK);
        Assert.NotNull(still["publishProblem"]);
    }

    [Theory]
    [InlineData("co.uk")]
    [InlineData("github.io")]
    [InlineData("CO.UK.")]
    public async Task Public_suffix_is_refused(string suffix)
    {
        await using var world = await World.StartAsync("psl");
        var refused = await (await world.AttackerApi.PostJson($"/api/v1/institutions/{world.Attacker}/domains", new { name = suffix })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("public suffix", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // A registrable domain under the same suffix is fine: only the suffix itself belongs to nobody.
        await world.AttackerApi.CreateDomain(world.Attacker, $"{world.Attacker}-shop.co.uk");

        await world.RestartAsync();
        await world.AssertServesAsync($"after.{world.Victim}.example");
        var list = await (await world.Operator.GetAsync($"/api/v1/institutions/{world.Attacker}/domains", Ct)).Json(HttpStatusCode.OK);
        Assert.DoesNotContain(list["items"]!.AsArray(), d => d!["name"]!.GetValue<string>() == "co.uk");
    }

    [Fact]
    public async Task Squatted_domain_answers_409_without_the_holder_and_goes_to_the_owner_who_proves_control()
    {
        await using var world = await World.StartAsync("dup");
        var zoneOnKnot = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        // A name that holds neither institution's code, so the answers can be searched for them.
        var squatted = $"store-{Guid.NewGuid().ToString("N")[..8]}.{zoneOnKnot}";

        // The attacker registers the victim's domain first; it stays unverified, so no report authorisation for it.
        await world.AttackerApi.CreateDomain(world.Attacker, squatted);
        Assert.DoesNotContain($"{squatted}._report._dmarc.rua", await world.ProviderZoneAsync(), StringComparison.Ordinal);
        // Nor can it verify it: no proof in DNS, and only the operator may vouch.
        var unproved = await (await world.AttackerApi.PostAsync($"/api/v1/institutions/{world.Attacker}/domains/{squatted}/verify", null, Ct)).Json(HttpStatusCode.Conflict);
        Assert.Contains("is not verified", unproved["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await (await world.AttackerApi.PostJson($"/api/v1/institutions/{world.Attacker}/domains/{squatted}/verify", new { operatorOverride = true, reason = "trust me" })).Json(HttpStatusCode.Forbidden);

        // The owner is told it is taken, not by whom, and how to prove it is theirs.
        var conflict = await (await world.VictimApi.PostJson($"/api/v1/institutions/{world.Victim}/domains", new { name = squatted })).Json(HttpStatusCode.Conflict);
        var detail = conflict["detail"]!.GetValue<string>();
        Assert.Contains("already registered on this platform", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Attacker, detail, StringComparison.Ordinal);
        var challenge = ChallengeValue().Match(detail);
        Assert.True(challenge.Success, detail);

        // The operator sees the conflict: who holds it, who claims it.
        var claims = await (await world.Operator.GetAsync("/api/v1/domain-claims", Ct)).Json(HttpStatusCode.OK);
        var claim = claims["items"]!.AsArray().Single(c => c!["domain"]!.GetValue<string>() == squatted)!;
        Assert.Equal(world.Victim, claim["claimant"]!.GetValue<string>());
        Assert.Equal(world.Attacker, claim["holder"]!.GetValue<string>());
        Assert.Equal(challenge.Value, claim["challengeValue"]!.GetValue<string>());
        // Institutions cannot read or resolve claims.
        await (await world.AttackerApi.GetAsync("/api/v1/domain-claims", Ct)).Json(HttpStatusCode.Forbidden);
        await (await world.AttackerApi.PostAsync($"/api/v1/domain-claims/{claim["id"]}/transfer", null, Ct)).Json(HttpStatusCode.Forbidden);

        // The owner proves control in its own DNS; the attacker, claiming back, cannot: a claim is transferred only
        // with its own token in DNS.
        await KnotUpdate.SendAsync(Env("SENDERAUTH_TEST_DNS"), Env("SENDERAUTH_TEST_TSIG").Split(':', 3), zoneOnKnot,
            [$"update add _senderauth-challenge.{squatted}. 60 IN TXT \"{challenge.Value}\""]);
        var transferred = await (await world.Operator.PostAsync($"/api/v1/domain-claims/{claim["id"]}/transfer", null, Ct)).Json(HttpStatusCode.OK);
        Assert.Equal("transferred", transferred["resolution"]!.GetValue<string>());
        Assert.Equal(world.Victim, transferred["domain"]!["institution"]!.GetValue<string>());
        Assert.NotNull(transferred["domain"]!["verifiedAt"]);
        await (await world.AttackerApi.GetAsync($"/api/v1/institutions/{world.Attacker}/domains/{squatted}", Ct)).Json(HttpStatusCode.NotFound);
        Assert.Contains($"{squatted}._report._dmarc.rua", await world.ProviderZoneAsync(), StringComparison.Ordinal);

        // The attacker now claims it back: 409 without the name, and no proof means no transfer; the operator dismisses.
        var back = await (await world.AttackerApi.PostJson($"/api/v1/institutions/{world.Attacker}/domains", new { name = squatted })).Json(HttpStatusCode.Conflict);
        Assert.DoesNotContain(world.Victim, back["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        claims = await (await world.Operator.GetAsync("/api/v1/domain-claims", Ct)).Json(HttpStatusCode.OK);
        var counter = claims["items"]!.AsArray().Single(c => c!["domain"]!.GetValue<string>() == squatted)!;
        Assert.Equal(world.Attacker, counter["claimant"]!.GetValue<string>());
        var noProof = await (await world.Operator.PostAsync($"/api/v1/domain-claims/{counter["id"]}/transfer", null, Ct)).Json(HttpStatusCode.Conflict);
        Assert.Contains("has not proved control", noProof["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await (await world.Operator.PostAsync($"/api/v1/domain-claims/{counter["id"]}/dismiss", null, Ct)).Json(HttpStatusCode.OK);
        claims = await (await world.Operator.GetAsync("/api/v1/domain-claims", Ct)).Json(HttpStatusCode.OK);
        Assert.DoesNotContain(claims["items"]!.AsArray(), c => c!["domain"]!.GetValue<string>() == squatted);

        await world.RestartAsync();
        await world.AssertServesAsync($"after.{world.Victim}.example");
        await (await world.VictimApi.GetAsync($"/api/v1/institutions/{world.Victim}/domains/{squatted}", Ct)).Json(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Squatter_who_soft_deletes_still_loses_the_name_to_the_owner_who_proves_control()
    {
        await using var world = await World.StartAsync("deldup");
        var zoneOnKnot = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        var squatted = $"depot-{Guid.NewGuid().ToString("N")[..8]}.{zoneOnKnot}";
        var attackerUrl = $"/api/v1/institutions/{world.Attacker}/domains/{squatted}";

        // The attacker squats, then soft-deletes: the row keeps the name for the retention (and could be restored).
        await world.AttackerApi.CreateDomain(world.Attacker, squatted);
        var read = await world.AttackerApi.GetAsync(attackerUrl, Ct);
        await read.Json(HttpStatusCode.OK);
        var delete = new HttpRequestMessage(HttpMethod.Delete, attackerUrl);
        delete.Headers.IfMatch.Add(read.Headers.ETag!);
        Assert.True((await world.AttackerApi.SendAsync(delete, Ct)).IsSuccessStatusCode);

        // The owner gets the claim and its challenge, not a bare conflict from the unique index.
        var conflict = await (await world.VictimApi.PostJson($"/api/v1/institutions/{world.Victim}/domains", new { name = squatted })).Json(HttpStatusCode.Conflict);
        var detail = conflict["detail"]!.GetValue<string>();
        Assert.Contains("already registered on this platform", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Attacker, detail, StringComparison.Ordinal);
        var challenge = ChallengeValue().Match(detail);
        Assert.True(challenge.Success, detail);
        var claims = await (await world.Operator.GetAsync("/api/v1/domain-claims", Ct)).Json(HttpStatusCode.OK);
        var claim = claims["items"]!.AsArray().Single(c => c!["domain"]!.GetValue<string>() == squatted)!;
        Assert.Equal(world.Victim, claim["claimant"]!.GetValue<string>());

        // After the TXT proof the operator transfers: the deleted row goes for good, the owner holds it verified.
        await KnotUpdate.SendAsync(Env("SENDERAUTH_TEST_DNS"), Env("SENDERAUTH_TEST_TSIG").Split(':', 3), zoneOnKnot,
            [$"update add _senderauth-challenge.{squatted}. 60 IN TXT \"{challenge.Value}\""]);
        var transferred = await (await world.Operator.PostAsync($"/api/v1/domain-claims/{claim["id"]}/transfer", null, Ct)).Json(HttpStatusCode.OK);
        Assert.Equal("transferred", transferred["resolution"]!.GetValue<string>());
        Assert.Equal(world.Victim, transferred["domain"]!["institution"]!.GetValue<string>());
        Assert.NotNull(transferred["domain"]!["verifiedAt"]);
        // The squatter cannot restore it: there is no deleted row left to bring back.
        await (await world.AttackerApi.PostAsync($"{attackerUrl}/restore", null, Ct)).Json(HttpStatusCode.NotFound);

        await world.RestartAsync();
        await world.AssertServesAsync($"after.{world.Victim}.example");
        await (await world.VictimApi.GetAsync($"/api/v1/institutions/{world.Victim}/domains/{squatted}", Ct)).Json(HttpStatusCode.OK);
    }

    [GeneratedRegex("senderauth-challenge=[0-9a-f]{40}")]
    private static partial Regex ChallengeValue();

    private static string Env(string name)
    {
        if (TestServers.Get(name) is { Length: > 0 } value)
        {
            return value;
        }
        Assert.Skip($"{name} is unset (the test Knot is not running): run ./run-tests");
        return "";
    }

    /// <summary>One server process on its own data folder, an operator, and two institutions with their own keys.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly DirectoryInfo _data;
        private ServerProcess _server;

        private World(DirectoryInfo data, ServerProcess server, string victim, string attacker)
        {
            _data = data;
            _server = server;
            Victim = victim;
            Attacker = attacker;
        }

        public string Victim { get; }
        public string Attacker { get; }
        public HttpClient Operator { get; private set; } = null!;
        public HttpClient VictimApi { get; private set; } = null!;
        public HttpClient AttackerApi { get; private set; } = null!;
        private string _victimKey = "", _attackerKey = "";

        public static async Task<World> StartAsync(string topic)
        {
            var n = Interlocked.Increment(ref _counter);
            var data = Directory.CreateTempSubdirectory("sa-attack-");
            var world = new World(data, await StartServerAsync(data.FullName), $"vic{topic}{n}", $"att{topic}{n}");
            world.Clients();
            await world.Operator.CreateInstitution(world.Victim);
            await world.Operator.CreateInstitution(world.Attacker);
            world._victimKey = await world.Operator.CreateInstitutionKey(world.Victim);
            world._attackerKey = await world.Operator.CreateInstitutionKey(world.Attacker);
            world.Clients();
            return world;
        }

        private static Task<ServerProcess> StartServerAsync(string data)
        {
            string[] args = ["serve", "--data", data, "--dns", "127.0.0.1:0", "--SenderAuth:Resolver:TimeoutSeconds=1"];
            if (TestServers.Get("SENDERAUTH_TEST_DNS") is { Length: > 0 } dns)
            {
                args = [.. args, "--resolver", dns];
            }
            return ServerProcess.StartAsync(args, OperatorKey, MasterKey, Ct);
        }

        private void Clients()
        {
            Operator = _server.Client();
            VictimApi = Keyed(_victimKey);
            AttackerApi = Keyed(_attackerKey);
        }

        private HttpClient Keyed(string key)
        {
            var client = new HttpClient { BaseAddress = _server.Url, Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return client;
        }

        /// <summary>Stops the server (as a service manager would: the process ends) and starts it on the same data; waits for /ready.</summary>
        public async Task RestartAsync()
        {
            await _server.DisposeAsync();
            _server = await StartServerAsync(_data.FullName);
            Clients();
        }

        /// <summary>/ready is Healthy, and a change publishes: a new domain of the victim gets its keys served by the built-in DNS.</summary>
        public async Task AssertServesAsync(string newDomain)
        {
            var ready = await Operator.GetAsync("/ready", Ct);
            Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync(Ct));
            await VictimApi.CreateDomain(Victim, newDomain);
            await AssertVictimKeyServedAsync();
        }

        /// <summary>The victim's selector key answers from the built-in DNS (what receivers read).</summary>
        public async Task AssertVictimKeyServedAsync()
        {
            var dns = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(_server.DnsAddress!)], Timeout = TimeSpan.FromSeconds(2) });
            var answer = await dns.QueryAsync($"sel1-{Victim}._domainkey.dkim.ticketing.example", DnsRecordType.Txt, Ct);
            Assert.Contains(answer.Of<TxtRecord>(), t => t.Text.StartsWith("v=DKIM1", StringComparison.Ordinal));
        }

        public async Task<string> ProviderZoneAsync() =>
            await (await Operator.GetAsync("/api/v1/provider-zone", Ct)).Content.ReadAsStringAsync(Ct);

        /// <summary>Writes a domain row straight into the server's SQLite database, as nothing in the API would.</summary>
        public async Task InsertDomainAsync(string code, string name, bool verified)
        {
            var options = new DbContextOptionsBuilder<SqliteSenderAuthDb>()
                .UseSqlite($"Data Source={Path.Combine(_data.FullName, "senderauth.db")};Pooling=False;Default Timeout=30").Options;
            await using var db = new SqliteSenderAuthDb(options);
            var institution = await db.Institutions.SingleAsync(i => i.Code == code, Ct);
            db.Domains.Add(new SenderDomain
            {
                InstitutionId = institution.Id, Name = name, State = DomainState.Pending, CreatedAt = DateTime.UtcNow,
                ChallengeToken = "injected", VerifiedAt = verified ? DateTime.UtcNow : null,
            });
            await db.SaveChangesAsync(Ct);
        }

        public async ValueTask DisposeAsync()
        {
            await _server.DisposeAsync();
            try
            {
                _data.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file still held by the process just killed: the temp folder is cleaned by the OS.
            }
        }
    }
}
