using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MailKit;
using MimeKit;
using SenderAuth.Dkim;
using SenderAuth.Tests.Server;
using SenderAuth.Tests.Server.Reports;

namespace SenderAuth.Tests.TenantAttacks;

/// <summary>
/// Issue 18, "reports with provenance" and the report quotas, tried as a hostile tenant against the real server
/// process (<c>./senderauth serve</c>) with two institutions, the real Dovecot as the rua mailbox and the test
/// Knot serving the reporter's DKIM key and DMARC record. Institution A is the victim, B the attacker (and A's
/// own key is assumed leaked for the forged upload). After the attacks the server is restarted on the same data
/// and must come up and serve what it stored.
/// </summary>
[Trait("Layer", "shipped")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "dovecot")]
[Trait("Needs", "knot")]
public sealed class ReportAttacks
{
    private const string OperatorKey = "report-attacks-operator-key-0123456789";
    private static readonly string MasterKey = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());
    private const int UploadsPerHour = 6;

    [Fact]
    public async Task Forged_reports_and_floods_from_one_tenant_leave_the_other_tenants_reports_and_advice_intact()
    {
        var ct = TestContext.Current.CancellationToken;
        var mailbox = await TestMailbox.CreateAsync("atk");
        var dns = Env("SENDERAUTH_TEST_DNS");
        var tsig = Env("SENDERAUTH_TEST_TSIG").Split(':', 3);
        var zone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        var run = Guid.NewGuid().ToString("N")[..6];
        var (a, b) = ($"atka{run}", $"atkb{run}");
        var (domainA, domainB) = ($"{a}.example", $"{b}.example");
        // The reporter: a domain of its own on Knot, with a DKIM key, an SPF record and a DMARC policy, as Google's
        // are, configured as a trusted reporter. The rogue: a domain the attacker owns, set up the same way but not listed.
        var reporter = $"rep{run}.{zone}";
        var rogue = $"rogue{run}.{zone}";
        using var reporterKey = DkimPrivateKey.Generate(DkimKeyType.Ed25519, 2048);
        using var rogueKey = DkimPrivateKey.Generate(DkimKeyType.Ed25519, 2048);
        await KnotUpdate.SendAsync(dns, tsig, zone,
        [
            $"update add s1._domainkey.{reporter}. 60 IN TXT \"{DkimKeyRecord.TxtValue(reporterKey.PublicKey)}\"",
            $"update add {reporter}. 60 IN TXT \"v=spf1 ip4:198.51.100.77 -all\"",
            $"update add _dmarc.{reporter}. 60 IN TXT \"v=DMARC1; p=reject\"",
            $"update add s1._domainkey.{rogue}. 60 IN TXT \"{DkimKeyRecord.TxtValue(rogueKey.PublicKey)}\"",
            $"update add _dmarc.{rogue}. 60 IN TXT \"v=DMARC1; p=reject\"",
        ]);
        var day = DateTime.UtcNow.Date.AddDays(-1);
        var data = Directory.CreateTempSubdirectory("sa-atk-");
        string[] args =
        [
            "serve", "--data", data.FullName, "--dns", "127.0.0.1:0", "--resolver", dns, "--SenderAuth:Resolver:TimeoutSeconds=2",
            $"--SenderAuth:Reports:UploadsPerHour={UploadsPerHour}", $"--SenderAuth:Reports:TrustedReporters:0={reporter}",
            "--SenderAuth:Reports:MaxUploadBytes=4096", "--SenderAuth:Reports:QuarantineBytesPerInstitution=4096",
            .. mailbox.Settings().Select(kv => kv.Key == "SenderAuth:Reports:BackgroundIngestion" ? "--SenderAuth:Reports:BackgroundIngestion=true" : $"--{kv.Key}={kv.Value}"),
            "--SenderAuth:Reports:Imap:0:PollSeconds=1",
        ];
        try
        {
            string keyA, keyB;
            await using (var server = await ServerProcess.StartAsync(args, OperatorKey, MasterKey, ct))
            {
                var op = server.Client();
                await op.CreateInstitution(a);
                await op.CreateInstitution(b);
                await op.CreateVerifiedDomain(a, domainA);
                await op.CreateVerifiedDomain(b, domainB);
                keyA = await op.CreateInstitutionKey(a);
                keyB = await op.CreateInstitutionKey(b);
                using var clientA = Keyed(server, keyA);
                using var clientB = Keyed(server, keyB);

                // 1. The forged duplicate. B uploads a report with the real reporter's name and id (about B's own
                // domain: the only one it may upload for), and A's leaked key uploads one with the same id about A's
                // domain, claiming 100 000 passing messages. Before, either made the real report a dropped duplicate.
                var realId = $"real-{run}";
                var forgedB = ReportXml.Build(reporter, realId, domainB, day, [new("203.0.113.9", 5, true, true)]);
                Assert.Equal("imported", (await (await Upload(clientB, "forged.xml", forgedB)).Json(HttpStatusCode.OK))["files"]![0]!["reports"]![0]!["status"]!.GetValue<string>());
                var forgedA = ReportXml.Build(reporter, realId, domainA, day, [new("203.0.113.5", 100_000, true, true, domainA, "stxsel1", true, domainA, true)]);
                var uploadedA = (await (await Upload(clientA, "forged.xml", forgedA)).Json(HttpStatusCode.OK))["files"]![0]!["reports"]![0]!;
                Assert.Equal("uploaded", uploadedA["provenance"]!.GetValue<string>());
                Assert.False(uploadedA["trusted"]!.GetValue<bool>());
                // A second forged upload with a fresh id, to skew A's advisor toward "ready for reject".
                await (await Upload(clientA, "skew.xml", ReportXml.Build(reporter, $"skew-{run}", domainA, day,
                    [new("203.0.113.5", 100_000, true, true, domainA, "stxsel1", true, domainA, true)]))).Json(HttpStatusCode.OK);

                // The real report arrives in A's rua mailbox, DKIM-signed by the reporter: imported, verified, and
                // it replaces A's forged upload with the same key.
                var real = ReportXml.Build(reporter, realId, domainA, day,
                    [new("203.0.113.5", 40, true, true, domainA, "stxsel1", true, domainA, true), new("198.51.100.7", 3, false, false)]);
                // 2. A forged report mailed to A's rua address about B's domain (unsigned), and one mailed to B's
                // own address about B's domain claiming all is well: neither may count.
                var misrouted = ReportXml.Build("yahoo.com", $"misrouted-{run}", domainB, day, [new("192.0.2.1", 500, true, true)]);
                var unsigned = ReportXml.Build("google.com", $"unsigned-{run}", domainB, day, [new("203.0.113.5", 9_000, true, true, domainB, "stxsel1", true, domainB, true)]);
                // 1b. A report DKIM-signed by the attacker's own domain (passes DMARC, but not a listed reporter), and one
                // signed by the trusted reporter that names google.com as its org: neither is trusted nor counted.
                var rogueXml = ReportXml.Build(rogue, $"rogue-{run}", domainA, day, [new("203.0.113.5", 50_000, true, true, domainA, "stxsel1", true, domainA, true)]);
                var posing = ReportXml.Build("google.com", $"posing-{run}", domainA, day, [new("203.0.113.5", 50_000, true, true, domainA, "stxsel1", true, domainA, true)]);
                var posingMail = ReportMail(reporter, $"posing-{run}", domainA, posing, $"{a}@rua.ticketing.example");
                // 2b. Unsigned mail whose (forged) Received and Return-Path pass SPF for the reporter. Appended with no
                // MTA in front, the mailbox copy's topmost Received is that header, so it verifies (with no records):
                // proof the headers pass SPF. Uploaded, the same kind of mail is checked by DKIM alone and stays untrusted.
                var spfMail = SpfForged(ReportMail(reporter, $"spf-{run}", domainA, ReportXml.Build(reporter, $"spf-{run}", domainA, day, []), $"{a}@rua.ticketing.example"), reporter);
                await mailbox.AppendAsync(
                    Signed(ReportMail(reporter, realId, domainA, real, $"{a}@rua.ticketing.example"), reporter, reporterKey),
                    ReportMail("yahoo.com", $"misrouted-{run}", domainB, misrouted, $"{a}@rua.ticketing.example"),
                    ReportMail("google.com", $"unsigned-{run}", domainB, unsigned, $"{b}@rua.ticketing.example"),
                    Signed(ReportMail(rogue, $"rogue-{run}", domainA, rogueXml, $"{a}@rua.ticketing.example"), rogue, rogueKey),
                    Signed(posingMail, reporter, reporterKey),
                    spfMail);

                string[] expected = [realId, $"rogue-{run}", $"posing-{run}", $"spf-{run}"];
                var listA = await WaitForAsync(clientA, $"/api/v1/institutions/{a}/domains/{domainA}/reports",
                    l => expected.All(e => l["items"]!.AsArray().Any(i => i!["reportId"]!.GetValue<string>() == e))
                        && l["items"]!.AsArray().Any(i => i!["reportId"]!.GetValue<string>() == realId && i["provenance"]!.GetValue<string>() == "verified"), ct);
                var rogueRow = Assert.Single(listA["items"]!.AsArray(), i => i!["reportId"]!.GetValue<string>() == $"rogue-{run}")!;
                Assert.Equal(("unverified", false), (rogueRow["provenance"]!.GetValue<string>(), rogueRow["trusted"]!.GetValue<bool>()));
                Assert.Contains("dmarc=pass", rogueRow["provenanceDetail"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.Contains($"reporter {rogue} is not in Reports:TrustedReporters", rogueRow["provenanceDetail"]!.GetValue<string>(), StringComparison.Ordinal);
                var posingRow = Assert.Single(listA["items"]!.AsArray(), i => i!["reportId"]!.GetValue<string>() == $"posing-{run}")!;
                Assert.Equal(("unverified", false), (posingRow["provenance"]!.GetValue<string>(), posingRow["trusted"]!.GetValue<bool>()));
                Assert.Contains("org_name google.com is not in the organisational domain", posingRow["provenanceDetail"]!.GetValue<string>(), StringComparison.Ordinal);
                var spfRow = Assert.Single(listA["items"]!.AsArray(), i => i!["reportId"]!.GetValue<string>() == $"spf-{run}")!;
                Assert.Equal("verified", spfRow["provenance"]!.GetValue<string>());
                Assert.Contains("spf=pass", spfRow["provenanceDetail"]!.GetValue<string>(), StringComparison.Ordinal);
                var realRow = Assert.Single(listA["items"]!.AsArray(), i => i!["reportId"]!.GetValue<string>() == realId)!;
                Assert.Equal(43, realRow["messages"]!.GetValue<long>());
                Assert.True(realRow["trusted"]!.GetValue<bool>());
                Assert.StartsWith("imap:", realRow["origin"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.Contains("dmarc=pass", realRow["provenanceDetail"]!.GetValue<string>(), StringComparison.Ordinal);
                var skew = Assert.Single(listA["items"]!.AsArray(), i => i!["reportId"]!.GetValue<string>() == $"skew-{run}")!;
                Assert.False(skew["trusted"]!.GetValue<bool>());
                // A's advisor and summary count the real 43 messages, not the 200 000 forged ones.
                var window = $"from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";
                var summaryA = await (await clientA.GetAsync($"/api/v1/institutions/{a}/domains/{domainA}/reports/summary?{window}", ct)).Json(HttpStatusCode.OK);
                Assert.Equal(43, summaryA["total"]!["messages"]!.GetValue<long>());
                var adviceA = await (await clientA.GetAsync($"/api/v1/institutions/{a}/domains/{domainA}/reports/advice?{window}", ct)).Json(HttpStatusCode.OK);
                Assert.Equal(40, adviceA["legitimateMessages"]!.GetValue<long>());
                // B's forged upload is still B's, untrusted, and touched nothing of A's.
                var listB = await WaitForAsync(clientB, $"/api/v1/institutions/{b}/domains/{domainB}/reports",
                    l => l["items"]!.AsArray().Any(i => i!["reportId"]!.GetValue<string>() == $"unsigned-{run}"), ct);
                Assert.Equal("uploaded", Assert.Single(listB["items"]!.AsArray(), i => i!["reportId"]!.GetValue<string>() == realId)!["provenance"]!.GetValue<string>());
                Assert.Equal("unverified", Assert.Single(listB["items"]!.AsArray(), i => i!["reportId"]!.GetValue<string>() == $"unsigned-{run}")!["provenance"]!.GetValue<string>());
                Assert.DoesNotContain(listB["items"]!.AsArray(), i => i!["reportId"]!.GetValue<string>() == $"misrouted-{run}");
                var summaryB = await (await clientB.GetAsync($"/api/v1/institutions/{b}/domains/{domainB}/reports/summary?{window}", ct)).Json(HttpStatusCode.OK);
                Assert.Equal(0, summaryB["total"]!["messages"]!.GetValue<long>());
                // The misrouted one is kept apart for the operator, with the warning.
                var foreign = await WaitForAsync(op, "/api/v1/reports/foreign?pageSize=200",
                    l => l["items"]!.AsArray().Any(i => i!["reportId"]!.GetValue<string>() == $"misrouted-{run}"), ct);
                var kept = Assert.Single(foreign["items"]!.AsArray(), i => i!["reportId"]!.GetValue<string>() == $"misrouted-{run}")!;
                Assert.Contains($"report address of {a}", kept["warning"]!.GetValue<string>(), StringComparison.Ordinal);

                // 3. Quarantine bytes: B's broken uploads beyond 4096 bytes push B's oldest out, logged and audited.
                // B has used 1 upload of the hour; these are 2, 3 and 4.
                for (var i = 1; i <= 3; i++)
                {
                    var broken = "<feedback><report_metadata>" + new string('x', 1400) + i.ToString(CultureInfo.InvariantCulture);
                    await (await Upload(clientB, $"broken-{i}.xml", broken)).Json(HttpStatusCode.UnprocessableEntity);
                }
                var quarantine = await (await clientB.GetAsync("/api/v1/reports/quarantine", ct)).Json(HttpStatusCode.OK);
                Assert.Equal(["broken-3.xml", "broken-2.xml"], quarantine["items"]!.AsArray().Select(q => q!["fileName"]!.GetValue<string>()));
                var audit = await (await clientB.GetAsync("/api/v1/audit?pageSize=200", ct)).Json(HttpStatusCode.OK);
                Assert.Contains(audit["items"]!.AsArray(), e => e!["action"]!.GetValue<string>() == "report.quarantine.drop" && e["subject"]!.GetValue<string>() == "broken-1.xml");
                Assert.Contains("quarantined upload broken-1.xml", server.Log, StringComparison.Ordinal);

                // 4. The upload flood: B's 5th and 6th upload of the hour pass, the 7th is 429 naming the limit; A is not affected.
                for (var i = 5; i <= UploadsPerHour; i++)
                {
                    await (await Upload(clientB, $"flood-{i}.xml", ReportXml.Build("google.com", $"flood-{run}-{i}", domainB, day, []))).Json(HttpStatusCode.OK);
                }
                var refused = await (await Upload(clientB, "flood-7.xml", ReportXml.Build("google.com", $"flood-{run}-7", domainB, day, []))).Json(HttpStatusCode.TooManyRequests);
                Assert.Equal("SenderAuth:Reports:UploadsPerHour", refused["limit"]!.GetValue<string>());
                Assert.Contains($"at most {UploadsPerHour} report files per hour", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
                await (await Upload(clientA, "after-flood.xml", ReportXml.Build("google.com", $"afterflood-{run}", domainA, day, []))).Json(HttpStatusCode.OK);

                // An upload is trusted only when it is the whole report mail and that mail verifies for the reporter.
                var eml = SignedBytes(ReportMail(reporter, $"eml-{run}", domainA,
                    ReportXml.Build(reporter, $"eml-{run}", domainA, day, [new("203.0.113.5", 8, true, true)]), $"{a}@rua.ticketing.example"), reporter, reporterKey);
                var uploadedEml = (await (await ReportUploadTests.Upload(clientA, "report.eml", eml)).Json(HttpStatusCode.OK))["files"]![0]!["reports"]![0]!;
                Assert.Equal(("verified", true), (uploadedEml["provenance"]!.GetValue<string>(), uploadedEml["trusted"]!.GetValue<bool>()));
                // The uploader's own Received and Return-Path are not evidence: without a valid DKIM signature it stays untrusted.
                var spfUpload = SpfForged(ReportMail(reporter, $"spfup-{run}", domainA,
                    ReportXml.Build(reporter, $"spfup-{run}", domainA, day, [new("203.0.113.5", 70_000, true, true)]), $"{a}@rua.ticketing.example"), reporter);
                using var spfRaw = new MemoryStream();
                var dos = FormatOptions.Default.Clone();
                dos.NewLineFormat = NewLineFormat.Dos;
                spfUpload.WriteTo(dos, spfRaw);
                var uploadedSpf = (await (await ReportUploadTests.Upload(clientA, "spf.eml", spfRaw.ToArray())).Json(HttpStatusCode.OK))["files"]![0]!["reports"]![0]!;
                Assert.Equal(("uploaded", false), (uploadedSpf["provenance"]!.GetValue<string>(), uploadedSpf["trusted"]!.GetValue<bool>()));
                var afterUploads = await (await clientA.GetAsync($"/api/v1/institutions/{a}/domains/{domainA}/reports/summary?{window}", ct)).Json(HttpStatusCode.OK);
                Assert.Equal(43 + 8, afterUploads["total"]!["messages"]!.GetValue<long>());
            }

            // 5. The restart: the server comes up on the same data and serves what it stored, the quota still counted.
            await using (var again = await ServerProcess.StartAsync(args, OperatorKey, MasterKey, ct))
            {
                using var clientA = Keyed(again, keyA);
                using var clientB = Keyed(again, keyB);
                var listA = await (await clientA.GetAsync($"/api/v1/institutions/{a}/domains/{domainA}/reports", ct)).Json(HttpStatusCode.OK);
                Assert.Equal("verified", Assert.Single(listA["items"]!.AsArray(), i => i!["reportId"]!.GetValue<string>() == $"real-{run}")!["provenance"]!.GetValue<string>());
                await (await Upload(clientB, "after-restart.xml", ReportXml.Build("google.com", $"restart-{run}", domainB, day, []))).Json(HttpStatusCode.TooManyRequests);
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static HttpClient Keyed(ServerProcess server, string key)
    {
        var client = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static Task<HttpResponseMessage> Upload(HttpClient client, string name, string body) =>
        ReportUploadTests.Upload(client, name, Encoding.UTF8.GetBytes(body));

    private static MimeMessage ReportMail(string org, string id, string domain, string xml, string to)
    {
        var mail = TestMailbox.ReportEmail(org, id, domain, ReportXml.Gzip(xml), $"{org}!{domain}!{id}.xml.gz");
        mail.To.Clear();
        mail.To.Add(new MailboxAddress("", to));
        return mail;
    }

    /// <summary>The mail as if relayed by the reporter's SPF-authorised host: a Received naming 198.51.100.77 on top, and its Return-Path.</summary>
    private static MimeMessage SpfForged(MimeMessage mail, string reporter)
    {
        mail.Headers.Insert(0, new Header("Received", $"from mx.{reporter} (mx.{reporter} [198.51.100.77]) by mx.ticketing.example with ESMTPS; Mon, 7 Dec 2026 01:00:00 +0000"));
        mail.Headers.Insert(0, new Header("Return-Path", $"<bounces@{reporter}>"));
        return mail;
    }

    /// <summary>The mail signed by the reporter's key with our engine's signer (relaxed/relaxed), as it arrives.</summary>
    private static MimeMessage Signed(MimeMessage mail, string domain, DkimPrivateKey key) =>
        MimeMessage.Load(new MemoryStream(SignedBytes(mail, domain, key)));

    private static byte[] SignedBytes(MimeMessage mail, string domain, DkimPrivateKey key)
    {
        using var raw = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        mail.WriteTo(format, raw);
        return new DkimSigner(new DkimSignerOptions { Keys = [new DkimSigningKey(domain, "s1", key)] }).Sign(raw.ToArray());
    }

    private static async Task<JsonNode> WaitForAsync(HttpClient client, string url, Func<JsonNode, bool> done, CancellationToken ct)
    {
        var last = "";
        for (var i = 0; i < 120; i++)
        {
            using var r = await client.GetAsync(url, ct);
            last = await r.Content.ReadAsStringAsync(ct);
            if (r.IsSuccessStatusCode && done(JsonNode.Parse(last)!))
            {
                return JsonNode.Parse(last)!;
            }
            await Task.Delay(500, ct);
        }
        Assert.Fail($"{url} did not show the expected reports within 60 s: {last}");
        return null!;
    }

    private static string Env(string name)
    {
        var value = TestServers.Get(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            Assert.Skip($"{name} is not set: the test servers were not started; run ./run-tests");
        }
        return value;
    }
}
