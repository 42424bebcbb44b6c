using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Dns;
using SenderAuth.Store.Data;
using SenderAuth.Server.Reports;
using SenderAuth.Store.Reports;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>The generated year imported once (SQLite), with keys, signed counts and DNS set up around it.</summary>
[Trait("Layer", "server")]
public sealed class YearOfReportsFixture : IAsyncLifetime
{
    public const string Code = "yr";
    public ReportCorpus Corpus { get; } = new("a.yr.example", "b.yr.example", "c.yr.example");
    public ServerHost Host { get; private set; } = null!;
    public IReadOnlyList<string> Files { get; private set; } = [];
    public List<FileImportOutcome> Outcomes { get; } = [];
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "sa-corpus-" + Guid.NewGuid().ToString("N")[..8]);

    public async ValueTask InitializeAsync()
    {
        // DNS as the institution published it: p=none and ~all on A and C, nothing on B.
        // The newsletter tool signs with a 768-bit key: the advice must say it is too short.
        using var weak = System.Security.Cryptography.RSA.Create(768);
        var weakKey = Convert.ToBase64String(weak.ExportSubjectPublicKeyInfo());
        var zone = ZoneFileParser.Parse($$"""
            mt1._domainkey.mailtool.example. TXT "v=DKIM1; k=rsa; p={{weakKey}}"
            $ORIGIN yr.example.
            _dmarc.a TXT "v=DMARC1; p=none; rua=mailto:yr@rua.ticketing.example"
            a TXT "v=spf1 include:spf.ticketing.example ~all"
            _dmarc.c TXT "v=DMARC1; p=none; rua=mailto:yr@rua.ticketing.example; pct=100"
            c TXT "v=spf1 include:spf.ticketing.example ~all"
            """);
        Host = await ServerHost.StartAsync("sqlite", services: s => s.AddSingleton<IDnsResolver>(new ZoneDnsResolver(zone)));
        var client = Host.Client();
        await client.CreateInstitution(Code);
        foreach (var d in Corpus.Domains)
        {
            await client.CreateVerifiedDomain(Code, d);
        }
        Files = Corpus.Write(Folder);
        using var scope = Host.Services.CreateScope();
        var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
        foreach (var f in Files)
        {
            Outcomes.Add(await importer.ImportFileAsync(f, Path.GetFileName(f), ReportSource.Local("test"), CancellationToken.None));
        }
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        var institution = await db.Institutions.SingleAsync(i => i.Code == Code);
        // Domain A's keys: stxsel1 signed from before the year, stxsel2 from SwitchDay on.
        var keys = await db.Keys.Where(k => k.InstitutionId == institution.Id).ToListAsync();
        var targets = Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SenderAuth.Server.Hosting.ServerOptions>>().Value.Provider
            .KeyTargets(Code, Corpus.DomainA).Select(t => t.Target).ToList();
        foreach (var k in keys.Where(k => targets.Contains(k.TargetName)))
        {
            k.State = DkimKeyState.Active;
            k.ActivatedAt = k.Selector == "stxsel1" ? ReportCorpus.First.AddDays(-10) : ReportCorpus.Day(ReportCorpus.SwitchDay).AddHours(12);
        }
        // What we signed for A: twice what all reporters together saw from us (they see half the mail), except on
        // day 300, when we signed almost nothing.
        for (var d = 0; d < ReportCorpus.Days; d++)
        {
            var seen = ReportCorpus.Reporters.Sum(r => Corpus.OursByReporter[(Corpus.DomainA, r, ReportCorpus.Day(d))]);
            db.SignedCounts.Add(new SignedCount { Domain = Corpus.DomainA, Selector = d < ReportCorpus.SwitchDay ? "stxsel1" : "stxsel2", Day = ReportCorpus.Day(d), Count = d == 300 ? 50 : seen * 2 });
        }
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>
/// Exact figures and advice over a generated year (issue: "a year of daily reports from five reporters for several
/// domains, with our IPs, a forgotten sender, a forwarder and a spoofer").
/// </summary>
[Trait("Layer", "server")]
public sealed class YearOfReportsTests(YearOfReportsFixture f) : IClassFixture<YearOfReportsFixture>
{
    private string Url(string domain, string what, string query = "") => $"/api/v1/institutions/{YearOfReportsFixture.Code}/domains/{domain}/reports/{what}{query}";

    private async Task<JsonNode> Get(string url) => await (await f.Host.Client().GetAsync(url)).Json(HttpStatusCode.OK);

    private const string Year = "?from=2025-11-01&to=2026-10-31";

    [Fact]
    public async Task Every_report_is_imported_once_and_a_second_reading_is_all_duplicates()
    {
        Assert.All(f.Outcomes, o => Assert.Equal(FileImportStatus.Imported, o.Status));
        Assert.Equal(3 * 5 * ReportCorpus.Days, f.Outcomes.Sum(o => o.Imported));
        using var scope = f.Host.Services.CreateScope();
        var again = await scope.ServiceProvider.GetRequiredService<ReportImporter>().ImportFileAsync(f.Files[7], "again.zip", ReportSource.Local("test"), CancellationToken.None);
        Assert.Equal(14, again.Duplicates);
        Assert.Equal(0, again.Imported);
    }

    [Theory]
    [InlineData("month")]
    [InlineData("week")]
    [InlineData("day")]
    public async Task Summary_per_period_adds_up_to_exactly_what_was_sent(string period)
    {
        foreach (var domain in f.Corpus.Domains)
        {
            var summary = await Get(Url(domain, "summary", Year + "&period=" + period));
            var expected = f.Corpus.Expected.Where(e => e.Key.Domain == domain).ToList();
            Assert.Equal(expected.Sum(e => e.Value.Messages), summary["total"]!["messages"]!.GetValue<long>());
            Assert.Equal(expected.Sum(e => e.Value.Pass), summary["total"]!["dmarcPass"]!.GetValue<long>());
            Assert.Equal(ReportCorpus.Days, summary["daysWithData"]!.GetValue<int>());
            var buckets = summary["buckets"]!.AsArray();
            Assert.Equal(period switch { "month" => 12, "week" => 53, _ => 365 }, buckets.Count);
            foreach (var b in buckets)
            {
                var start = b!["start"]!.GetValue<DateTime>();
                var days = expected.Where(e => SenderAuth.Store.Reports.Analysis.ReportPeriods.BucketStart(e.Key.Day, Enum.Parse<SenderAuth.Store.Reports.Analysis.ReportPeriod>(period, ignoreCase: true)) == start).ToList();
                Assert.Equal(days.Sum(e => e.Value.Messages), b["stats"]!["messages"]!.GetValue<long>());
                Assert.Equal(days.Sum(e => e.Value.Pass), b["stats"]!["dmarcPass"]!.GetValue<long>());
            }
        }
        var month = await Get(Url(f.Corpus.DomainC, "summary", Year + "&period=month"));
        Assert.Equal("2025-11", month["buckets"]![0]!["label"]!.GetValue<string>());
        Assert.Equal(1.0, month["total"]!["dmarcPassRate"]!.GetValue<double>());
        Assert.Equal(0.0, month["total"]!["spfAlignedRate"]!.GetValue<double>());
        Assert.Equal("2026-09", month["trend"]!["from"]!.GetValue<string>());
        Assert.Equal(0.0, month["trend"]!["dmarcPassRate"]!.GetValue<double>());
    }

    [Fact]
    public async Task Sources_are_attributed_with_exact_volumes_and_a_declared_sender_gets_its_name_and_advice()
    {
        var a = f.Corpus.DomainA;
        var sources = await Get(Url(a, "sources", Year + "&pageSize=50"));
        var items = sources["items"]!.AsArray().ToDictionary(i => i!["ip"]!.GetValue<string>());
        Assert.Equal(5, items.Count);
        foreach (var (ip, node) in items)
        {
            Assert.Equal(f.Corpus.BySource[(a, ip)], node!["messages"]!.GetValue<long>());
        }
        Assert.Equal("platform", items[ReportCorpus.Ours[0]]!["category"]!.GetValue<string>());
        Assert.Equal("platform", items[ReportCorpus.Ours[1]]!["category"]!.GetValue<string>());
        Assert.Equal("forwarder", items[ReportCorpus.Forwarder]!["category"]!.GetValue<string>());
        Assert.Equal("unknown", items[ReportCorpus.Spoofer]!["category"]!.GetValue<string>());
        Assert.Equal(["google.com", "yahoo.com"], items[ReportCorpus.Spoofer]!["reporters"]!.AsArray().Select(r => r!.GetValue<string>()));
        var tool = items[ReportCorpus.Forgotten]!;
        Assert.Equal("third-party", tool["category"]!.GetValue<string>());
        Assert.Equal("mailtool.example", tool["name"]!.GetValue<string>());
        Assert.Equal(ReportCorpus.Reporters.Length * 5L * (ReportCorpus.Days - ReportCorpus.ForgottenFrom), tool["messages"]!.GetValue<long>());

        var last30 = await Get(Url(a, "findings"));
        var codes = last30["findings"]!.AsArray().Select(x => x!["code"]!.GetValue<string>()).ToList();
        Assert.Equal(["new-sender", "spoofing", "forwarding"], codes);
        var advice = await Get(Url(a, "advice"));
        Assert.False(advice["dmarc"]!["ready"]!.GetValue<bool>());
        Assert.Contains(advice["dmarc"]!["blockers"]!.AsArray(), b => b!.GetValue<string>().Contains("mailtool.example", StringComparison.Ordinal));
        var third = advice["thirdParties"]![0]!;
        Assert.Equal("own-subdomain", third["integration"]!.GetValue<string>());
        Assert.Equal(["an aligned DKIM signature (d= the domain)", "an aligned MAIL FROM (a bounce address under the domain)",
            "a DKIM key of at least 1024 bits (mt1._domainkey.mailtool.example has 768)"], third["lacks"]!.AsArray().Select(l => l!.GetValue<string>()));

        // The institution names the tool: from now on it is theirs, by name, and its misalignment is what blocks.
        await (await f.Host.Client().PostJson($"/api/v1/institutions/{YearOfReportsFixture.Code}/senders", new { name = "Mailtool", dkimDomains = new[] { "mailtool.example" } })).Json(HttpStatusCode.Created);
        var after = await Get(Url(a, "sources", "?category=declared"));
        Assert.Equal("Mailtool", after["items"]![0]!["name"]!.GetValue<string>());
        var findings = (await Get(Url(a, "findings")))["findings"]!.AsArray();
        Assert.Equal(["declared-sender-unaligned", "spoofing", "forwarding"], findings.Select(x => x!["code"]!.GetValue<string>()));
        var blocked = await Get(Url(a, "advice"));
        Assert.Contains(blocked["dmarc"]!["blockers"]!.AsArray(), b => b!.GetValue<string>().Contains("Mailtool", StringComparison.Ordinal));
        Assert.Equal("Mailtool", blocked["thirdParties"]![0]!["name"]!.GetValue<string>());
        var list = await Get($"/api/v1/institutions/{YearOfReportsFixture.Code}/senders");
        var id = list["items"]![0]!["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.NoContent, (await f.Host.Client().DeleteAsync($"/api/v1/institutions/{YearOfReportsFixture.Code}/senders/{id}")).StatusCode);
    }

    [Fact]
    public async Task Our_own_mail_failing_is_an_error_with_the_exact_count()
    {
        var b = f.Corpus.DomainB;
        var findings = (await Get(Url(b, "findings", "?from=2026-05-10&to=2026-05-30")))["findings"]!.AsArray();
        var own = findings.Single(x => x!["code"]!.GetValue<string>() == "own-mail-failing")!;
        Assert.Equal("error", own["severity"]!.GetValue<string>());
        var expected = ReportCorpus.BrokenDays.Sum(d => ReportCorpus.Reporters.Sum(r => f.Corpus.OursByReporter[(b, r, ReportCorpus.Day(d))]));
        Assert.Equal(expected, own["messages"]!.GetValue<long>());
        var quiet = (await Get(Url(b, "findings", "?from=2026-08-01&to=2026-08-31")))["findings"]!.AsArray();
        Assert.True(quiet.Count == 0, quiet.ToJsonString());
    }

    [Fact]
    public async Task Reconciliation_flags_the_day_reporters_saw_more_than_we_signed_and_the_stale_selector()
    {
        var a = f.Corpus.DomainA;
        var r = await Get(Url(a, "reconciliation", Year));
        var day300 = ReportCorpus.Day(300);
        var excess = r["excess"]!.AsArray();
        Assert.Equal(5, excess.Count);
        Assert.All(excess, e => Assert.Equal(day300, e!["day"]!.GetValue<DateTime>()));
        var reporters = r["reporters"]!.AsArray();
        Assert.Equal(5, reporters.Count);
        var google = reporters.Single(x => x!["reporter"]!.GetValue<string>() == "google.com")!;
        Assert.Equal(Enumerable.Range(0, ReportCorpus.Days).Sum(d => f.Corpus.OursByReporter[(a, "google.com", ReportCorpus.Day(d))]), google["reported"]!.GetValue<long>());
        var retired = r["retiredSelectors"]!.AsArray();
        Assert.Equal(ReportCorpus.StaleSelectorDays.Select(d => ReportCorpus.Day(d)), retired.Select(x => x!["day"]!.GetValue<DateTime>()));
        Assert.All(retired, x => Assert.Equal("stxsel1", x!["selector"]!.GetValue<string>()));

        var codes = (await Get(Url(a, "findings", Year)))["findings"]!.AsArray().Select(x => x!["code"]!.GetValue<string>()).ToList();
        Assert.Contains("retired-selector", codes);
        Assert.Contains("reported-more-than-sent", codes);
        var timeline = (await Get(Url(a, "timeline", Year)))["events"]!.AsArray();
        Assert.Contains(timeline, e => e!["kind"]!.GetValue<string>() == "key" && e["what"]!.GetValue<string>() == "signing switched to selector stxsel2");
    }

    [Fact]
    public async Task A_clean_domain_is_advised_to_quarantine_and_minus_all_with_the_exact_records()
    {
        var advice = await Get(Url(f.Corpus.DomainC, "advice"));
        Assert.Equal(30, advice["daysOfData"]!.GetValue<int>());
        var dmarc = advice["dmarc"]!;
        Assert.True(dmarc["ready"]!.GetValue<bool>(), dmarc.ToJsonString());
        Assert.Equal("p=none", dmarc["current"]!.GetValue<string>());
        Assert.Equal("p=quarantine", dmarc["next"]!.GetValue<string>());
        Assert.Equal("_dmarc.c.yr.example", dmarc["recordName"]!.GetValue<string>());
        Assert.Equal("v=DMARC1; p=quarantine; rua=mailto:yr@rua.ticketing.example", dmarc["record"]!.GetValue<string>());
        var spf = advice["spf"]!;
        Assert.True(spf["ready"]!.GetValue<bool>(), spf.ToJsonString());
        Assert.Equal("v=spf1 include:spf.ticketing.example -all", spf["record"]!.GetValue<string>());
        Assert.Empty(advice["thirdParties"]!.AsArray());

        // Too little data is said, not guessed: a window of 10 days is not enough.
        var early = await Get(Url(f.Corpus.DomainC, "advice", "?from=2026-10-22&to=2026-10-31"));
        Assert.False(early["dmarc"]!["ready"]!.GetValue<bool>());
        Assert.Contains(early["dmarc"]!["blockers"]!.AsArray(), b => b!.GetValue<string>().Contains("10 day(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Summary_and_sources_export_as_csv()
    {
        var client = f.Host.Client();
        var csv = await client.GetStringAsync(Url(f.Corpus.DomainA, "summary", Year + "&period=month&format=csv"));
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal(13, lines.Length);
        Assert.StartsWith("period,start,messages,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("2025-11,2025-11-01,", lines[1], StringComparison.Ordinal);
        var sources = await client.GetStringAsync(Url(f.Corpus.DomainA, "sources", Year + "&format=csv"));
        Assert.Equal(6, sources.TrimEnd('\n').Split('\n').Length);
        await (await client.GetAsync(Url(f.Corpus.DomainA, "summary", "?format=xls"))).Json(HttpStatusCode.BadRequest);
        await (await client.GetAsync(Url(f.Corpus.DomainA, "summary", "?from=2026-13-01"))).Json(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Another_institution_sees_none_of_it()
    {
        var client = f.Host.Client();
        await client.CreateInstitution("yrother");
        var key = await client.CreateInstitutionKey("yrother");
        var other = f.Host.Client(key);
        foreach (var what in new[] { "summary", "sources", "findings", "advice", "reconciliation", "timeline" })
        {
            await (await other.GetAsync(Url(f.Corpus.DomainA, what))).Json(HttpStatusCode.NotFound);
        }
        await (await other.GetAsync($"/api/v1/institutions/{YearOfReportsFixture.Code}/senders")).Json(HttpStatusCode.NotFound);
    }
}
