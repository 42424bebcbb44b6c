using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;
using SenderAuth.Server.Reports;
using SenderAuth.Store.Reports;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>
/// Provenance and dedupe without the network: the key is per policy domain and channel, a mailbox (or operator)
/// copy replaces an upload and never the reverse, the rua address routes to its institution, and the report
/// quotas are checked at start.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "dovecot")]
public sealed class ReportProvenanceTests
{
    private static readonly DateTime Day = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Import_SameReporterAndIdForTwoDomains_StoresBoth_AndTheOperatorCopyReplacesAnUpload()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ServerHost.StartAsync("sqlite");
        var client = host.Client();
        var (a, b) = (ServerFixture.NewCode("pva"), ServerFixture.NewCode("pvb"));
        await client.CreateInstitution(a);
        await client.CreateInstitution(b);
        await client.CreateVerifiedDomain(a, $"{a}.example");
        await client.CreateVerifiedDomain(b, $"{b}.example");
        var id = $"same-{a}";

        // B's forged upload first, with A's reporter and id about B's domain: a different key, A's report still imports.
        await (await ReportUploadTests.Upload(client, "b.xml", Encoding.UTF8.GetBytes(ReportXml.Build("google.com", id, $"{b}.example", Day, [new("203.0.113.5", 7, true, true)]))))
            .Json(HttpStatusCode.OK);
        // An upload about A's domain with the real id, then the operator's own copy of the real report.
        var forged = await (await ReportUploadTests.Upload(client, "a.xml", Encoding.UTF8.GetBytes(ReportXml.Build("google.com", id, $"{a}.example", Day, [new("203.0.113.5", 9999, true, true)]))))
            .Json(HttpStatusCode.OK);
        Assert.Equal("uploaded", forged["files"]![0]!["reports"]![0]!["provenance"]!.GetValue<string>());
        var file = Path.Combine(host.DataDirectory, $"{id}.xml");
        await File.WriteAllTextAsync(file, ReportXml.Build("google.com", id, $"{a}.example", Day, [new("203.0.113.5", 12, true, true)]), ct);
        using (var scope = host.Services.CreateScope())
        {
            var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
            var real = Assert.Single((await importer.ImportFileAsync(file, "real.xml", ReportSource.Local("test"), ct)).Reports);
            Assert.Equal((ReportImportStatus.Imported, ReportProvenance.LocalFile), (real.Status, real.Provenance));
            // The same report again from the operator: a duplicate of the stored copy.
            Assert.Equal(ReportImportStatus.Duplicate, Assert.Single((await importer.ImportFileAsync(file, "real.xml", ReportSource.Local("test"), ct)).Reports).Status);
        }
        var listA = await (await client.GetAsync($"/api/v1/institutions/{a}/domains/{a}.example/reports", ct)).Json(HttpStatusCode.OK);
        var only = Assert.Single(listA["items"]!.AsArray())!;
        Assert.Equal((12L, "local-file", true), (only["messages"]!.GetValue<long>(), only["provenance"]!.GetValue<string>(), only["trusted"]!.GetValue<bool>()));
        var listB = await (await client.GetAsync($"/api/v1/institutions/{b}/domains/{b}.example/reports", ct)).Json(HttpStatusCode.OK);
        Assert.Equal(7, Assert.Single(listB["items"]!.AsArray())!["messages"]!.GetValue<long>());

