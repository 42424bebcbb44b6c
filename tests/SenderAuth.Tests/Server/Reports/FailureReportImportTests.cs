using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Store.Reports;
using SenderAuth.Tests.Reports;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>Failure reports (RFC 9991) through the report channels: stored per institution, listed, deduplicated, counted in the findings.</summary>
[Trait("Layer", "server")]
public abstract class FailureReportImportTests(ServerFixture fixture)
{
    private ServerHost Host
    {
        get
        {
            if (fixture.SkipReason is { } reason)
            {
                Assert.Skip(reason);
            }
            return fixture.Host;
        }
    }

    private async Task<(string Code, string Domain)> InstitutionWithDomain()
    {
        var code = ServerFixture.NewCode("ruf");
        var domain = $"{code}.example";
        var client = Host.Client();
        await client.CreateInstitution(code);
        await client.CreateVerifiedDomain(code, domain);
        return (code, domain);
    }

    /// <summary>The RFC 9991 sample about <paramref name="domain"/>, from <paramref name="ip"/>, with its body (which must not be kept).</summary>
    internal static byte[] Sample(string domain, string ip, string messageId) => Encoding.UTF8.GetBytes(
        File.ReadAllText(ReportFiles.Path("failure/rfc9991-dmarc-full-message.eml"))
            .Replace("example.org", domain, StringComparison.Ordinal)
            .Replace("198.51.100.23", ip, StringComparison.Ordinal)
            .Replace("stmt-777@", messageId + "@", StringComparison.Ordinal));

