using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SenderAuth.Tests.Server;
using SenderAuth.Tests.Server.Reports;

namespace SenderAuth.Tests.TenantAttacks;

/// <summary>
/// Issue 18 for failure reports (RFC 9991), tried as a hostile tenant against the real server process
/// (<c>./senderauth serve</c>) with two institutions: A is the victim, B the attacker. B tries to plant a failure
/// report on A's domain, to read A's (by A's path and by guessing the id under its own path), to store a body and
/// oversized headers through its own report, and to flood uploads. Then the server restarts on the same data and
/// must come up and serve what it stored, the quota still counted.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
public sealed class FailureReportAttacks
{
    private const string OperatorKey = "failure-report-attacks-operator-key-0123";
    private static readonly string MasterKey = Convert.ToBase64String(Enumerable.Range(11, 32).Select(i => (byte)i).ToArray());
    private const int UploadsPerHour = 5;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tenant_can_neither_plant_nor_read_another_tenants_failure_reports_nor_store_a_body()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var (a, b) = ($"fra{run}", $"frb{run}");
        var (domainA, domainB) = ($"{a}.example", $"{b}.example");
        var data = Directory.CreateTempSubdirectory("sa-ruf-attacks-").FullName;
        try
        {
            string keyA, keyB;
            long idA;
            await using (var server = await StartAsync(data))
            {
                using var op = server.Client();
                await op.CreateInstitution(a);
                await op.CreateInstitution(b);
                await op.CreateVerifiedDomain(a, domainA);
                await op.CreateVerifiedDomain(b, domainB);
                keyA = await op.CreateInstitutionKey(a);
                keyB = await op.CreateInstitutionKey(b);
                using var clientA = Keyed(server, keyA);
                using var clientB = Keyed(server, keyB);

                // A's own report: the baseline B must not touch. (1 of A's uploads.)
                await (await ReportUploadTests.Upload(clientA, "ruf.eml", FailureReportImportTests.Sample(domainA, "198.51.100.23", "a-" + run))).Json(HttpStatusCode.OK);
                var listA = await (await clientA.GetAsync($"/api/v1/institutions/{a}/domains/{domainA}/failure-reports")).Json(HttpStatusCode.OK);
                idA = Assert.Single(listA["items"]!.AsArray())!["id"]!.GetValue<long>();

                // 1. B plants a report on A's domain (a spoofing "from our own IP" scare for A's findings): refused, naming why.
                var planted = await (await ReportUploadTests.Upload(clientB, "scare.eml", FailureReportImportTests.Sample(domainA, "203.0.113.5", "b-" + run))).Json(HttpStatusCode.Forbidden);
                Assert.Contains("not a domain of your institution", planted["files"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);

                // 2. B reads A's: by A's path (not found, as if it did not exist), and A's id under B's own path.
                await (await clientB.GetAsync($"/api/v1/institutions/{a}/domains/{domainA}/failure-reports")).Json(HttpStatusCode.NotFound);
                await (await clientB.GetAsync($"/api/v1/institutions/{a}/domains/{domainA}/failure-reports/{idA}")).Json(HttpStatusCode.NotFound);
                var guessed = await (await clientB.GetAsync($"/api/v1/institutions/{b}/domains/{domainB}/failure-reports/{idA}")).Json(HttpStatusCode.NotFound);
                Assert.DoesNotContain(domainA, guessed.ToJsonString(), StringComparison.Ordinal);

                // 3. B's own report carries a secret body and 300 KB of header fields: stored headers-only, within the bound.
                var sample = Encoding.UTF8.GetString(FailureReportImportTests.Sample(domainB, "198.51.100.40", "h-" + run));
                var eol = sample.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
                var hostile = sample.Replace("Subject: Your account statement" + eol, "Subject: Your account statement" + eol + Filler(eol), StringComparison.Ordinal);
                Assert.True(hostile.Length > 300_000);
                var stored = (await (await ReportUploadTests.Upload(clientB, "hostile.eml", Encoding.UTF8.GetBytes(hostile))).Json(HttpStatusCode.OK))["files"]![0]!["reports"]![0]!;
                Assert.Equal(("failure", "imported"), (stored["kind"]!.GetValue<string>(), stored["status"]!.GetValue<string>()));
                var listB = await (await clientB.GetAsync($"/api/v1/institutions/{b}/domains/{domainB}/failure-reports")).Json(HttpStatusCode.OK);
                var rowB = Assert.Single(listB["items"]!.AsArray())!;
                Assert.True(rowB["bodyRedacted"]!.GetValue<bool>());
                Assert.Contains(rowB["warnings"]!.AsArray(), w => w!["code"]!.GetValue<string>() == "headers-truncated");
                var oneB = await (await clientB.GetAsync($"/api/v1/institutions/{b}/domains/{domainB}/failure-reports/{rowB["id"]}")).Json(HttpStatusCode.OK);
                var headers = oneB["headers"]!.GetValue<string>();
                Assert.InRange(Encoding.UTF8.GetByteCount(headers), 1, 32 * 1024);
                Assert.DoesNotContain("SECRET", headers, StringComparison.Ordinal);

                // 4. B floods uploads (2 used: the planted one counts as an upload): refused at the limit, naming it; A still uploads.
                for (var i = 3; i <= UploadsPerHour; i++)
                {
                    await (await ReportUploadTests.Upload(clientB, $"flood-{i}.eml", FailureReportImportTests.Sample(domainB, "198.51.100.41", $"f{i}-{run}"))).Json(HttpStatusCode.OK);
                }
                var refused = await (await ReportUploadTests.Upload(clientB, "flood-over.eml", FailureReportImportTests.Sample(domainB, "198.51.100.41", "over-" + run))).Json(HttpStatusCode.TooManyRequests);
                Assert.Equal("SenderAuth:Reports:UploadsPerHour", refused["limit"]!.GetValue<string>());
                await (await ReportUploadTests.Upload(clientA, "ruf-2.eml", FailureReportImportTests.Sample(domainA, "198.51.100.24", "a2-" + run))).Json(HttpStatusCode.OK);

                // A's list is exactly A's two reports: nothing of B's, nothing planted.
                listA = await (await clientA.GetAsync($"/api/v1/institutions/{a}/domains/{domainA}/failure-reports")).Json(HttpStatusCode.OK);
                Assert.Equal(["198.51.100.24", "198.51.100.23"], listA["items"]!.AsArray().Select(i => i!["sourceIp"]!.GetValue<string>()));
            }

            // 5. The restart: the same data comes up and serves both tenants' reports apart; B's quota is still spent.
            await using (var again = await StartAsync(data))
            {
                using var clientA = Keyed(again, keyA);
                using var clientB = Keyed(again, keyB);
                var one = await (await clientA.GetAsync($"/api/v1/institutions/{a}/domains/{domainA}/failure-reports/{idA}")).Json(HttpStatusCode.OK);
                Assert.Equal("198.51.100.23", one["sourceIp"]!.GetValue<string>());
                Assert.Contains("Subject: Your account statement\r\n", one["headers"]!.GetValue<string>(), StringComparison.Ordinal);
                await (await clientB.GetAsync($"/api/v1/institutions/{b}/domains/{domainB}/failure-reports/{idA}")).Json(HttpStatusCode.NotFound);
                var listB = await (await clientB.GetAsync($"/api/v1/institutions/{b}/domains/{domainB}/failure-reports")).Json(HttpStatusCode.OK);
                Assert.Equal(UploadsPerHour - 1, listB["total"]!.GetValue<int>());
                await (await ReportUploadTests.Upload(clientB, "after-restart.eml", FailureReportImportTests.Sample(domainB, "198.51.100.42", "r-" + run))).Json(HttpStatusCode.TooManyRequests);
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>About 300 KB of header fields in the reported message: ten times the headers a failure report may keep.</summary>
    private static string Filler(string eol)
    {
        var s = new StringBuilder();
        for (var i = 0; i < 4_000; i++)
        {
            s.Append("X-Filler-").Append(i).Append(": ").Append('a', 60).Append(eol);
        }
        return s.ToString();
    }

    private static HttpClient Keyed(ServerProcess server, string key)
    {
        var client = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static Task<ServerProcess> StartAsync(string data) => ServerProcess.StartAsync(
        ["serve", "--data", data, "--dns", "127.0.0.1:0", "--resolver", "127.0.0.1:9", "--SenderAuth:Resolver:TimeoutSeconds=1",
            "--SenderAuth:Provider:RsaBits=1024", "--SenderAuth:Monitoring:Enabled=false", $"--SenderAuth:Reports:UploadsPerHour={UploadsPerHour}"],
        OperatorKey, MasterKey, Ct);
}
