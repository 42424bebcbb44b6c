using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using SenderAuth.Bench.Harness.Seeding;
using SenderAuth.Bench.Harness.Servers;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// DMARC report import through <c>senderauth report --db</c> (the server's importer: one transaction per file,
/// records in batches of 2,000, deduplicated by the unique key): a generated corpus (<see cref="ReportCorpus"/>,
/// 2,000 daily reports of 50 records, .xml.gz, five reporters) into SQLite (data folder in the run's folder) and
/// into the tests' private PostgreSQL cluster (tests/servers/postgres).
/// </summary>
/// <remarks>
/// The domain is registered first through a briefly started server's API, so every report is imported (not kept
/// apart as foreign). Rates are from the CLI's own clock (import only: start-up and migrations excluded; the wall time
/// with them is printed too); peak RSS of the whole CLI process from /usr/bin/time -v. No peer imports DMARC reports
/// into a database here: n/a.
/// </remarks>
public sealed class ReportImportRow : IRow
{
    private const int Reports = 2000;
    private const int Records = 50;
    private const string Domain = "bench.example";

    public string Name => "row_report_import";

    public string Description => "DMARC report import into SQLite and PostgreSQL through report --db (no peer)";

    public IReadOnlyList<string> Packages => ["postgresql", "time"];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var dir = context.Folder("report-import");
        RowContext.Log($"==> report-import: generating {Reports} reports x {Records} records");
        var corpus = Path.Combine(dir, "corpus");
        ReportCorpus.Write(corpus, Domain, Reports, Records);
        var cli = await context.CliAsync().ConfigureAwait(false);
        var pg = await TestServer.StartAsync(context, "postgres", Path.Combine(dir, "pg"), ct: ct).ConfigureAwait(false);
        // The server's migrations create the database (the role may CREATEDB).
        var postgres = pg["SENDERAUTH_TEST_POSTGRES"].Replace("Database=postgres", "Database=sa_bench_import", StringComparison.Ordinal);
        var masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        foreach (var db in new[] { "sqlite", "postgres" })
        {
            var folder = Path.Combine(dir, db);
            string[] store = db == "postgres" ? ["--database", "postgres", "--connection-string", postgres] : [];
            var server = await SenderAuthServer.StartAsync(context, folder, [.. store, "--resolver", "127.0.0.1:9"], masterKey, ct).ConfigureAwait(false);
            await server.CallAsync(HttpMethod.Post, "/institutions", new { code = "bench", name = "Bench" }, ct).ConfigureAwait(false);
            await server.CallAsync(HttpMethod.Post, "/institutions/bench/domains", new { name = Domain }, ct).ConfigureAwait(false);
            // Reports about a domain not verified yet are held apart as foreign: the operator vouches for it.
            await server.CallAsync(HttpMethod.Post, $"/institutions/bench/domains/{Domain}/verify", new { operatorOverride = true, reason = "bench" }, ct).ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);

            RowContext.Log($"==> report-import: {Reports} files into {db} through report --db");
            var sw = Stopwatch.StartNew();
            var run = await Tool.RunAsync("/usr/bin/time", ["-v", cli, "report", "--db", "--data", server.Data, .. store, "--json", corpus], ct,
                new Dictionary<string, string> { ["SENDERAUTH_MASTER_KEY"] = masterKey }, captureStderr: true, check: false).ConfigureAwait(false);
            var wall = sw.Elapsed.TotalSeconds;
            if (run.ExitCode != 0)
            {
                throw new RowFailedException($"report --db into {db} exited {run.ExitCode}:\n{Tool.Tail(run.Stderr, 20)}");
            }
            using var doc = JsonDocument.Parse(run.Stdout);
            var totals = doc.RootElement.GetProperty("totals");
            var imported = totals.GetProperty("imported").GetInt32();
            if (imported != Reports)
            {
                throw new RowFailedException($"{imported} of {Reports} reports imported into {db}");
            }
            var rss = long.Parse(run.Stderr.Split('\n').First(l => l.Contains("Maximum resident set size", StringComparison.Ordinal)).Split(": ")[1]);
            RowContext.Log($"    {db}: {imported} reports, {totals.GetProperty("records")} records in {totals.GetProperty("seconds")} s"
                + $" (wall with start-up {wall:0.0} s), peak RSS {rss} kB");
            var what = $"DMARC report import into {db}, {Reports} reports x {Records} records, report --db";
            context.Report(new($"{what} (reports/s, not evals/s)", totals.GetProperty("reportsPerSecond").GetDouble(), null));
            context.Report(new($"{what} (records/s, not evals/s)", totals.GetProperty("recordsPerSecond").GetDouble(), null));
            context.Report(new($"{what}, CLI peak RSS (kB, not evals/s)", rss, null));
        }
        await pg.DisposeAsync().ConfigureAwait(false);
    }
}
