using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Json;
using SenderAuth.Store.Data;
using SenderAuth.Store.Reports;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.Reports.Corpus;

/// <summary>One server (SQLite) with corpus.example verified, shared by every file of the corpus.</summary>
public sealed class ReportCorpusHost : IAsyncLifetime
{
    public const string Code = "corpus";
    public const string Domain = "corpus.example";

    public ServerHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await ServerHost.StartAsync("sqlite");
        var client = Host.Client();
        await client.CreateInstitution(Code);
        await client.CreateVerifiedDomain(Code, Domain);
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// The reporter-shaped corpus (TestData/reports/corpus, README.md there): every file through the real import path
/// (<see cref="ReportImporter"/>: sniffing, archives, mail, the lenient pre-pass, the strict reader, the database),
/// checked against the totals and warning codes its manifest gives, which the generator counted while writing.
/// Files that cannot be recovered must still be quarantined with their error code.
/// </summary>
[Trait("Layer", "server")]
public sealed class ReportCorpusTests(ReportCorpusHost fixture) : IClassFixture<ReportCorpusHost>
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "reports", "corpus");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var entry in Manifest())
        {
            data.Add(entry!["file"]!.GetValue<string>());
        }
        return data;
    }

    private static JsonArray Manifest() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")))!.AsArray();

    [Fact]
    public void Manifest_CoversEveryFileAndEveryQuirk()
    {
        var listed = Manifest().Select(e => e!["file"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var present = Directory.GetFiles(Folder).Select(Path.GetFileName).Where(n => n is not ("manifest.json" or "make-corpus.py" or "README.md")).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(present.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        var codes = Manifest().SelectMany(e => e!["warnings"]?.AsArray().Select(w => w!.GetValue<string>()) ?? []).ToHashSet();
        foreach (var code in new[]
        {
            "missing-org-name", "wrapper-element", "unescaped-lt", "unescaped-ampersand", "invalid-utf8", "token-case", "legacy-token", "missing-element",
            "trailing-bytes-after-gzip", "trailing-bytes-after-root", "byte-order-mark", "leading-whitespace", "attachment-content-type",
            "attachment-file-name", "attachment-sniffed", "attachment-type-mismatch", "date-range-reversed", "date-range-milliseconds", "timestamp-fraction",
            "invalid-xml-character",
        })
        {
            Assert.Contains(code, codes);
        }
        Assert.Contains(Manifest(), e => e!["reports"]?.AsArray().Any(r => r!["records"]!.GetValue<int>() >= 2000) == true);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Import_CorpusFile_GivesTheManifestTotalsAndWarnings(string file)
    {
        var ct = TestContext.Current.CancellationToken;
        var entry = Manifest().Single(e => e!["file"]!.GetValue<string>() == file)!;
        using var scope = fixture.Host.Services.CreateScope();
        var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
        var outcome = await importer.ImportFileAsync(Path.Combine(Folder, file), file, ReportSource.Local("corpus"), ct);
        var status = entry["status"]!.GetValue<string>();
        Assert.Equal(status, SenderAuthJson.Token(outcome.Status));
        if (status != "imported")
        {
            Assert.Empty(outcome.Reports);
            Assert.StartsWith(entry["error"]!.GetValue<string>() + ":", outcome.Reason, StringComparison.Ordinal);
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            Assert.True(await db.QuarantinedReports.AnyAsync(q => q.FileName == file, ct));
            return;
        }
        var expected = entry["reports"]!.AsArray();
        Assert.Equal(expected.Count, outcome.Reports.Count);
        var wanted = entry["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        var database = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        for (var i = 0; i < expected.Count; i++)
        {
            var (want, got) = (expected[i]!, outcome.Reports[i]);
            Assert.Equal(ReportImportStatus.Imported, got.Status);
            Assert.Equal((want["org"]!.GetValue<string>(), want["reportId"]!.GetValue<string>()), (got.ReporterOrg, got.ReportId));
            Assert.Equal((want["records"]!.GetValue<int>(), want["messages"]!.GetValue<long>()), (got.Records, got.Messages));
            Assert.Equal(wanted, (got.Warnings ?? []).Select(w => w.Code).Distinct().Order(StringComparer.Ordinal).ToList());
            Assert.All(got.Warnings ?? [], w => Assert.False(string.IsNullOrWhiteSpace(w.Position)));

            // What the database holds: the same counts, the DMARC passes per record, the warnings as stored.
            var stored = await database.Reports.AsNoTracking().SingleAsync(r => r.ReporterOrg == got.ReporterOrg && r.ReportId == got.ReportId, ct);
            Assert.Equal((got.Records, got.Messages), (stored.RecordCount, stored.MessageCount));
            var pass = await database.ReportRecords.AsNoTracking().Where(r => r.ReportId == stored.Id && r.DmarcPass).SumAsync(r => r.Count, ct);
            Assert.Equal(want["dmarcPass"]!.GetValue<long>(), pass);
            Assert.Equal(wanted, ReportWarnings.FromJson(stored.Warnings).Select(w => w.Code).Distinct().Order(StringComparer.Ordinal).ToList());
            Assert.Equal(wanted.Count == 0, stored.Warnings is null);
        }
    }
}
