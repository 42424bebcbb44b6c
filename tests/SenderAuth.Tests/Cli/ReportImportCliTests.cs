using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SenderAuth.Store.Data;
using SenderAuth.Tests.Server;
using SenderAuth.Tests.Server.Reports;
using SenderAuth.Tests.Server.Upgrades;

namespace SenderAuth.Tests.Cli;

/// <summary>`senderauth report --db`: files imported into the server's database by the CLI, as an operator's batch import.</summary>
[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "dovecot")]
[Trait("Needs", "postgres")]
public sealed class ReportImportCliTests
{
    private static readonly DateTime Day = new(2026, 10, 4, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Report_Db_Sqlite_ImportsOnceKeepsForeignApartQuarantinesBrokenExit1()
    {
        var data = Directory.CreateTempSubdirectory("sa-cli-db-").FullName;
        var files = Directory.CreateTempSubdirectory("sa-cli-files-").FullName;
        try
        {
            var code = ServerFixture.NewCode("clidb");
            var domain = $"{code}.example";
            await using (var host = await ServerHost.StartAsync("sqlite", dataDirectory: data))
            {
                await host.Client().CreateInstitution(code);
                await host.Client().CreateVerifiedDomain(code, domain);
            }
            var xml = ReportXml.Build("google.com", $"c-{code}", domain, Day, [new("203.0.113.5", 30, true, true), new("198.51.100.2", 4, false, false)]);
            await File.WriteAllBytesAsync(Path.Combine(files, "a-google.xml.gz"), ReportXml.Gzip(xml));
            await File.WriteAllTextAsync(Path.Combine(files, "b-google-again.xml"), xml);
            await File.WriteAllTextAsync(Path.Combine(files, "c-foreign.xml"), ReportXml.Build("yahoo.com", $"cf-{code}", "elsewhere.example", Day, [new("192.0.2.1", 3, false, false)]));
            File.Copy(Path.Combine(AppContext.BaseDirectory, "TestData", "reports", "malformed.xml"), Path.Combine(files, "d-malformed.xml"));

            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "report", "--db", "--data", data, "--json", files);
            Assert.True(exit == 1, $"exit {exit}: {stderr}");
            var root = JsonDocument.Parse(stdout).RootElement;
            var statuses = root.GetProperty("files").EnumerateArray().Select(f => $"{f.GetProperty("file").GetString()} {f.GetProperty("status").GetString()}"
                + (f.GetProperty("reports").GetArrayLength() > 0 ? " " + f.GetProperty("reports")[0].GetProperty("status").GetString() : "")).ToList();
            Assert.Equal(["a-google.xml.gz imported imported", "b-google-again.xml imported duplicate", "c-foreign.xml imported foreign", "d-malformed.xml quarantined"], statuses);
            Assert.Contains("malformed-xml", root.GetProperty("files")[3].GetProperty("reason").GetString(), StringComparison.Ordinal);
            var totals = root.GetProperty("totals");
            Assert.Equal(4, totals.GetProperty("files").GetInt32());
            Assert.Equal(1, totals.GetProperty("imported").GetInt32());
            Assert.Equal(1, totals.GetProperty("duplicates").GetInt32());
            Assert.Equal(1, totals.GetProperty("foreign").GetInt32());
            Assert.Equal(1, totals.GetProperty("quarantined").GetInt32());
            Assert.Equal(5, totals.GetProperty("records").GetInt64());
            Assert.True(totals.GetProperty("recordsPerSecond").GetDouble() > 0);

            // Again, as a table: everything is a duplicate now; exit 0.
            var (again, table, againErr) = await CliRunner.RunAsync(null, "report", "--db", "--data", data, Path.Combine(files, "a-google.xml.gz"), Path.Combine(files, "c-foreign.xml"));
            Assert.True(again == 0, $"exit {again}: {againErr}");
            Assert.Contains("a-google.xml.gz", table, StringComparison.Ordinal);
            Assert.Contains("2 file(s): 0 report(s) imported, 2 duplicate, 0 foreign, 0 file(s) quarantined", table, StringComparison.Ordinal);

            // What the database now holds for the domain, as the summary prints it.
            var (sumExit, sumJson, sumErr) = await CliRunner.RunAsync(null, "report", "summary", domain, "--db", "--data", data, "--period", "day", "--json");
            Assert.True(sumExit == 0, $"exit {sumExit}: {sumErr}");
            var summary = JsonDocument.Parse(sumJson).RootElement;
            Assert.Equal(34, summary.GetProperty("summary").GetProperty("total").GetProperty("messages").GetInt64());
            Assert.Equal(30, summary.GetProperty("summary").GetProperty("total").GetProperty("dmarcPass").GetInt64());
            Assert.Equal(["platform", "unknown"], summary.GetProperty("sources").EnumerateArray().Select(x => x.GetProperty("category").GetString()));
            Assert.Equal("spoofing", summary.GetProperty("findings")[0].GetProperty("code").GetString());
            var (sumTableExit, sumTable, _) = await CliRunner.RunAsync(null, "report", "summary", domain, "--db", "--data", data);
            Assert.Equal(0, sumTableExit);
            Assert.Contains("34 messages on 1 day(s), DMARC pass 88.2%", sumTable, StringComparison.Ordinal);
            Assert.Contains("spoofing", sumTable, StringComparison.Ordinal);
            var (unknown, _, unknownErr) = await CliRunner.RunAsync(null, "report", "summary", "not-ours.example", "--db", "--data", data);
            Assert.Equal(2, unknown);
            Assert.Contains("not a sender domain", unknownErr, StringComparison.Ordinal);
            var (noDb, _, noDbErr) = await CliRunner.RunAsync(null, "report", "summary", domain);
            Assert.Equal(2, noDb);
            Assert.Contains("--db", noDbErr, StringComparison.Ordinal);

            await using var db = new SqliteSenderAuthDb(new DbContextOptionsBuilder<SqliteSenderAuthDb>().UseSqlite($"Data Source={Path.Combine(data, "senderauth.db")};Pooling=False").Options);
            var report = Assert.Single(await db.Reports.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken));
            Assert.Equal("cli", report.Origin);
            Assert.Equal(34, report.MessageCount);
            Assert.Equal(1, await db.ForeignReports.CountAsync(TestContext.Current.CancellationToken));
            var q = Assert.Single(await db.QuarantinedReports.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken));
            Assert.True(File.Exists(Path.Combine(data, q.StoredAs)));
            await db.DisposeAsync();

