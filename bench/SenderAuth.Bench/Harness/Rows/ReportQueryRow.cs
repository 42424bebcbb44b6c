using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using SenderAuth.Bench.Harness.Seeding;
using SenderAuth.Bench.Harness.Servers;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// The report queries (yearly summary by month, sources with attribution, advice) over 10 million report records of
/// one domain, in SQLite and in the tests' PostgreSQL, timed through the API as the dashboard asks them: the fastest
/// of 3 GETs each (the first also warms the database's cache). SENDERAUTH_BENCH_RECORDS=N for another size.
/// </summary>
/// <remarks>
/// One institution and domain through the API, then <see cref="ReportVolume"/> writes a year of records through the
/// server's EF Core model. A resolver that refuses at once: reverse names and the advisor's record lookups fail fast
/// instead of waiting for a timeout, so the figures are the database's and ours.
/// </remarks>
public sealed class ReportQueryRow : IRow
{
    private const string Domain = "bench.example";

    public string Name => "row_report_query";

    public string Description => "report summary, sources and advice over 10 million records, SQLite and PostgreSQL (no peer)";

    public IReadOnlyList<string> Packages => ["postgresql"];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var records = long.Parse(Environment.GetEnvironmentVariable("SENDERAUTH_BENCH_RECORDS") ?? "10000000");
        var masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        foreach (var db in new[] { "sqlite", "postgres" })
        {
            var dir = context.Folder($"query-{db}");
            TestServer? pg = null;
            string[] store = [];
            if (db == "postgres")
            {
                pg = await TestServer.StartAsync(context, "postgres", Path.Combine(dir, "pg"), ct: ct).ConfigureAwait(false);
                // The server's migrations create the database (the role may CREATEDB).
                store = ["--database", "postgres", "--connection-string",
                    pg["SENDERAUTH_TEST_POSTGRES"].Replace("Database=postgres", "Database=sa_bench", StringComparison.Ordinal)];
            }
            var server = await SenderAuthServer.StartAsync(context, dir, [.. store, "--milter", "none", .. ServerRow.NoRateLimit,
                "--resolver", $"127.0.0.1:{FreePort.Next()}"], masterKey, ct).ConfigureAwait(false);
            await server.CallAsync(HttpMethod.Post, "/institutions", new { code = "bench", name = "Bench" }, ct).ConfigureAwait(false);
            await server.CallAsync(HttpMethod.Post, "/institutions/bench/domains", new { name = Domain }, ct).ConfigureAwait(false);

            RowContext.Log($"==> report query ({db}): inserting {records} report records (a year, 5 reporters) through EF Core");
            var sw = Stopwatch.StartNew();
            var database = db == "postgres" ? ServerDatabase.Postgres(store[^1]) : ServerDatabase.Sqlite(server.Data);
            await using (database.ConfigureAwait(false))
            {
                await ReportVolume.SeedAsync(database, Domain, records, ct).ConfigureAwait(false);
                if (db == "postgres")
                {
                    // Statistics, not data: what autovacuum's analyze would do a minute later on a live server, done now so
                    // the planner sees the rows when the queries are timed (the one statement EF has no API for).
                    await database.Database.ExecuteSqlRawAsync("ANALYZE \"ReportRecords\"", ct).ConfigureAwait(false);
                    await database.Database.ExecuteSqlRawAsync("ANALYZE \"ReportSourceDays\"", ct).ConfigureAwait(false);
                    await database.Database.ExecuteSqlRawAsync("ANALYZE \"ReportIdentityDays\"", ct).ConfigureAwait(false);
                }
            }
            RowContext.Log($"    inserted in {sw.Elapsed.TotalSeconds:0} s");
            var reports = $"/api/v1/institutions/bench/domains/{Domain}/reports";
            const string year = "from=2025-11-01&to=2026-10-31";
            var summary = await BestMsAsync(server, $"{reports}/summary?period=month&{year}", ct).ConfigureAwait(false);
            var sources = await BestMsAsync(server, $"{reports}/sources?{year}&pageSize=50", ct).ConfigureAwait(false);
            var advice = await BestMsAsync(server, $"{reports}/advice?{year}", ct).ConfigureAwait(false);
            var rss = server.Process.ProcStatusKb("VmHWM");
            await server.DisposeAsync().ConfigureAwait(false);
            if (pg is not null)
            {
                await pg.DisposeAsync().ConfigureAwait(false);
            }
            var what = $"reports over {records.ToString("N0", CultureInfo.InvariantCulture)} records, {db}";
            context.Report(new($"{what}: yearly summary by month (ms, not evals/s)", summary, null));
            context.Report(new($"{what}: sources with attribution, a year, first page (ms, not evals/s)", sources, null));
            context.Report(new($"{what}: advice (sources, findings, reconciliation; ms, not evals/s)", advice, null));
            context.Report(new($"{what}: server peak RSS (kB, not evals/s)", rss, null));
        }
    }

    /// <summary>The fastest of 3 GETs, in milliseconds (the first also warms the database's cache).</summary>
    private static async Task<double> BestMsAsync(SenderAuthServer server, string path, CancellationToken ct)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            using var response = await server.Http.GetAsync(new Uri(path, UriKind.Relative), ct).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new RowFailedException($"GET {path}: {(int)response.StatusCode}");
            }
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        return Math.Round(best);
    }
}
