using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using SenderAuth.Tests.Interop;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.Metrics;

/// <summary>
/// /metrics of the real process (<c>./senderauth serve</c>) scraped by Debian's real Prometheus on loopback (with the
/// repo's alert rules loaded), then read back through Prometheus' HTTP API: the signature counter after one message
/// signed, labelled by institution and result; ASP.NET's request-duration histogram; the sampled gauges. And the
/// endpoint's edge: a client outside Metrics:AllowedNetworks gets 403.
/// </summary>
[Trait("Layer", "interop")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "prometheus")]
public sealed class PrometheusScrapeTests
{
    private const string OperatorKey = "prometheus-scrape-test-operator-key-0123";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prometheus_ScrapesServe_SignatureCounterQueryable()
    {
        PrometheusTool.RequireInstalled();
        var data = Directory.CreateTempSubdirectory("sa-prom-data-");
        var work = Path.Combine(Environment.GetEnvironmentVariable("SENDERAUTH_TEST_WORK") is { Length: > 0 } w ? w : data.FullName, "prometheus");
        try
        {
            await using var server = await ServerProcess.StartAsync(
                ["serve", "--data", data.FullName, "--dns", "127.0.0.1:0", "--SenderAuth:Metrics:SampleSeconds=1"], OperatorKey, null, Ct);
            using var op = server.Client();
            // Signed with the provider's own key (d= the provider zone): a real signature without an institution's DNS.
            await op.CreateInstitution("mosa", "signWithProviderDomain");
            await op.CreateDomain("mosa", "mosa.example");
            using var mosa = new HttpClient { BaseAddress = server.Url };
            mosa.DefaultRequestHeaders.Authorization = new("Bearer", await op.CreateInstitutionKey("mosa"));
            using var signed = await mosa.Sign(ApiClient.Message("tickets@mosa.example"));
            var body = await signed.Content.ReadAsStringAsync(Ct);
            Assert.True(signed.StatusCode == HttpStatusCode.OK, $"signing answered {(int)signed.StatusCode}: {body}");
            Assert.StartsWith("DKIM-Signature:", body, StringComparison.Ordinal);

            // What the exporter serves, as Prometheus will read it.
            using var plain = new HttpClient { BaseAddress = server.Url };
            var exposition = await plain.GetStringAsync("/metrics", Ct);
            Assert.Contains("senderauth_signing_messages_total{", exposition, StringComparison.Ordinal);

            var prometheus = await StartPrometheusAsync(work, $"{server.Url.Host}:{server.Url.Port}");
            try
            {
                using var api = new HttpClient { BaseAddress = prometheus, Timeout = TimeSpan.FromSeconds(10) };
                var up = await QueryAsync(api, "up{job=\"senderauth\"}", r => r.Count == 1 && Value(r[0]) == 1);
                Assert.Equal($"{server.Url.Host}:{server.Url.Port}", up[0]!["metric"]!["instance"]!.GetValue<string>());

                var messages = await QueryAsync(api, "senderauth_signing_messages_total{job=\"senderauth\",institution=\"mosa\",result=\"provider-domain\"}", r => r.Count == 1);
                Assert.Equal(1, Value(messages[0]));
                var signatures = await QueryAsync(api, "senderauth_signatures_total{channel=\"api\"}", r => r.Count == 1);
                Assert.Equal(1, Value(signatures[0]));
                // ASP.NET Core's own meter: the sign request's duration, by route and status.
                var latency = await QueryAsync(api, "http_server_request_duration_seconds_count{http_route=\"/api/v1/messages/sign\",http_response_status_code=\"200\"}", r => r.Count == 1);
                Assert.Equal(1, Value(latency[0]));
                // A sampled gauge: the one domain, pending.
                var domains = await QueryAsync(api, "senderauth_domains{state=\"pending\"}", r => r.Count == 1 && Value(r[0]) == 1);
                Assert.Single(domains);
                // The repo's alert rules loaded into the real Prometheus, evaluated without error.
                var rules = JsonNode.Parse(await api.GetStringAsync("/api/v1/rules", Ct))!["data"]!["groups"]!.AsArray();
                var group = Assert.Single(rules);
                Assert.All(group!["rules"]!.AsArray(), r => Assert.Equal("ok", r!["health"]!.GetValue<string>()));
            }
            finally
            {
                await PrometheusTool.RunAsync("bash", PeerTool.RepoRoot, CancellationToken.None, Path.Combine(PeerTool.RepoRoot, "tests", "servers", "prometheus", "stop.sh"), work);
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Metrics_ClientOutsideAllowedNetworks_Refused403()
    {
        var data = Directory.CreateTempSubdirectory("sa-prom-refuse-");
        try
        {
            await using var server = await ServerProcess.StartAsync(
                ["serve", "--data", data.FullName, "--dns", "127.0.0.1:0", "--SenderAuth:Metrics:AllowedNetworks:0=192.0.2.0/24"], OperatorKey, null, Ct);
            using var plain = new HttpClient { BaseAddress = server.Url };
            using var refused = await plain.GetAsync("/metrics", Ct);
            var problem = await refused.Json(HttpStatusCode.Forbidden);
            Assert.Contains("SenderAuth:Metrics:AllowedNetworks", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            // Not even the operator's key opens it: the network is the gate, not the key.
            using var op = server.Client();
            using var withKey = await op.GetAsync("/metrics", Ct);
            Assert.Equal(HttpStatusCode.Forbidden, withKey.StatusCode);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static async Task<Uri> StartPrometheusAsync(string dir, string target)
    {
        var (code, output) = await PrometheusTool.RunAsync("bash", PeerTool.RepoRoot, Ct, Path.Combine(PeerTool.RepoRoot, "tests", "servers", "prometheus", "start.sh"), dir, target);
        Assert.True(code == 0, $"tests/servers/prometheus/start.sh exited {code}:\n{output}");
        var line = output.Split('\n').Single(l => l.StartsWith("SENDERAUTH_TEST_PROMETHEUS=", StringComparison.Ordinal));
        return new Uri(line.Split('=', 2)[1].Trim());
    }

    /// <summary>Polls an instant query until its result satisfies <paramref name="done"/> (scrapes run every second).</summary>
    private static async Task<JsonArray> QueryAsync(HttpClient api, string query, Func<JsonArray, bool> done)
    {
        var last = "";
        for (var i = 0; i < 120; i++)
        {
            last = await api.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query), Ct);
            var result = JsonNode.Parse(last)!["data"]!["result"]!.AsArray();
            if (done(result))
            {
                return result;
            }
            await Task.Delay(250, Ct);
        }
        Assert.Fail($"Prometheus never answered {query} as expected within 30 s; last answer: {last}");
        return [];
    }

    /// <summary>The sample value of one instant-vector element (["time", "value"]).</summary>
    private static double Value(JsonNode? element) =>
        double.Parse(element!["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture);
}