            // A report mail that does not authenticate as its reporter (unsigned): imported, listed as untrusted, not
            // counted unless --include-untrusted.
            var mail = TestMailbox.ReportEmail("google.com", $"mail-{code}", domain, ReportXml.Gzip(ReportXml.Build("google.com", $"mail-{code}", domain, Day,
                [new("203.0.113.5", 500, true, true)])), "google.xml.gz");
            var eml = Path.Combine(files, "e-unsigned.eml");
            await mail.WriteToAsync(eml, TestContext.Current.CancellationToken);
            Assert.Equal(0, (await CliRunner.RunAsync(null, "report", "--db", "--data", data, eml)).Item1);
            var (_, trustedJson, _) = await CliRunner.RunAsync(null, "report", "summary", domain, "--db", "--data", data, "--period", "day", "--json");
            var trusted = JsonDocument.Parse(trustedJson).RootElement;
            Assert.Equal(34, trusted.GetProperty("summary").GetProperty("total").GetProperty("messages").GetInt64());
            var listed = Assert.Single(trusted.GetProperty("untrusted").GetProperty("reports").EnumerateArray());
            Assert.Equal("unverified", listed.GetProperty("provenance").GetString());
            var (_, allJson, _) = await CliRunner.RunAsync(null, "report", "summary", domain, "--db", "--data", data, "--period", "day", "--json", "--include-untrusted");
            Assert.Equal(534, JsonDocument.Parse(allJson).RootElement.GetProperty("summary").GetProperty("total").GetProperty("messages").GetInt64());
            var (_, untrustedTable, _) = await CliRunner.RunAsync(null, "report", "summary", domain, "--db", "--data", data);
            Assert.Contains("1 untrusted report(s) not counted above", untrustedTable, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
            Directory.Delete(files, recursive: true);
        }
    }

    /// <summary>
    /// A database of the previous release (the upgrade fixture) opened by <c>report --db</c>: the migrations it lacks
    /// are applied and told on stderr, one line each, while stdout holds the JSON alone; opened again, nothing is told.
    /// </summary>
    [Fact]
    public async Task Report_Db_PreviousReleaseDatabase_MigrationsToldOnStderr_StdoutOnlyJson()
    {
        var temp = UpgradeFixture.CopyData(UpgradeFixture.Previous);
        var files = Directory.CreateTempSubdirectory("sa-cli-upgrade-files-").FullName;
        try
        {
            var data = Path.Combine(temp.FullName, "data");
            var database = Path.Combine(data, "senderauth.db");
            var known = UpgradeFixture.KnownMigrations();
            var pending = known.Except(UpgradeFixture.History(database)).ToList();
            Assert.NotEmpty(pending);
            var file = Path.Combine(files, "upgrade.xml");
            await File.WriteAllTextAsync(file, ReportXml.Build("google.com", $"cli-upgrade-{Guid.NewGuid():N}", "museum.onboard.test", Day, [new("203.0.113.5", 3, true, true)]));

            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "report", "--db", "--data", data, "--json", file);

            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            var root = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal(1, root.GetProperty("totals").GetProperty("imported").GetInt32());
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < pending.Count; i++)
            {
                Assert.Single(lines, l => l.StartsWith($"senderauth: Migration {pending[i]} applied ({i + 1} of {pending.Count}) in ", StringComparison.Ordinal));
            }
            Assert.Single(lines, l => l.StartsWith($"senderauth: Database schema upgrade: {pending.Count} migrations to apply", StringComparison.Ordinal));
            Assert.Single(lines, l => l.StartsWith($"senderauth: Database schema upgraded: {pending.Count} migrations in ", StringComparison.Ordinal));
            Assert.Equal(known, UpgradeFixture.History(database));

            // Current now: nothing to tell.
            var (again, againOut, againErr) = await CliRunner.RunAsync(null, "report", "--db", "--data", data, "--json", file);
            Assert.True(again == 0, $"exit {again}: {againErr}");
            JsonDocument.Parse(againOut).Dispose();
            Assert.DoesNotContain("Migration", againErr, StringComparison.Ordinal);
            Assert.DoesNotContain("schema", againErr, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            temp.Delete(recursive: true);
            Directory.Delete(files, recursive: true);
        }
    }

    [Fact]
    public async Task Report_Db_UsageErrors_Exit2AndNothingImported()
    {
        var data = Directory.CreateTempSubdirectory("sa-cli-usage-").FullName;
        try
        {
            var good = Path.Combine(AppContext.BaseDirectory, "TestData", "reports", "malformed.xml");
            var (missing, _, missingErr) = await CliRunner.RunAsync(null, "report", "--db", "--data", data, good, "/nonexistent/r.xml");
            Assert.Equal(2, missing);
            Assert.Contains("/nonexistent/r.xml: no such file or folder (nothing was imported)", missingErr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(data, "senderauth.db")));

            var (noDb, _, noDbErr) = await CliRunner.RunAsync(null, "report", "--data", data, good);
            Assert.Equal(2, noDb);
            Assert.Contains("add --db", noDbErr, StringComparison.Ordinal);

            var (badConfig, _, badConfigErr) = await CliRunner.RunAsync(null, "report", "--db", "--database", "postgres", good);
            Assert.Equal(2, badConfig);
            Assert.Contains("SenderAuth:ConnectionString is required", badConfigErr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", badConfigErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Report_Db_PostgresUnreachable_Exit3WithOneLine()
    {
        // No PostgreSQL needed: nothing listens on port 1. The CLI opens the store without a web host, and a database
        // it cannot reach is exit 3 (try again), never the DNS code's neighbour 2 nor an internal error with a trace.
        var file = Path.Combine(AppContext.BaseDirectory, "TestData", "reports", "malformed.xml");
        foreach (var args in new[]
        {
            new[] { "report", "--db", file },
            ["report", "summary", "example.org", "--db"],
        })
        {
            string[] all = [.. args, "--database", "postgres", "--connection-string", "Host=127.0.0.1;Port=1"];
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, all);
            Assert.True(exit == 3, $"{string.Join(' ', args)}: exit {exit}: {stderr}");
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("senderauth: cannot open the database: ", line, StringComparison.Ordinal);
            Assert.Equal("", stdout);
        }
    }

    [Fact]
    public async Task Report_Db_Postgres_ImportsIntoTheServersDatabase_UnreachableExit3()
    {
        if (!ServerHost.PostgresAvailable)
        {
            Assert.Skip("PostgreSQL is not running (SENDERAUTH_TEST_POSTGRES is unset): run ./run-tests");
        }
        var env = new Dictionary<string, string> { ["SENDERAUTH_MASTER_KEY"] = ServerHost.MasterKey };
        await using var host = await ServerHost.StartAsync("postgres");
        var cs = host.Settings["SenderAuth:ConnectionString"]!;
        var code = ServerFixture.NewCode("clipg");
        var domain = $"{code}.example";
        await host.Client().CreateInstitution(code);
        await host.Client().CreateVerifiedDomain(code, domain);
        var file = Path.Combine(host.DataDirectory, "report.xml");
        await File.WriteAllTextAsync(file, ReportXml.Build("google.com", $"p-{code}", domain, Day, [new("203.0.113.5", 7, true, true)]), Encoding.UTF8);

        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, env, "report", "--db", "--database", "postgres", "--connection-string", cs, "--data", host.DataDirectory, "--json", file);
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Equal("imported", JsonDocument.Parse(stdout).RootElement.GetProperty("files")[0].GetProperty("reports")[0].GetProperty("status").GetString());
        var list = await (await host.Client().GetAsync($"/api/v1/institutions/{code}/domains/{domain}/reports")).Json(System.Net.HttpStatusCode.OK);
        Assert.Equal(7, list["items"]![0]!["messages"]!.GetValue<long>());
        Assert.Equal("cli", list["items"]![0]!["origin"]!.GetValue<string>());

        var (down, _, downErr) = await CliRunner.RunAsync(null, env, "report", "--db", "--database", "postgres",
            "--connection-string", "Host=127.0.0.1;Port=9;Username=x;Password=y;Database=z;Timeout=3", file);
        Assert.Equal(3, down);
        Assert.Contains("cannot open the database", downErr, StringComparison.Ordinal);
    }
}
