using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Server.Reports;
using SenderAuth.Store.Reports;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>HTTP upload: imported once, foreign kept apart, hostile files quarantined whole, institutions limited to their domains.</summary>
[Trait("Layer", "server")]
public abstract class ReportUploadTests(ServerFixture fixture)
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

    private static readonly DateTime Day = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    internal static Task<HttpResponseMessage> Upload(HttpClient client, string name, byte[] body) =>
        client.PostAsync($"/api/v1/reports?name={Uri.EscapeDataString(name)}", new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } });

    private async Task<(string Code, string Domain)> InstitutionWithDomain()
    {
        var code = ServerFixture.NewCode("rep");
        var domain = $"{code}.example";
        var client = Host.Client();
        await client.CreateInstitution(code);
        await client.CreateVerifiedDomain(code, domain);
        return (code, domain);
    }

    [Fact]
    public async Task A_report_uploaded_twice_is_stored_once_and_listed_for_its_domain()
    {
        var (code, domain) = await InstitutionWithDomain();
        var client = Host.Client();
        var xml = ReportXml.Build("google.com", $"id-{code}", domain, Day, [new("203.0.113.5", 40, true, true, domain, "stxsel1", true, domain, true)]);
        var first = await (await Upload(client, "google.xml.gz", ReportXml.Gzip(xml))).Json(HttpStatusCode.OK);
        var file = first["files"]![0]!;
        Assert.Equal("imported", file["status"]!.GetValue<string>());
        Assert.Equal(1, file["imported"]!.GetValue<int>());
        Assert.Equal(40, file["reports"]![0]!["messages"]!.GetValue<long>());

        var again = await (await Upload(client, "same-report-as-plain.xml", Encoding.UTF8.GetBytes(xml))).Json(HttpStatusCode.OK);
        Assert.Equal("duplicate", again["files"]![0]!["reports"]![0]!["status"]!.GetValue<string>());

        var list = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/reports")).Json(HttpStatusCode.OK);
        Assert.Equal(1, list["total"]!.GetValue<int>());
        Assert.Equal("p=none; sp=none; adkim=r; aspf=r; pct=100", list["items"]![0]!["policy"]!.GetValue<string>());
        Assert.Equal(40, list["items"]![0]!["messages"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_report_for_a_domain_that_is_not_ours_is_kept_apart_and_counted()
    {
        var client = Host.Client();
        var id = ServerFixture.NewCode("foreign");
        var xml = ReportXml.Build("yahoo.com", id, $"{id}.not-ours.example", Day, [new("192.0.2.1", 7, false, false)]);
        var body = await (await Upload(client, "foreign.xml", Encoding.UTF8.GetBytes(xml))).Json(HttpStatusCode.OK);
        Assert.Equal("foreign", body["files"]![0]!["reports"]![0]!["status"]!.GetValue<string>());
        var foreign = await (await client.GetAsync("/api/v1/reports/foreign?pageSize=200")).Json(HttpStatusCode.OK);
        Assert.Contains(foreign["items"]!.AsArray(), r => r!["reportId"]!.GetValue<string>() == id && r["messages"]!.GetValue<long>() == 7);
    }

    [Theory]
    [InlineData("hostile-billion-laughs.xml", "dtd-prohibited")]
    [InlineData("hostile-external-entity.xml", "dtd-prohibited")]
    [InlineData("truncated.xml.gz", "")]
    [InlineData("wrong-root.xml", "wrong-root")]
    [InlineData("malformed.xml", "malformed-xml")]
    public async Task A_hostile_or_broken_file_is_quarantined_with_the_reason(string name, string code)
    {
        var client = Host.Client();
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "TestData", "reports", name));
        var body = await (await Upload(client, name, bytes)).Json(HttpStatusCode.UnprocessableEntity);
        var file = body["files"]![0]!;
        Assert.Equal("quarantined", file["status"]!.GetValue<string>());
        Assert.Contains(code, file["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(name, file["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        var q = await (await client.GetAsync("/api/v1/reports/quarantine?pageSize=200")).Json(HttpStatusCode.OK);
        var kept = q["items"]!.AsArray().First(i => i!["fileName"]!.GetValue<string>() == name);
        Assert.True(File.Exists(Path.Combine(Host.DataDirectory, kept!["storedAs"]!.GetValue<string>())));
    }

    [Fact]
    public async Task A_file_that_breaks_after_a_good_report_stores_nothing()
    {
        var (code, domain) = await InstitutionWithDomain();
        var client = Host.Client();
        var good = ReportXml.Build("outlook.com", $"good-{code}", domain, Day, [new("203.0.113.9", 3, true, true)]);
        // A zip whose second entry is cut off: the first report must not survive the failure of the file.
        using var zip = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(zip, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            await using (var w = new StreamWriter(archive.CreateEntry("good.xml").Open()))
            {
                await w.WriteAsync(good);
            }
            await using (var w = new StreamWriter(archive.CreateEntry("cut.xml").Open()))
            {
                await w.WriteAsync(ReportXml.Build("outlook.com", $"cut-{code}", domain, Day, [new("203.0.113.9", 3, true, true)])[..300]);
            }
        }
        var body = await (await Upload(client, "two.zip", zip.ToArray())).Json(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("cut.xml", body["files"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        var list = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/reports")).Json(HttpStatusCode.OK);
        Assert.Equal(0, list["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_institution_uploads_for_its_own_domains_only()
    {
        var (code, domain) = await InstitutionWithDomain();
        var (_, other) = await InstitutionWithDomain();
        var key = await Host.Client().CreateInstitutionKey(code);
        var mine = Host.Client(key);
        var own = ReportXml.Build("google.com", $"own-{code}", domain, Day, [new("203.0.113.5", 2, true, true)]);
        await (await Upload(mine, "own.xml", Encoding.UTF8.GetBytes(own))).Json(HttpStatusCode.OK);
        var theirs = ReportXml.Build("google.com", $"theirs-{code}", other, Day, [new("203.0.113.5", 2, true, true)]);
        var refused = await (await Upload(mine, "theirs.xml", Encoding.UTF8.GetBytes(theirs))).Json(HttpStatusCode.Forbidden);
        Assert.Contains("not a domain of your institution", refused["files"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        await (await mine.GetAsync("/api/v1/reports/foreign")).Json(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Every_analysis_endpoint_answers_on_this_database_with_the_uploaded_figures()
    {
        var (code, domain) = await InstitutionWithDomain();
        var client = Host.Client();
        for (var d = 0; d < 3; d++)
        {
            var xml = ReportXml.Build("google.com", $"an-{code}-{d}", domain, Day.AddDays(d),
                [new("203.0.113.5", 10 + d, true, false, domain, "stxsel1", true, "bounce.ticketing.example", true), new("198.18.0.9", 2, false, false)]);
            await (await Upload(client, $"d{d}.xml", Encoding.UTF8.GetBytes(xml))).Json(HttpStatusCode.OK);
        }
        var baseUrl = $"/api/v1/institutions/{code}/domains/{domain}/reports";
        // Uploads are untrusted: stored and listed, not counted unless asked.
        var trustedOnly = await (await client.GetAsync(baseUrl + "/summary?period=week&from=2026-10-01&to=2026-10-03")).Json(HttpStatusCode.OK);
        Assert.Equal(0, trustedOnly["total"]!["messages"]!.GetValue<long>());
        var listed = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/reports")).Json(HttpStatusCode.OK);
        Assert.All(listed["items"]!.AsArray(), i => Assert.Equal("uploaded", i!["provenance"]!.GetValue<string>()));
        Assert.Equal("untrusted must be include or exclude, not \"yes\"",
            (await (await client.GetAsync(baseUrl + "/summary?untrusted=yes")).Json(HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        baseUrl += "/";
        var summary = await (await client.GetAsync(baseUrl + "summary?period=week&untrusted=include")).Json(HttpStatusCode.OK);
        Assert.Equal(39, summary["total"]!["messages"]!.GetValue<long>());
        Assert.Equal(33, summary["total"]!["dmarcPass"]!.GetValue<long>());
        Assert.Equal(3, summary["daysWithData"]!.GetValue<int>());
        var sources = await (await client.GetAsync(baseUrl + "sources?untrusted=include")).Json(HttpStatusCode.OK);
        Assert.Equal(["platform", "unknown"], sources["items"]!.AsArray().Select(i => i!["category"]!.GetValue<string>()));
        var findings = await (await client.GetAsync(baseUrl + "findings?untrusted=include")).Json(HttpStatusCode.OK);
        Assert.Equal("spoofing", findings["findings"]![0]!["code"]!.GetValue<string>());
        // The one finding shape (docs/json.md), then what only reports know.
        Assert.Equal(["severity", "code", "message", "subject", "position", "title", "observed", "messages", "sources"], findings["findings"]![0]!.AsObject().Select(p => p.Key));
        Assert.False(string.IsNullOrEmpty(findings["findings"]![0]!["message"]!.GetValue<string>()));
        var advice = await (await client.GetAsync(baseUrl + "advice?untrusted=include")).Json(HttpStatusCode.OK);
        Assert.Equal(3, advice["daysOfData"]!.GetValue<int>());
        Assert.Equal(33, advice["legitimateMessages"]!.GetValue<long>());
        await (await client.GetAsync(baseUrl + "reconciliation?untrusted=include")).Json(HttpStatusCode.OK);
        var timeline = await (await client.GetAsync(baseUrl + "timeline?from=2020-01-01&to=2030-01-01")).Json(HttpStatusCode.OK);
        Assert.Contains(timeline["events"]!.AsArray(), e => e!["what"]!.GetValue<string>().StartsWith("domain.create", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Our_own_mail_failing_in_a_trusted_report_raises_a_webhook_event_and_an_upload_does_not()
    {
        var (code, domain) = await InstitutionWithDomain();
        var key = await Host.Client().CreateInstitutionKey(code);
        var inst = Host.Client(key);
        var hook = (await (await inst.PostJson("/api/v1/webhooks", new { url = "https://hooks.example.com/hook" })).Json(HttpStatusCode.Created))["id"]!.GetValue<long>();
        var ok = ReportXml.Build("google.com", $"ok-{code}", domain, Day, [new("203.0.113.5", 500, true, false), new("203.0.113.6", 4, false, false)]);
        await (await Upload(inst, "ok.xml", Encoding.UTF8.GetBytes(ok))).Json(HttpStatusCode.OK);
        var broken = ReportXml.Build("google.com", $"broken-{code}", domain, Day.AddDays(1), [new("203.0.113.5", 480, false, false), new("198.51.100.1", 30, false, false)]);
        // Uploaded (anyone with the key could have written it): stored, no alert.
        await (await Upload(inst, "broken.xml", Encoding.UTF8.GetBytes(broken))).Json(HttpStatusCode.OK);
        var afterUpload = (await (await inst.GetAsync($"/api/v1/webhooks/{hook}/deliveries")).Json(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.DoesNotContain(afterUpload, d => d!["event"]!.GetValue<string>() == "reports.own-mail-failing");
        // The same failure from the operator's own import (a trusted local file) alerts.
        var file = Path.Combine(Host.DataDirectory, $"broken-{code}.xml");
        await File.WriteAllTextAsync(file, broken.Replace($"broken-{code}", $"broken2-{code}", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        using (var scope = Host.Services.CreateScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<ReportImporter>().ImportFileAsync(file, "broken.xml", ReportSource.Local("test"), TestContext.Current.CancellationToken);
            Assert.Equal(ReportProvenance.LocalFile, Assert.Single(outcome.Reports).Provenance);
        }
        var deliveries = (await (await inst.GetAsync($"/api/v1/webhooks/{hook}/deliveries")).Json(HttpStatusCode.OK))["items"]!.AsArray();
        // One alert: the first report's 4 failing messages are below the noise floor, the third's 480 of 480 are not.
        Assert.Single(deliveries, d => d!["event"]!.GetValue<string>() == "reports.own-mail-failing");
    }

    [Fact]
    public async Task Upload_without_a_name_is_refused_and_multipart_form_files_are_read()
    {
        var client = Host.Client();
        var noName = await client.PostAsync("/api/v1/reports", new ByteArrayContent([1, 2, 3]));
        Assert.Equal("name", (await noName.Json(HttpStatusCode.BadRequest))["field"]!.GetValue<string>());
        var multipart = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(ReportXml.Build("a.example", ServerFixture.NewCode("mp"), "x.not-ours.example", Day, []))), "file", "a.xml" } };
        var mp = await (await client.PostAsync("/api/v1/reports", multipart)).Json(HttpStatusCode.OK);
        Assert.Equal("a.xml", mp["files"]![0]!["file"]!.GetValue<string>());
    }
}

[Trait("Layer", "server")]
public sealed class SqliteReportUploadTests(SqliteServerFixture fixture) : ReportUploadTests(fixture), IClassFixture<SqliteServerFixture>;

[Trait("Layer", "server")]
[Trait("Needs", "postgres")]
public sealed class PostgresReportUploadTests(PostgresServerFixture fixture) : ReportUploadTests(fixture), IClassFixture<PostgresServerFixture>;