        // An upload never displaces the stored copy: it is the duplicate.
        var again = await (await ReportUploadTests.Upload(client, "a2.xml", Encoding.UTF8.GetBytes(ReportXml.Build("google.com", id, $"{a}.example", Day, [new("203.0.113.5", 5, true, true)]))))
            .Json(HttpStatusCode.OK);
        Assert.Equal("duplicate", again["files"]![0]!["reports"]![0]!["status"]!.GetValue<string>());
        var summary = await (await client.GetAsync($"/api/v1/institutions/{a}/domains/{a}.example/reports/summary?from=2026-10-01&to=2026-10-01", ct)).Json(HttpStatusCode.OK);
        Assert.Equal(12, summary["total"]!["messages"]!.GetValue<long>());
    }

    [Fact]
    public async Task Import_UntrustedMailboxCopyFirst_IsReplacedByTheTrustedCopy_AndOnlyThatIsCounted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ServerHost.StartAsync("sqlite");
        var client = host.Client();
        var a = ServerFixture.NewCode("pvu");
        await client.CreateInstitution(a);
        await client.CreateVerifiedDomain(a, $"{a}.example");
        var id = $"guessed-{a}";
        // The forged copy: unsigned mail with the real reporter's name and a guessed id, claiming 9 999 passing messages.
        var forged = Path.Combine(host.DataDirectory, $"{id}.eml");
        var mail = TestMailbox.ReportEmail("google.com", id, $"{a}.example",
            ReportXml.Gzip(ReportXml.Build("google.com", id, $"{a}.example", Day, [new("203.0.113.5", 9999, true, true)])), "r.xml.gz");
        await mail.WriteToAsync(forged, ct);
        var real = Path.Combine(host.DataDirectory, $"{id}.xml");
        await File.WriteAllTextAsync(real, ReportXml.Build("google.com", id, $"{a}.example", Day, [new("203.0.113.5", 12, true, false)]), ct);
        using (var scope = host.Services.CreateScope())
        {
            var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
            var first = Assert.Single((await importer.ImportFileAsync(forged, "forged.eml", ReportSource.Mailbox("test"), ct)).Reports);
            Assert.Equal((ReportImportStatus.Imported, ReportProvenance.Unverified), (first.Status, first.Provenance));
            // The trusted copy (the operator's file) is not a duplicate of the untrusted one: it replaces it.
            var second = Assert.Single((await importer.ImportFileAsync(real, "real.xml", ReportSource.Local("test"), ct)).Reports);
            Assert.Equal((ReportImportStatus.Imported, ReportProvenance.LocalFile), (second.Status, second.Provenance));
            // The forged mail again is now the duplicate, and a second trusted copy is one too.
            Assert.Equal(ReportImportStatus.Duplicate, Assert.Single((await importer.ImportFileAsync(forged, "forged.eml", ReportSource.Mailbox("test"), ct)).Reports).Status);
            Assert.Equal(ReportImportStatus.Duplicate, Assert.Single((await importer.ImportFileAsync(real, "real.xml", ReportSource.Local("test"), ct)).Reports).Status);
        }
        var list = await (await client.GetAsync($"/api/v1/institutions/{a}/domains/{a}.example/reports", ct)).Json(HttpStatusCode.OK);
        var only = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal((12L, "local-file", true), (only["messages"]!.GetValue<long>(), only["provenance"]!.GetValue<string>(), only["trusted"]!.GetValue<bool>()));
        var summary = await (await client.GetAsync($"/api/v1/institutions/{a}/domains/{a}.example/reports/summary?from=2026-10-01&to=2026-10-01&untrusted=include", ct))
            .Json(HttpStatusCode.OK);
        Assert.Equal(12, summary["total"]!["messages"]!.GetValue<long>());
    }

    [Fact]
    public void Options_TrustedReporters_DefaultToTheLargeReceivers_AndRefuseWhatIsNotADomain()
    {
        var options = new ServerOptions();
        Assert.True(options.Reports.IsTrustedReporter("google.com"));
        Assert.True(options.Reports.IsTrustedReporter("Mail.Yahoo.com."));
        Assert.False(options.Reports.IsTrustedReporter("evil.example"));
        Assert.False(options.Reports.IsTrustedReporter("notgoogle.com"));
        options.Reports.TrustedReporters.Add("google com");
        var failures = string.Join("\n", OptionsCheck.Validate(options).Failures ?? []);
        Assert.Contains($"SenderAuth:Reports:TrustedReporters:{options.Reports.TrustedReporters.Count - 1} must be a domain name", failures, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mailto:{code}@rua.ticketing.example", "ab1@rua.ticketing.example", "ab1")]
    [InlineData("mailto:{code}@rua.ticketing.example!10m", "AB1@RUA.ticketing.example", "ab1")]
    [InlineData("mailto:dmarc+{code}@reports.example", "dmarc+museum@reports.example", "museum")]
    [InlineData("mailto:{code}@rua.ticketing.example", "ab1@rua.other.example", null)]
    [InlineData("mailto:{code}@rua.ticketing.example", "x.y@rua.ticketing.example", null)]
    [InlineData("mailto:shared@rua.ticketing.example", "shared@rua.ticketing.example", null)]
    public void Code_Recipient_NamesTheInstitutionOnlyThroughTheTemplate(string template, string recipient, string? code) =>
        Assert.Equal(code, new ReportAddressRouting(template).Code([recipient]));

    [Fact]
    public void Options_ReportQuotasOutOfRange_AreRefusedAtStart()
    {
        var options = new ServerOptions();
        Assert.DoesNotContain(OptionsCheck.Validate(options).Failures ?? [], f => f.Contains("Reports:", StringComparison.Ordinal));
        options.Reports.UploadsPerHour = 0;
        options.Reports.QuarantineBytesPerInstitution = options.Reports.MaxUploadBytes - 1;
        var failures = string.Join("\n", OptionsCheck.Validate(options).Failures ?? []);
        Assert.Contains("SenderAuth:Reports:UploadsPerHour must be between 1 and 100000", failures, StringComparison.Ordinal);
        Assert.Contains("SenderAuth:Reports:QuarantineBytesPerInstitution must be at least MaxUploadBytes", failures, StringComparison.Ordinal);
    }
}