    [Fact]
    public async Task A_failure_report_uploaded_is_stored_for_its_domain_listed_and_deduplicated()
    {
        var (code, domain) = await InstitutionWithDomain();
        var key = await Host.Client().CreateInstitutionKey(code);
        var mine = Host.Client(key);
        var body = await (await ReportUploadTests.Upload(mine, "ruf.eml", Sample(domain, "198.51.100.23", "up-" + code))).Json(HttpStatusCode.OK);
        var imported = body["files"]![0]!["reports"]![0]!;
        Assert.Equal("failure", imported["kind"]!.GetValue<string>());
        Assert.Equal("imported", imported["status"]!.GetValue<string>());
        Assert.Equal("dmarc-noreply@receiver.example", imported["org"]!.GetValue<string>());

        var again = await (await ReportUploadTests.Upload(mine, "ruf-again.eml", Sample(domain, "198.51.100.23", "up-" + code))).Json(HttpStatusCode.OK);
        Assert.Equal("duplicate", again["files"]![0]!["reports"]![0]!["status"]!.GetValue<string>());

        var list = await (await mine.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/failure-reports?pageSize=10")).Json(HttpStatusCode.OK);
        Assert.Equal(1, list["total"]!.GetValue<int>());
        var item = list["items"]![0]!;
        Assert.Equal("198.51.100.23", item["sourceIp"]!.GetValue<string>());
        Assert.Equal(domain, item["headerFrom"]!.GetValue<string>());
        Assert.Equal("bounces+123@mailer.example.com", item["mailFrom"]!.GetValue<string>());
        Assert.Equal("mailer.example.com", item["dkimDomain"]!.GetValue<string>());
        Assert.Equal("s2023", item["dkimSelector"]!.GetValue<string>());
        Assert.Equal("dmarc", item["authFailure"]!.GetValue<string>());
        Assert.Equal("2023-11-14T09:59:58Z", item["arrivalDate"]!.GetValue<string>());
        Assert.StartsWith("mx.receiver.example; dmarc=fail", item["authenticationResults"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("uploaded", item["provenance"]!.GetValue<string>());
        Assert.True(item["bodyRedacted"]!.GetValue<bool>());
        Assert.Equal("arf", item["format"]!.GetValue<string>());
        Assert.Empty(item["warnings"]!.AsArray());
        Assert.Null(item["headers"]);

        var one = await (await mine.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/failure-reports/{item["id"]}")).Json(HttpStatusCode.OK);
        var headers = one["headers"]!.GetValue<string>();
        Assert.Contains("Subject: Your account statement\r\n", headers, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET BODY", headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mailed_copy_replaces_an_uploaded_one_and_is_counted_once()
    {
        var (code, domain) = await InstitutionWithDomain();
        var mine = Host.Client(await Host.Client().CreateInstitutionKey(code));
        var sample = Sample(domain, "198.51.100.23", "copy-" + code);
        await (await ReportUploadTests.Upload(mine, "ruf.eml", sample)).Json(HttpStatusCode.OK);
        var file = Path.Combine(Host.DataDirectory, $"copy-{code}.eml");
        await File.WriteAllBytesAsync(file, sample, TestContext.Current.CancellationToken);
        using (var scope = Host.Services.CreateScope())
        {
            var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
            var first = await importer.ImportFileAsync(file, "copy.eml", ReportSource.Local("test"), TestContext.Current.CancellationToken);
            Assert.Equal(ReportImportStatus.Imported, Assert.Single(first.Reports).Status);
            var again = await importer.ImportFileAsync(file, "copy.eml", ReportSource.Local("test"), TestContext.Current.CancellationToken);
            Assert.Equal(ReportImportStatus.Duplicate, Assert.Single(again.Reports).Status);
        }
        var list = await (await mine.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/failure-reports")).Json(HttpStatusCode.OK);
        Assert.Equal("unverified", Assert.Single(list["items"]!.AsArray())!["provenance"]!.GetValue<string>());
        // Uploading it once more is a duplicate of the mailed copy, not a second row.
        var upload = await (await ReportUploadTests.Upload(mine, "ruf-again.eml", sample)).Json(HttpStatusCode.OK);
        Assert.Equal("duplicate", upload["files"]![0]!["reports"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failure_report_about_no_domain_of_ours_is_shown_to_the_operator_only()
    {
        var (code, _) = await InstitutionWithDomain();
        var stranger = $"stranger-{code}.example";
        var file = Path.Combine(Host.DataDirectory, $"foreign-{code}.eml");
        await File.WriteAllBytesAsync(file, Sample(stranger, "192.0.2.77", "foreign-" + code), TestContext.Current.CancellationToken);
        using (var scope = Host.Services.CreateScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<ReportImporter>().ImportFileAsync(file, "foreign.eml", ReportSource.Local("test"), TestContext.Current.CancellationToken);
            Assert.Equal(ReportImportStatus.Foreign, Assert.Single(outcome.Reports).Status);
        }
        var foreign = await (await Host.Client().GetAsync("/api/v1/reports/failure-reports/foreign?pageSize=200")).Json(HttpStatusCode.OK);
        var row = Assert.Single(foreign["items"]!.AsArray(), i => i!["domain"]!.GetValue<string>() == stranger)!;
        Assert.Equal("192.0.2.77", row["sourceIp"]!.GetValue<string>());
        Assert.Null(row["headers"]);
        var mine = Host.Client(await Host.Client().CreateInstitutionKey(code));
        await (await mine.GetAsync("/api/v1/reports/failure-reports/foreign")).Json(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_correctly_routed_copy_adopts_a_misrouted_one_and_reaches_its_institution()
    {
        var (code, domain) = await InstitutionWithDomain();
        var (otherCode, _) = await InstitutionWithDomain();
        var sample = Encoding.UTF8.GetString(Sample(domain, "198.51.100.23", "route-" + code));
        var outside = Directory.CreateTempSubdirectory("sa-ruf-").FullName;
        try
        {
            // Mailed first to the other institution's report address (misrouted: no domain), then to the owner's.
            var wrong = Path.Combine(outside, "wrong.eml");
            await File.WriteAllTextAsync(wrong, sample.Replace("To: ruf@reports.example.net", $"To: {otherCode}@rua.ticketing.example", StringComparison.Ordinal), TestContext.Current.CancellationToken);
            var right = Path.Combine(outside, "right.eml");
            await File.WriteAllTextAsync(right, sample.Replace("To: ruf@reports.example.net", $"To: {code}@rua.ticketing.example", StringComparison.Ordinal), TestContext.Current.CancellationToken);
            using var scope = Host.Services.CreateScope();
            var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
            var first = await importer.ImportFileAsync(wrong, "wrong.eml", ReportSource.Local("test"), TestContext.Current.CancellationToken);
            Assert.Equal(ReportImportStatus.Misrouted, Assert.Single(first.Reports).Status);
            var second = await importer.ImportFileAsync(right, "right.eml", ReportSource.Local("test"), TestContext.Current.CancellationToken);
            Assert.Equal(ReportImportStatus.Imported, Assert.Single(second.Reports).Status);
            // And the misrouted copy mailed again is now a duplicate of the owner's, not a second row.
            var again = await importer.ImportFileAsync(wrong, "wrong.eml", ReportSource.Local("test"), TestContext.Current.CancellationToken);
            Assert.Equal(ReportImportStatus.Duplicate, Assert.Single(again.Reports).Status);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
        var list = await (await Host.Client().GetAsync($"/api/v1/institutions/{code}/domains/{domain}/failure-reports")).Json(HttpStatusCode.OK);
        Assert.Equal(1, list["total"]!.GetValue<int>());
        var foreign = await (await Host.Client().GetAsync("/api/v1/reports/failure-reports/foreign?pageSize=200")).Json(HttpStatusCode.OK);
        Assert.DoesNotContain(foreign["items"]!.AsArray(), i => i!["domain"]!.GetValue<string>() == domain);
    }

    [Fact]
    public async Task Another_institutions_failure_reports_are_neither_uploaded_nor_read()
    {
        var (code, domain) = await InstitutionWithDomain();
        var (otherCode, other) = await InstitutionWithDomain();
        var mine = Host.Client(await Host.Client().CreateInstitutionKey(code));
        var refused = await (await ReportUploadTests.Upload(mine, "theirs.eml", Sample(other, "198.51.100.23", "x-" + code))).Json(HttpStatusCode.Forbidden);
        Assert.Contains("not a domain of your institution", refused["files"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        await (await Host.Client().GetAsync($"/api/v1/institutions/{otherCode}/domains/{other}/failure-reports")).Json(HttpStatusCode.OK);
        await (await mine.GetAsync($"/api/v1/institutions/{otherCode}/domains/{other}/failure-reports")).Json(HttpStatusCode.NotFound);
        Assert.Equal(0, (await (await Host.Client().GetAsync($"/api/v1/institutions/{otherCode}/domains/{other}/failure-reports")).Json(HttpStatusCode.OK))["total"]!.GetValue<int>());
        _ = domain;
    }

    [Fact]
    public async Task A_hostile_failure_report_is_quarantined_with_its_code()
    {
        var (code, _) = await InstitutionWithDomain();
        var mine = Host.Client(await Host.Client().CreateInstitutionKey(code));
        var abuse = File.ReadAllBytes(ReportFiles.Path("failure/rfc5965-abuse.eml"));
        var body = await (await ReportUploadTests.Upload(mine, "abuse.eml", abuse)).Json(HttpStatusCode.UnprocessableEntity);
        Assert.StartsWith("unsupported-format:", body["files"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>Every file under the data folder whose bytes hold <paramref name="marker"/>.</summary>
    private List<string> FilesHolding(string marker)
    {
        var needle = Encoding.UTF8.GetBytes(marker);
        return Directory.EnumerateFiles(Host.DataDirectory, "*", SearchOption.AllDirectories)
            .Where(f => { try { return File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0; } catch (IOException) { return false; } })
            .ToList();
    }

    [Fact]
    public async Task A_refused_failure_report_is_quarantined_without_its_body()
    {
        var (code, _) = await InstitutionWithDomain();
        var mine = Host.Client(await Host.Client().CreateInstitutionKey(code));
        var marker = $"BODY-MARKER-{code}-upload";
        var abuse = File.ReadAllText(ReportFiles.Path("failure/rfc5965-abuse.eml")).Replace("Spam Spam Spam", marker, StringComparison.Ordinal);
        var body = await (await ReportUploadTests.Upload(mine, "abuse.eml", Encoding.UTF8.GetBytes(abuse))).Json(HttpStatusCode.UnprocessableEntity);
        Assert.StartsWith("unsupported-format:", body["files"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        // From the operator's folder or mailbox too: a refused failure report, and a stray mail that carries no report.
        var outside = Directory.CreateTempSubdirectory("sa-ruf-").FullName;
        try
        {
            var folderMarker = $"BODY-MARKER-{code}-folder";
            var strayMarker = $"BODY-MARKER-{code}-stray";
            var refused = Path.Combine(outside, "abuse.eml");
            await File.WriteAllTextAsync(refused, abuse.Replace(marker, folderMarker, StringComparison.Ordinal), TestContext.Current.CancellationToken);
            var stray = Path.Combine(outside, "stray.eml");
            await File.WriteAllTextAsync(stray, $"From: someone@example.net\r\nSubject: lunch\r\nTo: rua@reports.example\r\n\r\n{strayMarker}\r\n", TestContext.Current.CancellationToken);
            using (var scope = Host.Services.CreateScope())
            {
                var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
                var first = await importer.ImportFileAsync(refused, "abuse.eml", ReportSource.Local("test"), TestContext.Current.CancellationToken);
                Assert.Equal(FileImportStatus.Quarantined, first.Status);
                var second = await importer.ImportFileAsync(stray, "stray.eml", ReportSource.Local("test"), TestContext.Current.CancellationToken);
                Assert.Equal(FileImportStatus.Quarantined, second.Status);
            }
            Assert.Empty(FilesHolding(marker));
            Assert.Empty(FilesHolding(folderMarker));
            Assert.Empty(FilesHolding(strayMarker));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }

        // What is kept: the report mail's own headers, the reason and the original's hash.
        var list = await (await Host.Client().GetAsync("/api/v1/reports/quarantine?pageSize=200")).Json(HttpStatusCode.OK);
        var row = list["items"]!.AsArray().First(i => i!["fileName"]!.GetValue<string>() == "abuse.eml")!;
        var kept = await File.ReadAllTextAsync(Path.Combine(Host.DataDirectory, row["storedAs"]!.GetValue<string>()), TestContext.Current.CancellationToken);
        Assert.Contains("Subject: FW: Earn money", kept, StringComparison.Ordinal);
        Assert.Contains(row["sha256"]!.GetValue<string>(), kept, StringComparison.Ordinal);
        Assert.Contains("body not kept", kept, StringComparison.Ordinal);
        Assert.DoesNotContain("Feedback-Type", kept, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_reports_about_our_own_sending_ips_are_an_urgent_finding_and_others_informative()
    {
        var (code, domain) = await InstitutionWithDomain();
        var client = Host.Client();
        // Mail in the operator's folder that does not verify (these samples are not signed) is unverified: counted with ?untrusted=include.
        using (var scope = Host.Services.CreateScope())
        {
            var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
            foreach (var (ip, id) in new[] { ("203.0.113.5", "own"), ("198.51.100.23", "spoof1"), ("198.51.100.24", "spoof2") })
            {
                var file = Path.Combine(Host.DataDirectory, $"{id}-{code}.eml");
                await File.WriteAllBytesAsync(file, Sample(domain, ip, id + code), TestContext.Current.CancellationToken);
                var outcome = await importer.ImportFileAsync(file, $"{id}.eml", ReportSource.Local("test"), TestContext.Current.CancellationToken);
                Assert.Equal(ReportProvenance.Unverified, Assert.Single(outcome.Reports).Provenance);
            }
        }
        var url = $"/api/v1/institutions/{code}/domains/{domain}/reports/findings?from=2023-11-01&to=2023-11-30";
        var trustedOnly = (await (await client.GetAsync(url)).Json(HttpStatusCode.OK))["findings"]!.AsArray();
        Assert.DoesNotContain(trustedOnly, f => f!["code"]!.GetValue<string>().StartsWith("failure-report", StringComparison.Ordinal));
        var findings = (await (await client.GetAsync(url + "&untrusted=include")).Json(HttpStatusCode.OK))["findings"]!.AsArray();
        var own = Assert.Single(findings, f => f!["code"]!.GetValue<string>() == "failure-report-own-mail")!;
        Assert.Equal("error", own["severity"]!.GetValue<string>());
        Assert.Equal(["203.0.113.5"], own["sources"]!.AsArray().Select(s => s!.GetValue<string>()));
        var others = Assert.Single(findings, f => f!["code"]!.GetValue<string>() == "failure-reports")!;
        Assert.Equal("info", others["severity"]!.GetValue<string>());
        Assert.Equal(2, others["messages"]!.GetValue<long>());
        Assert.Equal("failure-report-own-mail", findings[0]!["code"]!.GetValue<string>());
    }
}

[Trait("Layer", "server")]
public sealed class SqliteFailureReportImportTests(SqliteServerFixture fixture) : FailureReportImportTests(fixture), IClassFixture<SqliteServerFixture>;

[Trait("Layer", "server")]
[Trait("Needs", "postgres")]
public sealed class PostgresFailureReportImportTests(PostgresServerFixture fixture) : FailureReportImportTests(fixture), IClassFixture<PostgresServerFixture>;
