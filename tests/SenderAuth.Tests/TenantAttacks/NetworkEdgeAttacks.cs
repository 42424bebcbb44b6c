using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SenderAuth.Server.Webhooks;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.TenantAttacks;

/// <summary>
/// An institution key against the real server process (<c>./senderauth serve</c>) trying to use webhooks to reach
/// the internal network: a literal loopback URL, and a host name resolving to loopback where a listener waits. Two
/// institutions, the attacker's key only; after the attack the server restarts on the same data and serves.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
public sealed class NetworkEdgeAttacks
{
    private const string OperatorKey = "sa_netedge-attack-key-0123456789abcd";

    [Fact]
    public async Task Webhook_ToLoopbackByAddressOrName_NeverConnects_AndTheLogTellsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("sa-netedge-");
        // The internal service the attacker aims at: a plain TCP listener that counts connections.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connections = 0;
        _ = Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested)
            {
                using var accepted = await listener.AcceptTcpClientAsync(ct);
                Interlocked.Increment(ref connections);
            }
        }, ct);
        string[] args = ["serve", "--data", data.FullName, "--dns", "127.0.0.1:0", "--SenderAuth:Notifications:IntervalSeconds=0.2"];
        try
        {
            long hook;
            await using (var server = await ServerProcess.StartAsync(args, OperatorKey, ServerHost.MasterKey, ct))
            {
                using var op = server.Client();
                await op.CreateInstitution("victimorg");
                await op.CreateInstitution("attacker");
                using var attacker = server.Client();
                attacker.DefaultRequestHeaders.Authorization = new("Bearer", await op.CreateInstitutionKey("attacker"));

                foreach (var url in new[] { $"http://127.0.0.1:{port}/", $"http://[::ffff:127.0.0.1]:{port}/", "http://169.254.169.254/latest/meta-data/" })
                {
                    var refused = await attacker.PostAsJsonAsync("/api/v1/webhooks", new { url }, ct);
                    Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                }
                var created = await (await attacker.PostAsJsonAsync("/api/v1/webhooks", new { url = $"http://localhost:{port}/" }, ct)).Json(HttpStatusCode.Created);
                hook = created["id"]!.GetValue<long>();
                await (await attacker.PostAsync($"/api/v1/webhooks/{hook}/test", null, ct)).Json(HttpStatusCode.Accepted);

                JsonNode? last = null;
                for (var i = 0; i < 100 && last?["attempts"]?.GetValue<int>() is null or 0; i++)
                {
                    await Task.Delay(100, ct);
                    last = (await (await attacker.GetAsync($"/api/v1/webhooks/{hook}/deliveries", ct)).Json(HttpStatusCode.OK))["items"]![0];
                }
                Assert.NotNull(last);
                Assert.Equal(1, last["attempts"]!.GetValue<int>());
                // Generic, like a closed port: the tenant does not learn that localhost is an internal address.
                Assert.Equal(WebhookSender.DeliveryFailed, last["lastError"]!.GetValue<string>());
                Assert.Null(last["lastStatus"]);
                Assert.Equal(0, Volatile.Read(ref connections));
                // The operator's log names the policy the tenant is not told of.
                Assert.Contains("refused by policy", server.Log, StringComparison.Ordinal);
                Assert.Contains("is a loopback address", server.Log, StringComparison.Ordinal);
                // The other institution's real webhook stays out of the attacker's sight: 404 for it, its deliveries,
                // a test post and a delete, exactly as for an id that does not exist; it is still there afterwards.
                var victimHook = (await (await op.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://hooks.victimorg.example/in", institution = "victimorg" }, ct))
                    .Json(HttpStatusCode.Created))["id"]!.GetValue<long>();
                await (await op.GetAsync($"/api/v1/webhooks/{victimHook}/deliveries", ct)).Json(HttpStatusCode.OK);
                await (await attacker.GetAsync($"/api/v1/webhooks/{victimHook}", ct)).Json(HttpStatusCode.NotFound);
                await (await attacker.GetAsync($"/api/v1/webhooks/{victimHook}/deliveries", ct)).Json(HttpStatusCode.NotFound);
                await (await attacker.PostAsync($"/api/v1/webhooks/{victimHook}/test", null, ct)).Json(HttpStatusCode.NotFound);
                await (await attacker.DeleteAsync($"/api/v1/webhooks/{victimHook}", ct)).Json(HttpStatusCode.NotFound);
                var mine = await (await attacker.GetAsync("/api/v1/webhooks", ct)).Json(HttpStatusCode.OK);
                Assert.DoesNotContain(mine["items"]!.AsArray(), h => h!["id"]!.GetValue<long>() == victimHook);
                await (await op.GetAsync($"/api/v1/webhooks/{victimHook}", ct)).Json(HttpStatusCode.OK);
            }

            await using var restarted = await ServerProcess.StartAsync(args, OperatorKey, ServerHost.MasterKey, ct);
            using var again = restarted.Client();
            var hooks = await (await again.GetAsync("/api/v1/webhooks", ct)).Json(HttpStatusCode.OK);
            Assert.Equal(2, hooks["items"]!.AsArray().Count);
            Assert.Contains(hooks["items"]!.AsArray(), h => h!["id"]!.GetValue<long>() == hook);
            Assert.Equal(0, Volatile.Read(ref connections));
        }
        finally
        {
            listener.Stop();
            data.Delete(recursive: true);
        }
    }
}
