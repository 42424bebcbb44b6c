using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.TenantAttacks;

/// <summary>
/// Issue 18, "Key scopes" and "Audit", tried against the real server process (<c>./senderauth serve</c>) with two
/// institutions: a sign-only key leaked from a sending application, blind deletes, restores, another institution
/// reading the audit log; then a restart on the same data that must come up and serve.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
public sealed partial class KeyScopeAttacks
{
    private const string OperatorKey = "key-scope-attacks-operator-key-0123456789";
    private static readonly string MasterKey = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_leaked_sign_key_blind_deletes_and_a_nosy_tenant_are_harmless_and_audited_across_a_restart()
    {
        var data = Directory.CreateTempSubdirectory("sa-scope-attacks-").FullName;
        try
        {
            string leakedKey, adminB;
            long leakedId;
            await using (var server = await StartAsync(data))
            {
                using var op = server.Client();
                await op.CreateInstitution("mosa");
                await op.CreateInstitution("rival");
                await op.CreateDomain("mosa", "mosa.example");
                await op.CreateDomain("rival", "rival.example");
                var leaked = await (await op.PostJson("/api/v1/institutions/mosa/api-keys", new { name = "ticket-app", scopes = new[] { "sign" } })).Json(HttpStatusCode.Created);
                leakedKey = leaked["key"]!.GetValue<string>();
                leakedId = leaked["id"]!.GetValue<long>();
                using var mosa = Client(server, await op.CreateInstitutionKey("mosa"));
                adminB = await op.CreateInstitutionKey("rival");
                using var rival = Client(server, adminB);
                using var thief = Client(server, leakedKey);

                // The leaked sign-only key tries everything but signing: each is 403 naming the scope, nothing changes.
                using var rsa = System.Security.Cryptography.RSA.Create(2048);
                var attempts = new (string Name, string Method, string Path, Func<Task<HttpResponseMessage>> Call, string Missing)[]
                {
                    ("delete domain", "DELETE", "/api/v1/institutions/mosa/domains/mosa.example",
                        () => thief.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/v1/institutions/mosa/domains/mosa.example") { Headers = { { "If-Match", "\"1\"" } } }), "manage-domains"),
                    ("import key", "PUT", "/api/v1/institutions/mosa/domains/mosa.example/keys/stxsel2",
                        () => thief.PutAsJsonAsync("/api/v1/institutions/mosa/domains/mosa.example/keys/stxsel2", new { pem = rsa.ExportPkcs8PrivateKeyPem() }), "manage-domains"),
                    ("register webhook", "POST", "/api/v1/webhooks",
                        () => thief.PostJson("/api/v1/webhooks", new { url = "https://attacker.example/hook" }), "admin"),
                    ("read reports", "GET", "/api/v1/institutions/mosa/domains/mosa.example/reports",
                        () => thief.GetAsync("/api/v1/institutions/mosa/domains/mosa.example/reports"), "read"),
                    ("report summary", "GET", "/api/v1/institutions/mosa/domains/mosa.example/reports/summary",
                        () => thief.GetAsync("/api/v1/institutions/mosa/domains/mosa.example/reports/summary"), "read"),
                    ("upload report", "POST", "/api/v1/reports",
                        () => thief.PostAsync("/api/v1/reports?name=forged.xml", new StringContent("<feedback/>")), "manage-domains"),
                    ("issue itself a key", "POST", "/api/v1/institutions/mosa/api-keys",
                        () => thief.PostJson("/api/v1/institutions/mosa/api-keys", new { name = "more", scopes = new[] { "admin" } }), "admin"),
                };
                foreach (var (name, _, _, call, missing) in attempts)
                {
                    var refused = await (await call()).Json(HttpStatusCode.Forbidden);
                    Assert.True(refused["missingScope"]?.GetValue<string>() == missing, $"{name}: {refused.ToJsonString()}");
                }
                // Signing is what the key is for: it is not refused for scope (the domain does not sign yet: policy says why).
                var sign = await thief.Sign(ApiClient.Message("tickets@mosa.example"));
                Assert.NotEqual(HttpStatusCode.Forbidden, sign.StatusCode);
                // The dashboard does not let it in either.
                Assert.Equal(HttpStatusCode.Forbidden, await DashboardSignInAsync(server, leakedKey));

                await (await mosa.GetAsync("/api/v1/institutions/mosa/domains/mosa.example")).Json(HttpStatusCode.OK);
                Assert.Empty((await (await mosa.GetAsync("/api/v1/webhooks")).Json(HttpStatusCode.OK))["items"]!.AsArray());
                var keys = (await (await mosa.GetAsync("/api/v1/institutions/mosa/domains/mosa.example/keys")).Json(HttpStatusCode.OK))["items"]!;
                Assert.DoesNotContain(keys.AsArray(), k => k!["imported"]?.GetValue<bool>() == true);

                // Every refusal is in the audit log with the key's id and the client address, in its institution's log.
                var refusals = (await (await mosa.GetAsync("/api/v1/audit?kind=auth.scope-refused&pageSize=200")).Json(HttpStatusCode.OK))["items"]!.AsArray();
                foreach (var (name, method, path, _, missing) in attempts)
                {
                    var entry = refusals.FirstOrDefault(e => e!["subject"]!.GetValue<string>() == $"{method} {path}");
                    Assert.True(entry is not null, $"{name} is not audited: {refusals.ToJsonString()}");
                    Assert.Equal(leakedId, entry!["keyId"]!.GetValue<long>());
                    Assert.Equal("127.0.0.1", entry["client"]!.GetValue<string>());
                    Assert.Contains($"needs {missing}", entry["detail"]!.GetValue<string>(), StringComparison.Ordinal);
                }
                var signIns = (await (await op.GetAsync("/api/v1/audit?kind=session&institution=mosa")).Json(HttpStatusCode.OK))["items"]!.AsArray();
                Assert.Contains(signIns, e => e!["action"]!.GetValue<string>() == "session.sign-in-refused" && e["keyId"]!.GetValue<long>() == leakedId);

                // A blind delete (no If-Match) is refused even for the institution's admin; a stale one too.
                var domainUrl = "/api/v1/institutions/mosa/domains/mosa.example";
                await (await mosa.DeleteAsync(domainUrl)).Json((HttpStatusCode)428);
                await (await mosa.SendAsync(new HttpRequestMessage(HttpMethod.Delete, domainUrl) { Headers = { { "If-Match", "\"77\"" } } })).Json(HttpStatusCode.PreconditionFailed);
                await (await mosa.GetAsync(domainUrl)).Json(HttpStatusCode.OK);

                // Delete, then restore: meanwhile its keys are revoked in the provider zone and the domain is gone.
                Assert.Equal(HttpStatusCode.NoContent, (await mosa.DeleteRead(domainUrl)).StatusCode);
                await (await mosa.GetAsync(domainUrl)).Json(HttpStatusCode.NotFound);
                var zone = await (await op.GetAsync("/api/v1/provider-zone", Ct)).Content.ReadAsStringAsync(Ct);
                Assert.EndsWith("p=\"", zone.Split('\n').Single(l => l.StartsWith("sel1-mosa._domainkey", StringComparison.Ordinal)).TrimEnd(), StringComparison.Ordinal);
                // The rival cannot restore (or see) it.
                await (await rival.PostAsync($"{domainUrl}/restore", null)).Json(HttpStatusCode.NotFound);
                var restored = await (await mosa.PostAsync($"{domainUrl}/restore", null)).Json(HttpStatusCode.OK);
                Assert.Equal("pending", restored["state"]!.GetValue<string>());
                zone = await (await op.GetAsync("/api/v1/provider-zone", Ct)).Content.ReadAsStringAsync(Ct);
                Assert.DoesNotMatch("p=\"\\s*$", zone.Split('\n').Single(l => l.StartsWith("sel1-mosa._domainkey", StringComparison.Ordinal)));

                // The rival reads its own audit only: asking for mosa's is "not found", its own list holds nothing of mosa.
                await (await rival.GetAsync("/api/v1/audit?institution=mosa")).Json(HttpStatusCode.NotFound);
                var own = (await (await rival.GetAsync("/api/v1/audit?pageSize=200")).Json(HttpStatusCode.OK))["items"]!.AsArray();
                Assert.NotEmpty(own);
                Assert.All(own, e => Assert.Equal("rival", e!["institution"]!.GetValue<string>()));
                Assert.DoesNotContain("mosa", own.ToJsonString(), StringComparison.Ordinal);
                // The operator sees both, filtered by institution and kind.
                var deletes = (await (await op.GetAsync("/api/v1/audit?institution=mosa&kind=domain")).Json(HttpStatusCode.OK))["items"]!.AsArray();
                Assert.Equal(["domain.restore", "domain.delete", "domain.create"], deletes.Select(e => e!["action"]!.GetValue<string>()));

                // Left deleted across the restart: the rival's domain.
                Assert.Equal(HttpStatusCode.NoContent, (await rival.DeleteRead("/api/v1/institutions/rival/domains/rival.example")).StatusCode);
            }

            // The restart: the same data comes up, serves, and keeps scopes, deletions and the audit log.
            await using (var again = await StartAsync(data))
            {
                using var op = again.Client();
                using var thief = Client(again, leakedKey);
                using var rival = Client(again, adminB);
                await (await thief.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/v1/institutions/mosa/domains/mosa.example") { Headers = { { "If-Match", "\"1\"" } } })).Json(HttpStatusCode.Forbidden);
                await (await op.GetAsync("/api/v1/institutions/mosa/domains/mosa.example")).Json(HttpStatusCode.OK);
                await (await rival.GetAsync("/api/v1/institutions/rival/domains/rival.example")).Json(HttpStatusCode.NotFound);
                await (await rival.PostAsync("/api/v1/institutions/rival/domains/rival.example/restore", null)).Json(HttpStatusCode.OK);
                var audit = await (await op.GetAsync("/api/v1/audit?kind=auth.scope-refused")).Json(HttpStatusCode.OK);
                Assert.True(audit["total"]!.GetValue<int>() >= 8, audit.ToJsonString());
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static HttpClient Client(ServerProcess server, string key)
    {
        var client = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>The dashboard's sign-in form posted as a browser does (antiforgery cookie and field); the status it answers.</summary>
    private static async Task<HttpStatusCode> DashboardSignInAsync(ServerProcess server, string key)
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = server.Url };
        var form = await browser.GetStringAsync("/dashboard/signin", Ct);
        using var response = await browser.PostAsync("/dashboard/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = CsrfField().Match(form).Groups[1].Value,
            ["key"] = key,
        }), Ct);
        return response.StatusCode;
    }

    private static Task<ServerProcess> StartAsync(string data) => ServerProcess.StartAsync(
        ["serve", "--data", data, "--dns", "127.0.0.1:0", "--resolver", "127.0.0.1:9", "--SenderAuth:Resolver:TimeoutSeconds=1",
            "--SenderAuth:Provider:RsaBits=1024", "--SenderAuth:Monitoring:Enabled=false"],
        OperatorKey, MasterKey, Ct);

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
