using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SenderAuth.Store.Data;
using SenderAuth.Store.Hosting;
using SenderAuth.Store.Reports;
using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>
/// Over random report sets (domains, days, IPs, reporters, dispositions, DKIM/SPF results and identities, overrides),
/// imported through the importer on every path that matters to the rollups (trusted and untrusted, duplicates,
/// an upload or an unverified mail replaced by a trusted copy, which takes the old one back out), the analysis'
/// answers from the rollups equal the old queries' answers over the raw records (<see cref="RawReportAnalysis"/>),
/// for several windows, with and without untrusted reports; then again after the rollups are thrown away and
/// rebuilt by the backfill. On PostgreSQL the reports are imported four at a time, so concurrent upserts add up too.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "postgres")]
public sealed class ReportRollupPropertyTests
{
    private static readonly string[] Reporters = ["google.com", "outlook.com", "Yahoo! Inc.", "mail.ru"];
    private static readonly string[] Ips = ["203.0.113.5", "203.0.113.9", "2001:db8:25::7", "198.51.100.3", "192.0.2.1", "192.0.2.2", "192.0.2.3", "2001:db8:99::1"];
    private static readonly string[] Selectors = ["stxsel1", "stxsel2", "s1", "k2"];
    private static readonly string[] Reasons = ["forwarded", "mailing_list", "local_policy"];
    private static readonly string[] Dispositions = ["none", "none", "quarantine", "reject"];
    private static readonly DateTime Start = new(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>How a generated report reaches the store: each path is one the rollups must stay right through.</summary>
    private enum Route { Trusted, TrustedTwice, Uploaded, UploadedThenTrusted, UnverifiedThenTrusted, Unverified, TrustedThenUploaded }

    public static TheoryData<string, int> Cases => new() { { "sqlite", 1 }, { "sqlite", 2 }, { "postgres", 3 }, { "postgres", 4 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Rollup_answers_equal_raw_record_answers(string database, int seed)
    {
        if (database == "postgres" && !ServerHost.PostgresAvailable)
        {
            Assert.Skip("PostgreSQL is not running (SENDERAUTH_TEST_POSTGRES is unset): run ./run-tests");
        }
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ServerHost.StartAsync(database);
        var random = new Random(seed);
        var code = ServerFixture.NewCode("rollup");
        await host.Client().CreateInstitution(code);
        string[] names = [$"{code}.example", $"{code}-b.example", $"{code}-c.example"];
        foreach (var name in names)
        {
            await host.Client().CreateVerifiedDomain(code, name);
        }
        Institution institution;
        List<SenderDomain> domains;
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            institution = await db.Institutions.AsNoTracking().SingleAsync(i => i.Code == code, ct);
            domains = await db.Domains.AsNoTracking().Where(d => names.Contains(d.Name)).OrderBy(d => d.Name).ToListAsync(ct);
            db.KnownSenders.Add(new KnownSender { InstitutionId = institution.Id, Name = "Newsletter", Networks = "198.51.100.0/28", DkimDomains = "esp.example" });
            // What we signed on some days, so reconciliation has excess days to find (and days it does not).
            for (var d = 0; d < 20; d += 2)
            {
                db.SignedCounts.Add(new SignedCount { Domain = names[0], Selector = "stxsel1", Day = Start.AddDays(d), Count = random.Next(0, 300) });
            }
            await db.SaveChangesAsync(ct);
        }

        var files = Enumerable.Range(0, 36).Select(n => Generate(random, seed, n, names)).ToList();
        var folder = Directory.CreateTempSubdirectory("sa-rollup-").FullName;
        try
        {
            // PostgreSQL takes concurrent writers (the upserts must add up); SQLite has one writer, so one at a time.
            var parallel = database == "postgres" ? 4 : 1;
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct },
                async (f, token) => await ImportAsync(host, institution.Id, folder, f, token));

            await AssertRollupsMatchRawAsync(host, institution, domains, random, ct);

            // The backfill of a database from before rollups: the rollups thrown away, every report unmarked.
            using (var scope = host.Services.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
                await db.ReportSourceDays.ExecuteDeleteAsync(ct);
                await db.ReportIdentityDays.ExecuteDeleteAsync(ct);
                var reports = await db.Reports.ExecuteUpdateAsync(s => s.SetProperty(r => r.RolledUp, false), ct);
                var log = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("test");
                Assert.Equal(reports, await ReportRollupBackfill.RunAsync(db, log, ct));
                Assert.Equal(0, await ReportRollupBackfill.RunAsync(db, log, ct));
            }
            await AssertRollupsMatchRawAsync(host, institution, domains, random, ct);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record GeneratedReport(string Name, string Xml, Route Route);

    private static GeneratedReport Generate(Random random, int seed, int n, string[] domains)
    {
        var domain = domains[random.Next(domains.Length)];
        var rows = Enumerable.Range(0, random.Next(1, 12)).Select(_ =>
        {
            var dkim = random.Next(5) switch { 0 => null, 1 => "esp.example", 2 => "news.esp.example", 3 => "other.example", _ => domain };
            return new ReportRow(Ips[random.Next(Ips.Length)], random.Next(1, 120), random.Next(3) > 0, random.Next(2) == 0, dkim,
                dkim is null ? null : Selectors[random.Next(Selectors.Length)], random.Next(3) > 0,
                random.Next(3) switch { 0 => "bounce.esp.example", 1 => "other.example", _ => domain }, random.Next(2) == 0,
                random.Next(4) == 0 ? Reasons[random.Next(Reasons.Length)] : null, Dispositions[random.Next(Dispositions.Length)]);
        }).ToList();
        var xml = ReportXml.Build(Reporters[random.Next(Reporters.Length)], $"p{seed}-{n}", domain, Start.AddDays(random.Next(20)), rows);
        return new GeneratedReport($"p{seed}-{n}.xml", xml, (Route)random.Next(Enum.GetValues<Route>().Length));
    }

    private static async Task ImportAsync(ServerHost host, long institutionId, string folder, GeneratedReport report, CancellationToken ct)
    {
        var file = Path.Combine(folder, report.Name);
        await File.WriteAllTextAsync(file, report.Xml, ct);
        var trusted = ReportSource.Local("test");
        var uploaded = ReportSource.Upload(1, "test", institutionId);
        var unverified = ReportSource.Mailbox("INBOX");
        (ReportSource Source, ReportImportStatus Expected)[] steps = report.Route switch
        {
            Route.Trusted => [(trusted, ReportImportStatus.Imported)],
            Route.TrustedTwice => [(trusted, ReportImportStatus.Imported), (trusted, ReportImportStatus.Duplicate)],
            Route.Uploaded => [(uploaded, ReportImportStatus.Imported)],
            Route.UploadedThenTrusted => [(uploaded, ReportImportStatus.Imported), (trusted, ReportImportStatus.Imported)],
            Route.UnverifiedThenTrusted => [(unverified, ReportImportStatus.Imported), (trusted, ReportImportStatus.Imported)],
            Route.Unverified => [(unverified, ReportImportStatus.Imported)],
            _ => [(trusted, ReportImportStatus.Imported), (uploaded, ReportImportStatus.Duplicate)],
        };
        foreach (var (source, expected) in steps)
        {
            using var scope = host.Services.CreateScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<ReportImporter>().ImportFileAsync(file, report.Name, source, ct);
            Assert.Equal(expected, Assert.Single(outcome.Reports).Status);
        }
    }

    private static async Task AssertRollupsMatchRawAsync(ServerHost host, Institution institution, List<SenderDomain> domains, Random random, CancellationToken ct)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<StoreOptions>>().Value;
        var analysis = scope.ServiceProvider.GetRequiredService<ReportAnalysis>();
        var attribution = await analysis.AttributionAsync(institution.Id, ct);
        var selectors = options.Provider.Selectors.Select(s => s.Name.ToLowerInvariant()).ToList();
        var raws = await db.ReportRecords.CountAsync(ct);
        Assert.True(raws > 50, $"only {raws} records were imported");
        foreach (var domain in domains)
        {
            var first = random.Next(20);
            (DateTime From, DateTime To)[] windows = [(Start, Start.AddDays(19)), (Start.AddDays(first), Start.AddDays(first + random.Next(0, 6))), (Start.AddDays(-5), Start.AddDays(2))];
            foreach (var (from, to) in windows)
            {
                foreach (var untrusted in new[] { false, true })
                {
                    var what = $"{domain.Name} {from:MM-dd}..{to:MM-dd} untrusted={untrusted}";
                    analysis.IncludeUntrusted = untrusted;
                    var raw = new RawReportAnalysis(db, untrusted);

                    var sources = await analysis.SourcesAsync(institution, domain, from, to, ct);
                    var rawSources = await raw.SourcesAsync(attribution, domain.Id, from, to, ct);
                    Same(rawSources, sources, what + ": sources");

                    var rawReconciliation = await raw.ReconcileAsync(attribution, domain, from, to, options.Reports.ReconciliationTolerance, ct);
                    Same(rawReconciliation, await analysis.ReconcileAsync(institution, domain, from, to, ct), what + ": reconciliation");

                    var used = await analysis.OurSelectorUseAsync(domain, from, to, ct);
                    Same(await raw.OurSelectorUseAsync(domain, selectors, from, to, ct), used, what + ": our selectors");

                    Same(await raw.ThirdPartyKeyNamesAsync(domain, from, to, rawSources, ct), await analysis.ThirdPartyKeyNamesAsync(domain, from, to, sources, ct), what + ": third-party keys");
                    Assert.True(await raw.DaysOfDataAsync(domain, from, to, ct) == await analysis.DaysOfDataAsync(domain, from, to, ct), what + ": days of data");

                    var summary = await analysis.SummaryAsync(institution, domain, from, to, ReportPeriod.Day, ct);
                    var daily = await raw.DailyAsync(domain.Id, from, to, ct);
                    Same(daily.Select(d => new ReportBucket(ReportPeriods.Label(d.Day, ReportPeriod.Day), d.Day, d.Stats)).ToList(), summary.Buckets, what + ": summary");

                    // Findings are pure code over these (no key was ever active here, so no selector is retired).
                    Assert.Empty(await analysis.RetiredSelectorsAsync(institution, domain, from, to, ct));
                    Same(ReportFindings.Build(rawSources, rawReconciliation, [], options.Reports.Advisor), await analysis.FindingsAsync(institution, domain, from, to, ct), what + ": findings");
                }
            }
        }
    }

    private static void Same<T>(T expected, T actual, string what)
    {
        var e = JsonSerializer.Serialize(expected);
        var a = JsonSerializer.Serialize(actual);
        Assert.True(e == a, $"{what}:\n raw:    {e}\n rollup: {a}");
    }
}
