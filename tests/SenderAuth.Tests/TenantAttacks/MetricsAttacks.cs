using System.Net;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.TenantAttacks;

/// <summary>
/// Issue 18 for /metrics (docs/security.md, "Metrics"), against the real server process with two institutions: one
/// institution's traffic cannot grow the institution label past its bound; a tenant's key, or a forged
/// X-Forwarded-For, does not open /metrics to a client outside Metrics:AllowedNetworks; then a restart on the same
/// data comes up and serves.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
public sealed class MetricsAttacks
{
    private const string OperatorKey = "metrics-attacks-operator-key-0123456789ab";
    private static readonly string MasterKey = Convert.ToBase64String(Enumerable.Range(40, 32).Select(i => (byte)i).ToArray());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Label_flood_and_tenant_keys_do_not_open_or_grow_the_metrics_across_a_restart()
    {
        var data = Directory.CreateTempSubdirectory("sa-metrics-attacks-").FullName;
        try
        {
            string rivalKey;
            await using (var server = await StartAsync(data, "--SenderAuth:Metrics:MaxInstitutionLabels=1"))
            {
                using var op = server.Client();
                await op.CreateInstitution("mosa", "passUnsigned");
                await op.CreateInstitution("rival", "passUnsigned");
                await op.CreateDomain("mosa", "mosa.example");
                await op.CreateDomain("rival", "rival.example");
                using var mosa = Client(server, await op.CreateInstitutionKey("mosa"));
                rivalKey = await op.CreateInstitutionKey("rival");
                using var rival = Client(server, rivalKey);
                // mosa is seen first and keeps its label; the rival's messages (many From domains of its own choosing)
                // land on "_other", never one series per domain or per institution past the bound.
                using (var first = await mosa.Sign(ApiClient.Message("tickets@mosa.example")))
                {
                    Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                }
                for (var i = 0; i < 20; i++)
                {
                    using var flood = await rival.Sign(ApiClient.Message(i == 0 ? "x@rival.example" : $"x@flood{i}.rival.example"));
                    Assert.True(flood.StatusCode == HttpStatusCode.OK, $"signing answered {(int)flood.StatusCode}: {await flood.Content.ReadAsStringAsync(Ct)}");
                }
                using var plain = new HttpClient { BaseAddress = server.Url };
                var exposition = await plain.GetStringAsync("/metrics", Ct);
                var institutions = exposition.Split('\n').Where(l => l.StartsWith("senderauth_signing_messages_total{", StringComparison.Ordinal))
                    .Select(l => l[(l.IndexOf("institution=\"", StringComparison.Ordinal) + 13)..].Split('"')[0]).ToHashSet();
                Assert.Contains("mosa", institutions);
                Assert.Contains("_other", institutions);
                Assert.DoesNotContain("rival", institutions);
                Assert.DoesNotContain(exposition.Split('\n'), l => l.Contains("flood", StringComparison.Ordinal));
            }

            // The restart, with /metrics for a monitoring network only: the rival's key and a forged forwarded address
            // (no proxy is trusted) are both refused; the server serves.
            await using (var again = await StartAsync(data, "--SenderAuth:Metrics:AllowedNetworks:0=192.0.2.0/24"))
            {
                using var rival = Client(again, rivalKey);
                using var forged = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "X-Forwarded-For", "192.0.2.7" } } };
                using var refused = await rival.SendAsync(forged, Ct);
                var problem = await refused.Json(HttpStatusCode.Forbidden);
                Assert.Contains("SenderAuth:Metrics:AllowedNetworks", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
                using var op = again.Client();
                var list = await (await op.GetAsync("/api/v1/institutions", Ct)).Json(HttpStatusCode.OK);
                Assert.Contains("rival", list.ToJsonString(), StringComparison.Ordinal);
                using var ready = await new HttpClient { BaseAddress = again.Url }.GetAsync("/ready", Ct);
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static HttpClient Client(ServerProcess server, string key)
    {
        var client = new HttpClient { BaseAddress = server.Url };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    private static Task<ServerProcess> StartAsync(string data, params string[] extra) => ServerProcess.StartAsync(
        ["serve", "--data", data, "--dns", "127.0.0.1:0", "--resolver", "127.0.0.1:9", "--SenderAuth:Resolver:TimeoutSeconds=1",
            "--SenderAuth:Provider:RsaBits=1024", "--SenderAuth:Monitoring:Enabled=false", .. extra],
        OperatorKey, MasterKey, Ct);
}
