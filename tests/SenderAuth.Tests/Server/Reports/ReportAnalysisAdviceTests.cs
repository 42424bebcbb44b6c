using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Dns;
using SenderAuth.Store.Hosting;
using SenderAuth.Store.Data;
using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>
/// The advisor's view of the records a domain publishes now: the starting DMARC record is PublishPlan's (both
/// placeholders of the report address expanded) and DMARC and SPF records are recognised by the engine's predicates.
/// </summary>
[Trait("Layer", "server")]
public sealed class ReportAnalysisAdviceTests
{
    private const string Domain = "museum.example";

    private static async Task<PolicyAdvice> AdviseAsync(DnsZone zone, string reportAddress)
    {
        var folder = Directory.CreateTempSubdirectory("sa-advice-").FullName;
        try
        {
            var options = new DbContextOptionsBuilder<SqliteSenderAuthDb>().UseSqlite($"Data Source={Path.Combine(folder, "a.db")};Pooling=False").Options;
            await using var db = new SqliteSenderAuthDb(options);
            await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
            var institution = new Institution { Code = "mosa", Name = "Museum" };
            var domain = new SenderDomain { Name = Domain, Institution = institution };
            db.Add(domain);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            var store = new StoreOptions { Provider = { ReportAddress = reportAddress } };
            var analysis = new ReportAnalysis(db, Options.Create(store), new ZoneDnsResolver(zone), TimeProvider.System);
            var day = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
            return await analysis.AdviceAsync(institution, domain, day, day.AddDays(30), TestContext.Current.CancellationToken);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AdviceAsync_ReportAddressWithDomainPlaceholder_StartingRecordExpandsIt()
    {
        var advice = await AdviseAsync(new DnsZone(), "mailto:{code}+{domain}@rua.ticketing.example");
        Assert.Equal("none published", advice.Dmarc.Current);
        Assert.Equal("v=DMARC1; p=none; rua=mailto:mosa+museum.example@rua.ticketing.example", advice.Dmarc.Record);
    }

    [Fact]
    public async Task AdviceAsync_RecordsAPrefixTestWouldTake_AreNotTakenForDmarcOrSpf()
    {
        // "v=DMARC10" and "v=spf10" start with "v=DMARC1" and "v=spf1" but are neither.
        var zone = new DnsZone();
        zone.Add(new TxtRecord("_dmarc." + Domain, 300, ["v=DMARC10; p=reject"]));
        zone.Add(new TxtRecord(Domain, 300, ["v=spf10 -all"]));
        var advice = await AdviseAsync(zone, "mailto:{code}@rua.ticketing.example");
        Assert.Equal("none published", advice.Dmarc.Current);
        Assert.Equal("v=DMARC1; p=none; rua=mailto:mosa@rua.ticketing.example", advice.Dmarc.Record);
        Assert.Equal("none published", advice.Spf.Current);
        Assert.Null(advice.Spf.Record);
    }

    [Fact]
    public async Task AdviceAsync_PublishedRecords_AreReadAsTheyAre()
    {
        var zone = new DnsZone();
        zone.Add(new TxtRecord("_dmarc." + Domain, 300, ["v=DMARC1; p=quarantine"]));
        zone.Add(new TxtRecord(Domain, 300, ["v=spf1 include:spf.ticketing.example ~all"]));
        var advice = await AdviseAsync(zone, "mailto:{code}@rua.ticketing.example");
        Assert.Equal("p=quarantine", advice.Dmarc.Current);
        Assert.Equal("p=reject", advice.Dmarc.Next);
        Assert.Equal("~all", advice.Spf.Current);
        Assert.Equal("v=spf1 include:spf.ticketing.example -all", advice.Spf.Record);
    }
}
